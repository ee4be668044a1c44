"""What the app's thread workers report, as typed messages (posted with ``post_message``, which is thread-safe).

A grading worker posts ``Graded`` or ``GradingFailed`` to the screen (or app) that started it; the handler
records the grade on the UI thread, where the store lives, and reads ``Recorded`` or ``GradeNotSaved``.
A model-loading worker posts ``ModelStateChanged``. None of them bubble: each is for its own emitter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from interviewer.session import lifecycle
from interviewer.tui.models import ModelName, ModelState


@dataclass
class Graded(Message, bubble=False):
    """A saved answer was graded; its grade is not recorded yet."""

    outcome: lifecycle.Graded


@dataclass
class GradingFailed(Message, bubble=False):
    """Grading a saved answer failed (the answer stays saved, ungraded)."""

    outcome: lifecycle.GradingFailed


@dataclass
class SavedAnswersGraded(Message, bubble=False):
    """The worker grading a resumed session's saved answers is done (each posted ``Graded`` or stopped at a
    ``GradingFailed``)."""


@dataclass
class ModelStateChanged(Message, bubble=False):
    """A model finished loading (``READY``) or did not (``FAILED``, with ``error``)."""

    model: ModelName
    state: ModelState
    error: str = ""


def grade_and_post(target: MessagePump, answer: lifecycle.SavedAnswer, grader: Callable[[], Any]) -> None:
    """Grade a saved answer (in a worker thread) and post ``Graded`` or ``GradingFailed`` to ``target``."""
    outcome = answer.grade(grader)
    target.post_message(Graded(outcome) if isinstance(outcome, lifecycle.Graded) else GradingFailed(outcome))
