"""One graded answer, explained: score, key points covered (in the candidate's words), partly covered and
missed (with what the model answer says), wrong claims with the correct statement, and delivery for a
spoken answer. Rendered as Rich renderables in one scrollable static; rubric and answer text go in
``printable`` and as plain text, never as markup.

Every bulleted line is a one-row grid (mark | text), so a line that wraps continues under its text, not at
column 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from interviewer.display import printable
from interviewer.scoring.feedback import quote
from interviewer.scoring.result import OPPOSITE, Grade, key_point_note
from interviewer.session.round import FollowUp

_MARK = {"covered": ("✔", "green"), "partial": ("◐", "yellow"), "missed": ("✘", "red")}


def _score_style(score: float) -> str:
    return "bold green" if score >= 7 else "bold yellow" if score >= 4 else "bold red"


def hanging(prefix: str | Text, body: str | Text, style: str = "") -> Table:
    """``prefix`` then ``body``; when ``body`` wraps, it continues under itself (a hanging indent)."""
    head = Text(prefix, style=style) if isinstance(prefix, str) else prefix
    grid = Table.grid(padding=0)
    grid.add_column(width=cell_len(head.plain), no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(head, Text(body, style=style) if isinstance(body, str) else body)
    return grid


def grade_text(grade: Grade, delivery: dict[str, Any] | None = None) -> Group:
    parts: list[RenderableType] = []
    score = Text(f"Score {grade.score:.1f} / {grade.max_score:.0f}   ", style=_score_style(grade.score))
    parts.append(hanging(score, printable(grade.feedback.summary)))
    if grade.breakdown is not None:
        from interviewer.session.advice import explain_breakdown

        parts.append(Text(f"How: {explain_breakdown(grade)}", style="dim"))
    parts.extend(Text(f"warning: {printable(w)}", style="yellow") for w in grade.unsaid_warnings)
    for status, heading in (("covered", "Covered"), ("partial", "Partly covered"), ("missed", "Missed")):
        concepts = [c for c in grade.concepts if c.status == status]
        if not concepts:
            continue
        parts.append(Text(f"\n{heading}", style="bold"))
        mark, colour = _MARK[status]
        for concept in concepts:
            label = Text(printable(concept.label))
            note = key_point_note(status, contradicted=concept.contradicted, explained=concept.explained,
                                  untold=concept.untold)
            if note:
                label.append(f" [{note}]", style="red" if note == OPPOSITE else "yellow")
            parts.append(hanging(Text(f" {mark} ", style=colour), label))
            if concept.evidence and status != "missed":
                parts.append(hanging("   ", printable(f"you said: {quote(concept.evidence.text, 140)}"), "italic"))
            if status != "covered":
                parts.append(hanging("   ", printable(f"model answer: {concept.statement}"), "dim"))
    if grade.misconceptions:
        parts.append(Text("\nWrong claims", style="bold red"))
        for hit in grade.misconceptions:
            words = f" (you said: {quote(hit.evidence.text, 100)})" if hit.evidence else ""
            cost = f" (−{hit.points_off:.1f} points)" if hit.points_off else ""
            parts.append(hanging(" ✘ ", printable(f"{hit.claim}{words}{cost}"), "red"))
            parts.append(hanging("   → ", printable(hit.correction), "green"))
    if delivery:
        parts.append(Text(""))
        parts.append(delivery_text(delivery))
    parts.append(Text(f"\n{printable(grade.feedback.next_time)}", style="italic"))
    return Group(*parts)


def _suggestions(suggestions: Iterable[str]) -> list[RenderableType]:
    return [hanging(" → ", printable(s)) for s in suggestions]


def delivery_text(delivery: dict[str, Any]) -> Group:
    """The delivery section from ``Delivery.to_dict()`` (as stored with the answer)."""
    parts: list[RenderableType] = [Text("Delivery", style="bold")]
    if not delivery.get("word_count"):
        return Group(*parts, *_suggestions(delivery.get("suggestions", ())))
    wpm = delivery.get("words_per_minute")
    pace = f"{wpm:.0f} words/min ({delivery.get('pace')})" if wpm is not None else "too short to measure"
    parts.append(hanging(" ", f"Pace: {pace}; {delivery['word_count']} words in "
                              f"{delivery.get('speaking_seconds', 0):.1f} s"))
    fillers = ", ".join(f"{f['filler']} ×{f['count']}" for f in delivery.get("fillers", ())) or "none heard"
    parts.append(hanging(" ", printable(f"Fillers: {fillers}")))
    pauses = delivery.get("pauses", ())
    longest = f" (longest {delivery.get('longest_pause', 0):.1f} s)" if pauses else ""
    parts.append(hanging(" ", f"Long pauses: {len(pauses)}{longest}"))
    return Group(*parts, *_suggestions(delivery.get("suggestions", ())))


def follow_ups_text(follow_ups: Sequence[FollowUp]) -> Group:
    """The follow-ups answered after this question: each question, what was said, and its one-line verdict."""
    parts: list[RenderableType] = []
    for follow in follow_ups:
        score = follow.grade.score if follow.grade is not None else None
        shown = f"{score:.1f}/10" if score is not None else "not graded"
        parts.append(hanging(f"Follow-up ({shown}): ", printable(follow.question)))
        parts.append(hanging("   ", printable(f"you said: {' '.join(follow.answer.split())}")))
        if follow.grade is not None and follow.grade.feedback.summary:
            parts.append(hanging("   ", printable(follow.grade.feedback.summary)))
    return Group(*parts)


class GradeView(Static):
    """A grade, explained."""

    def __init__(self, grade: Grade, delivery: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(grade_text(grade, delivery), **kwargs)
