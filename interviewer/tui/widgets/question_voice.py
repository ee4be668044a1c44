"""The interviewer reads the question aloud: one line that says so, and the worker that speaks.

Mounted on the question and follow-up screens. When the round speaks (``Voice.speaks``) it synthesises and
plays the text in a thread worker as soon as it is shown; ``say`` (ctrl+l on the screen) plays it again.
With no speaker, no sound server or no voice installed, the app shows the reason once, in one line, and
the round goes on silently. Recording stops the voice (``VoicePanel.start``), and so does leaving the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.message import Message
from textual.widgets import Static

from interviewer.tui.of_app import OfTheApp

SPEAKING = "♪ The interviewer is asking…  ctrl+l from the start"
SPOKEN = "ctrl+l hears it again"


class QuestionVoice(OfTheApp, Static):
    """Speaks ``text`` when mounted (if the round speaks); ``say`` speaks it again."""

    @dataclass
    class Said(Message, bubble=False):
        """The text was played to the end (``problem`` None), stopped, or could not be heard (``problem``)."""

        take: int
        problem: str | None = None

    def __init__(self, text: str, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.text = text
        self.speaking = False
        self._take = 0  # each say() is a take: a replay's worker outlives the one it replaced

    def on_mount(self) -> None:
        self.display = False
        if self.enabled:
            self.say()

    @property
    def enabled(self) -> bool:
        app = self.interviewer
        return app.services.voice.speaks(app.answer_mode)

    def say(self) -> None:
        """Speak the text (again, from its start)."""
        self._take += 1
        self.speaking = True
        self.display = True
        self.update(SPEAKING)
        self._speak(self.text, self._take, self.interviewer.services.voice.generation)

    def stop(self) -> None:
        self.interviewer.services.voice.stop()

    @work(thread=True, exclusive=True, exit_on_error=False, group="speak", description="reading the question aloud")
    def _speak(self, text: str, take: int, generation: int) -> None:
        problem = self.interviewer.services.voice.say(text, generation)
        self.post_message(self.Said(take, problem))

    @on(Said)
    def _said(self, message: Said) -> None:
        if message.take != self._take:
            return  # replaced by a replay
        self.speaking = False
        voice = self.interviewer.services.voice
        if message.problem is not None:
            self.display = False
            if voice.first_time(message.problem):
                self.notify(message.problem, title="The interviewer is silent", severity="warning", timeout=8)
        else:
            self.update(SPOKEN)

    def on_unmount(self) -> None:
        self.stop()


def toggle_speaking(app: Any) -> None:
    """The palette's "Speak questions": reading aloud on (the question showing is read now) or off."""
    on_now = app.services.voice.toggle(app.answer_mode)
    app.notify("Questions are read aloud (ctrl+l hears one again)." if on_now else "Questions are shown, not read aloud.",
               timeout=4)
    for widget in app.screen.query(QuestionVoice):
        if on_now:
            widget.say()
        else:
            widget.display = False
    app.screen.refresh_bindings()
