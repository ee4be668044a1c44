"""The Textual app (``interviewer`` / ``interviewer practice`` on a terminal).

``make_app`` in ``app.py`` builds it; ``services.py`` holds what it is given (settings, store, model
loaders, clock). Importing this package loads Textual but never torch or Whisper: models load in worker
threads once the first screen is on screen.
"""

from interviewer.tui.app import InterviewerApp, make_app
from interviewer.tui.services import RoundOptions, Services

__all__ = ["InterviewerApp", "RoundOptions", "Services", "make_app"]
