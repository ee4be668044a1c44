"""One answer's lifecycle, for answers and follow-up answers alike: submit → saved → graded → recorded.

Every step returns what happened as a value, never by raising, so the app, the plain round and resuming
all read the same outcomes:

- ``submit_answer`` / ``submit_follow_up`` → ``Saved`` (committed to the store before any grading) or
  ``NotSaved`` (the store refused it: locked, full, gone; the text was kept in ``unsaved-answers.jsonl``
  and the message says where);
- ``SavedAnswer.grade`` → ``Graded`` or ``GradingFailed`` (the model did not load, grading raised); the
  answer itself stays saved;
- ``SavedAnswer.record`` → ``Recorded`` or ``GradeNotSaved`` (the store refused the grade: the message
  says the answer itself is safe and ``interviewer resume`` grades it again; record the same grade again
  to retry).

``saved_answers`` lists what a resumed session saved but never graded. Grading may run in a worker
thread; saving and recording use the store, so they run where the store was opened. No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewer.errors import InterviewerError
from interviewer.rubrics.model import Rubric
from interviewer.scoring.result import Grade
from interviewer.session.round import FollowUp, Interview, Turn, follow_up_rubric

if TYPE_CHECKING:
    from interviewer.scoring.grader import Grader


@dataclass(frozen=True)
class SavedAnswer:
    """An answer (``follow`` None) or a follow-up answer that is in the store: what is graded, and where
    its grade goes."""

    interview: Interview
    turn: Turn
    follow: FollowUp | None = None

    @property
    def rubric(self) -> Rubric:
        """What the answer is graded against: the question's rubric, or for a follow-up the one concept."""
        if self.follow is None:
            return self.turn.rubric
        return follow_up_rubric(self.turn.rubric, self.follow.concept_id)

    @property
    def text(self) -> str:
        return (self.turn.answer if self.follow is None else self.follow.answer) or ""

    @property
    def grade_so_far(self) -> Grade | None:
        """The recorded grade, if any."""
        return self.turn.grade if self.follow is None else self.follow.grade

    def grade(self, grader: Callable[[], Grader]) -> Graded | GradingFailed:
        """Grade the answer with the grader ``grader()`` returns (it may wait for the model to load, and
        raise if it did not). Safe in a worker thread: nothing is written."""
        try:
            return Graded(self, grader().grade(self.rubric, self.text))
        except Exception as exc:  # noqa: BLE001 - every failure is an outcome; the answer stays saved
            return GradingFailed(self, exc)

    def record(self, grade: Grade) -> Recorded | GradeNotSaved:
        """Attach ``grade`` in the store (and to the turn or follow-up)."""
        try:
            if self.follow is None:
                self.interview.record_grade(self.turn, grade)
            else:
                self.interview.record_follow_up_grade(self.follow, grade)
        except InterviewerError as exc:
            return GradeNotSaved(self, grade, exc)
        return Recorded(self, grade)

    def grade_and_record(self, grader: Callable[[], Grader]) -> Recorded | GradingFailed | GradeNotSaved:
        """Both steps at once, where the store may be used (the plain round)."""
        graded = self.grade(grader)
        return graded.answer.record(graded.grade) if isinstance(graded, Graded) else graded


@dataclass(frozen=True)
class Saved:
    answer: SavedAnswer


@dataclass(frozen=True)
class NotSaved:
    """The store refused the answer; ``error`` says why and where the text was kept instead."""

    error: InterviewerError

    @property
    def message(self) -> str:
        return self.error.message


@dataclass(frozen=True)
class Graded:
    answer: SavedAnswer
    grade: Grade


@dataclass(frozen=True)
class GradingFailed:
    """Grading raised (a model that did not load, a bug); the answer stays saved and ungraded."""

    answer: SavedAnswer
    error: BaseException

    @property
    def message(self) -> str:
        return error_text(self.error)


@dataclass(frozen=True)
class Recorded:
    answer: SavedAnswer
    grade: Grade


@dataclass(frozen=True)
class GradeNotSaved:
    """The store refused the grade; the answer itself is safe. ``answer.record(grade)`` tries again."""

    answer: SavedAnswer
    grade: Grade
    error: InterviewerError

    @property
    def message(self) -> str:
        return self.error.message


def error_text(error: BaseException | None) -> str:
    """One line for the user: an ``InterviewerError``'s message, else the exception's type and text."""
    if isinstance(error, InterviewerError):
        return error.message
    if error is None:
        return "unknown error"
    return f"{type(error).__name__}: {error}"


def submit_answer(interview: Interview, turn: Turn, text: str, *, mode: str | None = None,
                  audio_path: str | Path | None = None, transcript: Any = None, delivery: Any = None,
                  started_at: str | None = None, seconds: float | None = None) -> Saved | NotSaved:
    """Commit the answer to ``turn`` now, before it is graded (re-submitting keeps the earlier answer too)."""
    try:
        interview.submit(turn, text, mode=mode, audio_path=audio_path, transcript=transcript, delivery=delivery,
                         started_at=started_at, seconds=seconds)
    except InterviewerError as exc:  # the message says where the answer was kept instead
        return NotSaved(exc)
    return Saved(SavedAnswer(interview, turn))


def submit_follow_up(interview: Interview, turn: Turn, concept_id: str, question: str, text: str) -> Saved | NotSaved:
    """Commit a follow-up answer on ``concept_id`` of ``turn``'s answer, before it is graded."""
    try:
        follow = interview.submit_follow_up(turn, concept_id, question, text)
    except InterviewerError as exc:
        return NotSaved(exc)
    return Saved(SavedAnswer(interview, turn, follow))


def saved_answers(interview: Interview) -> list[SavedAnswer]:
    """Answers, then follow-up answers, saved but not graded (the last process stopped while grading)."""
    return ([SavedAnswer(interview, turn) for turn in interview.ungraded] +
            [SavedAnswer(interview, turn, follow) for turn, follow in interview.ungraded_follow_ups])
