"""Feedback a candidate can act on, written from the concept and misconception results."""

from __future__ import annotations

from collections.abc import Sequence

from interviewer.rubrics.model import Rubric
from interviewer.rubrics.phrases import lower_first
from interviewer.scoring.result import ConceptResult, Feedback, MisconceptionHit, Relevance, ScoreBreakdown

QUOTE_CHARS = 160  # evidence longer than this is shortened in feedback text (the full span stays in the result)


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return f"“{text}”"


def _band(score: float) -> str:
    if score >= 8.5:
        return "Excellent answer"
    if score >= 7.0:
        return "Strong answer"
    if score >= 5.0:
        return "Good start"
    if score >= 3.0:
        return "Partial answer"
    return "Needs work"


def write_feedback(
    rubric: Rubric,
    concepts: Sequence[ConceptResult],
    misconceptions: Sequence[MisconceptionHit],
    score: float,
    *,
    answered: bool,
    relevance: Relevance | None = None,
    breakdown: ScoreBreakdown | None = None,
) -> Feedback:
    if not answered:
        first = max(rubric.concepts, key=lambda c: c.weight)
        return Feedback(
            summary="No answer given.",
            strengths=(),
            missing=tuple(f"{c.label}: {c.statement}" for c in rubric.concepts),
            corrections=(),
            follow_up=first.follow_up,
            next_time=f"Start with the core idea: {first.statement}",
        )
    covered = [c for c in concepts if c.status == "covered"]
    partial = [c for c in concepts if c.status == "partial"]
    missed = [c for c in concepts if c.status == "missed"]
    strengths = tuple(f"{c.label}: you said {quote(c.evidence.text)}" for c in covered if c.evidence)
    missing = []
    for c in partial:
        if not c.explained:
            missing.append(f"{c.label} (named but not explained{': ' + quote(c.evidence.text) if c.evidence else ''}): "
                           f"say what it means and why it matters. {c.statement}")
        else:
            missing.append(f"{c.label} (only touched on{': ' + quote(c.evidence.text) if c.evidence else ''}): {c.statement}")
    for c in missed:
        if c.untold:
            missing.append(f"{c.label} (you said what you would do, usually do, or what “we” did: tell what you did, "
                           f"in one real situation): {c.statement}")
        else:
            missing.append(f"{c.label}: {c.statement}")
    corrections = tuple(
        f"You said {quote(m.evidence.text) if m.evidence else repr(m.claim)}, but {lower_first(m.correction)}"
        + (f" (−{m.points_off:.1f} points)" if m.points_off else "")
        for m in misconceptions
    )
    gaps = sorted(missed + partial, key=lambda c: (-c.weight, c.status == "partial"))
    follow_up = gaps[0].follow_up if gaps else None
    n = len(concepts)
    summary = f"{_band(score)}: {score:.1f}/10. You covered {len(covered)} of {n} key point{'' if n == 1 else 's'}"
    summary += f" and touched on {len(partial)} more." if partial else "."
    if misconceptions:
        summary += f" {len(misconceptions)} claim{'s were' if len(misconceptions) > 1 else ' was'} wrong."
    if breakdown is not None and breakdown.cap is not None:
        summary += f" The score is capped at {breakdown.cap:.1f}: {breakdown.cap_reason}."
    if relevance is not None and not relevance.on_topic:
        summary = f"Off-topic: {relevance.reason}. " + summary
    named_only = [c for c in partial if not c.explained]
    if relevance is not None and not relevance.on_topic:
        next_time = "Next time, answer the question that was asked: start from its core idea."
    elif len(named_only) >= 2 and len(named_only) >= len(covered):
        next_time = "Next time, explain the terms you name: what each one is and why it matters here."
    elif gaps:
        # The points by their labels, as the checklist shows them: a label may be a noun phrase ("What power
        # depends on") or a claim ("Bonferroni is conservative"), and quoted either reads as a sentence.
        names = [f"“{c.label}”" for c in gaps[:3]]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        next_time = f"Next time, {'also ' if covered else ''}cover {listed}."  # "also" only beside what was covered
    elif misconceptions:
        next_time = "Next time, keep the content and drop the wrong claim."
    elif any(c.experience is not None for c in rubric.concepts):  # a story question: the story is the example
        next_time = "Next time, keep it this complete: one real story, your own actions, a result you can measure."
    else:
        next_time = "Next time, keep it this complete and add a concrete example from your own work."
    return Feedback(summary, strengths, tuple(missing), corrections, follow_up, next_time)
