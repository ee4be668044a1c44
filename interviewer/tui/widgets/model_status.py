"""One line saying whether the models are ready: what is loading, what is ready, what failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.widgets import Static

if TYPE_CHECKING:
    from interviewer.tui.app import InterviewerApp

_GRADER = {"idle": "grading model: waiting", "loading": "◌ loading the grading model…",
           "ready": "● grading model ready", "failed": "✘ grading model failed"}
_SPEECH = {"loading": "◌ loading Whisper…", "ready": "● speech ready", "failed": "✘ speech unavailable"}


class ModelStatus(Static):
    """Watches the app's ``grader_state`` and ``speech_state``."""

    def on_mount(self) -> None:
        app = cast("InterviewerApp", self.app)
        self.watch(app, "grader_state", self._changed)
        self.watch(app, "speech_state", self._changed)

    def _changed(self, _: str) -> None:
        app = cast("InterviewerApp", self.app)
        parts = [_GRADER.get(app.grader_state, app.grader_state)]
        if app.speech_state in _SPEECH:
            parts.append(_SPEECH[app.speech_state])
        self.update("   ".join(parts))
        loading = "loading" in (app.grader_state, app.speech_state)
        failed = "failed" in (app.grader_state, app.speech_state)
        self.set_class(loading, "-loading")
        self.set_class(failed, "-failed")
        self.set_class(not loading and not failed, "-ready")
