"""The ``interviewer`` command line: ``main`` is the console entry point (``interviewer.cli:main``).

``main.py`` builds the parser from each command module's ``add_parsers`` and runs the command:
``grading_commands`` (grade, grade-batch, eval), ``rubric_commands``, ``speech_commands`` (devices, record,
transcribe), ``session_commands`` (practice, resume, report, history). ``practice.py`` is the plain
line-by-line round, ``render.py`` the plain-text rendering, ``background.py`` the grader loading in a thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.cli.main import main

if TYPE_CHECKING:
    from interviewer.config import Settings
    from interviewer.rubrics.loader import Bank
    from interviewer.scoring.grader import Grader

__all__ = ["main"]


def _grader(settings: Settings, bank: Bank | None = None, calibration: Path | None = None) -> Grader:
    """The grader every command uses (``common.grader`` calls it); tests replace it with a fake-embedder one."""
    from interviewer.scoring.factory import make_grader

    return make_grader(settings, bank, calibration=calibration)
