"""The Textual app (``interviewer`` / ``interviewer practice`` on a terminal).

``make_app`` in ``app.py`` builds it; ``services.py`` holds what it is given (settings, store, model
loaders, clock, and the ``Models`` they load, in ``models.py``). ``services`` and ``models`` import no
Textual: the names below load ``app.py`` (and Textual) only when asked for. Nothing here imports torch or
Whisper: models load in worker threads once the first screen is on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interviewer.tui.app import InterviewerApp, make_app
    from interviewer.tui.services import RoundOptions, Services

__all__ = ["InterviewerApp", "RoundOptions", "Services", "make_app"]


def __getattr__(name: str) -> Any:
    if name in ("InterviewerApp", "make_app"):
        from interviewer.tui import app

        return getattr(app, name)
    if name in ("RoundOptions", "Services"):
        from interviewer.tui import services

        return getattr(services, name)
    raise AttributeError(f"module 'interviewer.tui' has no attribute {name!r}")
