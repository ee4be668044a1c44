"""``rubric review``: each draft concept with its cues and follow-up, and what looks weak in it (a label that
was cut or repeats another point's, no cues, a follow-up that is not a question, a wrong claim that is not a
whole sentence).

The checks are ``interviewer.rubrics.phrases``'s, the same rules ``rubric derive`` writes drafts by.
"""

from __future__ import annotations

from dataclasses import dataclass

from interviewer.rubrics.model import Rubric
from interviewer.rubrics.phrases import claim_problem, follow_up_problem, label_problem


@dataclass(frozen=True)
class PointReview:
    kind: str
    """"concept" or "misconception"."""
    id: str
    label: str
    """The concept's label, or the misconception's claim."""
    cues: tuple[str, ...]
    follow_up: str
    """The concept's follow-up, or the misconception's correction."""
    problems: tuple[str, ...]


def review_rubric(rubric: Rubric) -> list[PointReview]:
    """Every concept and misconception of ``rubric`` with its problems (an empty tuple when it looks fine)."""
    points = []
    labels = [" ".join(c.label.lower().split()) for c in rubric.concepts]
    for number, concept in enumerate(rubric.concepts):
        problems = [p for p in (label_problem(concept.label), follow_up_problem(concept.follow_up)) if p]
        same = [rubric.concepts[i].id for i, label in enumerate(labels) if label == labels[number] and i != number]
        if same:  # two points a candidate cannot tell apart in the feedback
            problems.append(f"label same as {', '.join(same)}'s")
        if not concept.cues:
            problems.append("no cues")
        points.append(PointReview("concept", concept.id, concept.label, concept.cues, concept.follow_up,
                                  tuple(problems)))
    for wrong in rubric.misconceptions:
        problems = [p for p in (claim_problem(wrong.claim),) if p]
        if not wrong.correction.strip():
            problems.append("no correction")
        points.append(PointReview("misconception", wrong.id, wrong.claim, wrong.cues, wrong.correction,
                                  tuple(problems)))
    return points
