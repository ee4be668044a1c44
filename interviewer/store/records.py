"""What the store hands out: typed records of sessions, questions, answers and follow-ups, grades as ``Grade``.

``grade_problem`` is the shape check a stored grade dict (or a grade-batch line's) passes before it is typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from interviewer.scoring.result import Grade


def grade_problem(grade: Any) -> str | None:
    """What is wrong with a grade dict (as ``Grade.to_dict()`` makes it, in the store or in grade-batch output),
    or None. Readers (reports, history, drills) rely on exactly these fields."""
    if not isinstance(grade, Mapping):
        return "field 'grade': expected the grade object grade-batch writes"
    score = grade.get("score")
    if not isinstance(score, (int, float)) or isinstance(score, bool):
        return "field 'grade.score': expected a number"
    concepts = grade.get("concepts", [])
    if not isinstance(concepts, list) or not all(isinstance(c, Mapping) for c in concepts):
        return "field 'grade.concepts': expected a list of objects"
    misconceptions = grade.get("misconceptions", [])
    if not isinstance(misconceptions, list) or not all(isinstance(m, Mapping) for m in misconceptions):
        return "field 'grade.misconceptions': expected a list of objects"
    if not isinstance(grade.get("feedback", {}), Mapping):
        return "field 'grade.feedback': expected an object"
    return None


@dataclass(frozen=True)
class FollowUpRecord:
    id: int
    concept_id: str
    question: str
    text: str
    submitted_at: str
    grade: Grade | None
    score: float | None


@dataclass(frozen=True)
class AnswerRecord:
    id: int
    text: str
    mode: str
    """"typed" or "voice"."""
    audio_path: str | None
    transcript: dict[str, Any] | None
    """The transcript as recorded (``Transcript`` as a dict); ``text`` is what was submitted after review."""
    delivery: dict[str, Any] | None
    started_at: str | None
    submitted_at: str
    seconds: float | None
    """Time taken to answer (from the question on screen to submitting)."""
    grade: Grade | None
    """None until graded (e.g. the process died while grading), or when the stored grade is broken."""
    score: float | None
    graded_at: str | None
    follow_ups: tuple[FollowUpRecord, ...] = ()
    bank: str | None = None
    """The name of the bank the question came from (None only for a row the migration could not place)."""


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    position: int
    """1-based order in the session."""
    rubric_id: str
    question: str
    answers: tuple[AnswerRecord, ...]
    """Every answer given, oldest first; the last one counts."""

    @property
    def answer(self) -> AnswerRecord | None:
        return self.answers[-1] if self.answers else None


@dataclass(frozen=True)
class SessionRecord:
    id: int
    started_at: str
    finished_at: str | None
    mode: str
    bank: str
    timed: bool
    settings: dict[str, Any]
    questions: tuple[QuestionRecord, ...]

    @property
    def remaining(self) -> tuple[QuestionRecord, ...]:
        """Questions not answered yet (what resuming asks)."""
        return tuple(q for q in self.questions if q.answer is None)

    @property
    def ungraded(self) -> tuple[AnswerRecord, ...]:
        """Answers saved but not graded (the process stopped while grading): resuming grades them."""
        return tuple(q.answer for q in self.questions if q.answer is not None and q.answer.grade is None)

    @property
    def mean_score(self) -> float | None:
        scores = [q.answer.score for q in self.questions if q.answer is not None and q.answer.score is not None]
        return round(sum(scores) / len(scores), 1) if scores else None


@dataclass(frozen=True)
class SessionSummary:
    id: int
    started_at: str
    finished_at: str | None
    mode: str
    bank: str
    asked: int
    answered: int
    mean_score: float | None


@dataclass(frozen=True)
class AnsweredQuestion:
    """A question's latest answer in some session, with its grade: one row of the history."""

    session_id: int
    session_started_at: str
    position: int
    rubric_id: str
    question: str
    answer_id: int
    submitted_at: str
    score: float | None
    grade: Grade | None
    bank: str | None = None
    """The name of the bank the question came from: with ``rubric_id``, what identifies the question."""
    recovered: tuple[str, ...] = ()
    """Ids of the concepts a follow-up to this answer covered (its one concept's status "covered")."""
