"""What to practise next, from a set of graded answers: one rule for the app, the plain round and reports.

Also the marks every view uses for a concept's status and ``explain_breakdown``, so the terminal, the app and
the reports agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interviewer.display import clip

if TYPE_CHECKING:
    from interviewer.scoring.result import Grade

LOW_SCORE = 5.0  # an answer below this is worth answering again
PRACTISE_CONCEPTS = 3  # how many missed concepts "what to practise next" names
PRACTISE_QUESTIONS = 2  # how many low-scored questions it names
STRONGEST = 5  # how many strong points a summary names
QUESTION_CHARS = 40  # a question named after a key point is cut to this (with "…")
STATUS_MARKS = {"covered": "✔", "partial": "◐", "missed": "✘", "recovered": "↻"}
RECOVERED = "recovered in follow-up"  # how a concept missed in the answer but covered in its follow-up is named


def recovered(follow_ups: Iterable[tuple[str, Any]]) -> frozenset[str]:
    """The concept ids covered in a follow-up: ``follow_ups`` are (concept id, grade or None) pairs, and a
    follow-up's grade has that one concept (``round.follow_up_rubric``); "covered" there recovers it.
    The grade may be a ``Grade`` or its dict (reports)."""
    ids = set()
    for concept_id, grade in follow_ups:
        concepts = (grade.get("concepts") if isinstance(grade, dict) else getattr(grade, "concepts", None)) or ()
        for c in concepts:
            cid, status = (c.get("concept_id"), c.get("status")) if isinstance(c, dict) else (c.concept_id, c.status)
            if cid == concept_id and status == "covered":
                ids.add(concept_id)
    return frozenset(ids)


def status_after_follow_up(concept_id: str, status: str, recovered_ids: Iterable[str]) -> str:
    """A concept's status in an answer, its follow-ups counted: "recovered" when the answer did not cover it
    and a follow-up did (``recovered`` gives the ids), else the answer's own status."""
    return "recovered" if status != "covered" and concept_id in recovered_ids else status


@dataclass(frozen=True)
class GradedAnswer:
    """The little a piece of advice needs of a graded answer."""

    rubric_id: str
    question: str
    score: float
    covered: tuple[str, ...]
    """Labels of the concepts covered."""
    missed: tuple[tuple[str, float], ...]
    """(label, weight) of the concepts missed (and not recovered in a follow-up)."""
    recovered: tuple[str, ...] = ()
    """Labels of the concepts missed in the answer but covered in a follow-up: not practised next."""


def practise_next(answers: Iterable[GradedAnswer]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(what to practise next, strongest points).

    Practise: the heaviest missed concepts (each label once), then the lowest-scored questions below
    ``LOW_SCORE``. Strongest: the concepts covered, from the best-scored answers first.
    """
    graded = list(answers)
    missed = sorted(((weight, a.question, label) for a in graded for label, weight in a.missed), key=lambda m: -m[0])
    seen: set[str] = set()
    practise: list[str] = []
    for _, question, label in missed:
        if label not in seen and len(practise) < PRACTISE_CONCEPTS:
            seen.add(label)
            practise.append(f"{label} (in “{clip(question, QUESTION_CHARS)}”)")
    low = sorted((a for a in graded if a.score < LOW_SCORE), key=lambda a: a.score)
    practise.extend(f"re-answer: {a.question} ({a.rubric_id})" for a in low[:PRACTISE_QUESTIONS])
    strong = [f"{label} (in “{clip(a.question, QUESTION_CHARS)}”)" for a in sorted(graded, key=lambda a: -a.score)
              for label in a.covered]
    return tuple(practise), tuple(strong[:STRONGEST])


def explain_breakdown(grade: Grade) -> str:
    """One line on how the score follows from the checklist: points, deductions, the ceiling."""
    b = grade.breakdown
    if b is None:
        return ""
    text = f"key points {b.checklist:.1f}/10"
    if b.curved != b.checklist:
        text += f" (calibrated {b.curved:.1f})"
    if b.deducted:
        text += f", −{b.deducted:.1f} for wrong claims"
    if b.cap is not None:
        text += f", capped at {b.cap:.1f} ({b.cap_reason})"
    return text + f" = {grade.score:.1f}"
