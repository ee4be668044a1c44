"""One line saying whether the models are ready: what is loading, what is ready, what failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.widgets import Static

from interviewer.tui.models import ModelState

if TYPE_CHECKING:
    from interviewer.tui.app import InterviewerApp

_GRADER = {ModelState.IDLE: "grading model: waiting", ModelState.LOADING: "◌ loading the grading model…",
           ModelState.READY: "● grading model ready", ModelState.FAILED: "✘ grading model failed"}
_SPEECH = {ModelState.LOADING: "◌ loading Whisper…", ModelState.READY: "● speech ready",
           ModelState.FAILED: "✘ speech unavailable"}


class ModelStatus(Static):
    """Watches the app's ``grader_state`` and ``speech_state``."""

    def on_mount(self) -> None:
        app = cast("InterviewerApp", self.app)
        self.watch(app, "grader_state", self._changed)
        self.watch(app, "speech_state", self._changed)

    def _changed(self, _: ModelState) -> None:
        app = cast("InterviewerApp", self.app)
        parts = [_GRADER.get(app.grader_state, app.grader_state)]
        if app.speech_state in _SPEECH:
            parts.append(_SPEECH[app.speech_state])
        self.update("   ".join(parts))
        loading = ModelState.LOADING in (app.grader_state, app.speech_state)
        failed = ModelState.FAILED in (app.grader_state, app.speech_state)
        self.set_class(loading, "-loading")
        self.set_class(failed, "-failed")
        self.set_class(not loading and not failed, "-ready")
