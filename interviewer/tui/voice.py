"""The interviewer's voice in the app: whether questions are read aloud, the Piper voice (loaded once, on
first use, in a worker) and one player. No Textual here; ``widgets/question_voice.py`` drives it.

``say`` blocks (synthesis, then playback until the end) and is called from a worker thread only; so does
``prepare``, which synthesises what will be asked next while the candidate reads the feedback. It never
raises for want of a voice or a speaker: it returns the one-line reason (``NoOutput.message``, the
``ModelNotAvailableError`` text) for the app to show once before it goes on silently. ``stop`` (from any
thread) silences what plays and makes a ``say`` still synthesising return without playing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from interviewer.errors import InterviewerError

if TYPE_CHECKING:
    from interviewer.speech.playback import Player
    from interviewer.speech.tts import Synthesizer


class Voice:
    """Speaks questions for the app. ``default`` is the ``speak_questions`` setting (spoken rounds only);
    ``toggle`` (the palette) overrides it for the rest of the run, typed rounds included."""

    def __init__(self, load_synthesizer: Callable[[], Synthesizer], make_player: Callable[[], Player],
                 default: bool = True) -> None:
        self._load_synthesizer = load_synthesizer
        self._make_player = make_player
        self.default = default
        self.choice: bool | None = None
        """The palette's on/off for this run (None: the setting decides)."""
        self._lock = threading.Lock()  # guards loading, the generation and starting playback
        self._synthesizer: Synthesizer | None = None
        self._failure: str | None = None
        """Why the voice cannot load (asked once: a missing package stays missing)."""
        self._player: Player | None = None
        self._generation = 0
        self._loading = 0  # loads under way (the first use loads the model, ~1 s)
        self._rest_after_load = False
        """``rest`` came while the model was loading: the load frees it as soon as it is done."""
        self._told: set[str] = set()

    def speaks(self, mode: str) -> bool:
        """Are questions read aloud in a round answered in ``mode`` ("voice" or "typed")?"""
        return self.choice if self.choice is not None else self.default and mode == "voice"

    def toggle(self, mode: str) -> bool:
        """Turn reading aloud off if it is on (and stop speaking), on if it is off; the new state."""
        self.choice = not self.speaks(mode)
        if not self.choice:
            self.stop()
        return self.choice

    def first_time(self, message: str) -> bool:
        """True the first time ``message`` is reported (the app shows each reason once)."""
        if message in self._told:
            return False
        self._told.add(message)
        return True

    @property
    def generation(self) -> int:
        """Which ``stop`` the voice is at: read it on the UI thread when starting a worker, and pass it to ``say``
        or ``prepare``, so a ``stop`` between the two (recording began before the worker ran) still counts."""
        with self._lock:
            return self._generation

    def say(self, text: str, generation: int | None = None) -> str | None:
        """Synthesise ``text`` and play it to the end (worker thread). None, or why nothing was heard.
        ``generation``: ``self.generation`` when the worker was started (None: now)."""
        if generation is None:
            generation = self.generation
        elif generation != self.generation:
            return None  # stopped before this worker ran: loading the model now would undo ``rest``
        try:
            voice = self._voice()
            if generation != self.generation:
                return None  # stopped while the model loaded: synthesising now would load it again
            speech = voice.synthesize(text)
        except InterviewerError as exc:
            return exc.message
        except ValueError as exc:  # a text too long to speak
            return str(exc)
        with self._lock:
            if generation != self._generation:
                return None  # stopped (the screen closed, recording began) while synthesising
            if self._player is None:
                self._player = self._make_player()
            player = self._player
            problem = player.play(speech)
        if problem is not None:
            return problem.message
        player.wait()
        return player.problem.message if player.problem is not None else None

    def prepare(self, texts: list[str], generation: int | None = None) -> None:
        """Synthesise ``texts`` into the voice's cache without playing them (worker thread), so the next
        question or follow-up starts at once when its screen opens. Silent about failures: ``say`` reports
        them when it matters. Stops between texts once ``stop`` is called (recording began): loading the model
        again mid-take would undo ``rest``. ``generation``: as for ``say``."""
        if generation is None:
            generation = self.generation
        for text in texts:
            if generation != self.generation:
                return
            try:
                voice = self._voice()
                if generation != self.generation:
                    return  # stopped while the model loaded
                voice.synthesize(text)
            except (InterviewerError, ValueError):
                return

    def stop(self) -> None:
        """Silence the voice now (any thread); a ``say`` still synthesising will not play."""
        with self._lock:
            self._generation += 1
            player = self._player
        if player is not None:
            player.stop()

    def rest(self) -> None:
        """Free the voice's model while the candidate answers (worker thread: it takes ~0.2 s). Recording with
        live transcription, then grading, need the memory (a spoken round peaked at 838-891 MB with it kept);
        what the voice has said stays cached, so a replay plays at once; the next new text (a follow-up, the
        next question) loads the model again (~0.5 s), in the worker that synthesises it. While the model is
        still loading for the first time (a ``say`` or ``prepare`` under way) the load frees it once it is done."""
        with self._lock:
            synthesizer = self._synthesizer
            if synthesizer is None and self._loading:
                self._rest_after_load = True
        if synthesizer is not None:
            synthesizer.release()

    def _voice(self) -> Synthesizer:
        with self._lock:
            if self._synthesizer is not None:
                return self._synthesizer
            if self._failure is not None:
                raise InterviewerError(self._failure)
            self._loading += 1
        try:
            loaded = self._load_synthesizer()
        except BaseException as exc:
            with self._lock:
                self._loading -= 1
                self._rest_after_load = self._rest_after_load and self._loading > 0  # nothing loaded to free
                if isinstance(exc, InterviewerError):
                    self._failure = exc.message
            raise
        with self._lock:  # one block with the count: a rest() never sees "not loading" and "not loaded"
            self._loading -= 1
            self._synthesizer = synthesizer = self._synthesizer or loaded
            rest, self._rest_after_load = self._rest_after_load, False
        if rest:  # recording began while the model loaded: it must not stay resident while the candidate answers
            synthesizer.release()
        return synthesizer
