"""One graded answer, explained: score, key points covered (in the candidate's words), partly covered and
missed (with what the model answer says), wrong claims with the correct statement, and delivery for a
spoken answer. Rendered as Rich text in one scrollable static; rubric and answer text go in ``printable`` and
as plain text, never as markup."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from interviewer.display import printable
from interviewer.scoring.feedback import quote
from interviewer.scoring.result import Grade

_MARK = {"covered": ("✔", "green"), "partial": ("◐", "yellow"), "missed": ("✘", "red")}


def _score_style(score: float) -> str:
    return "bold green" if score >= 7 else "bold yellow" if score >= 4 else "bold red"


def grade_text(grade: Grade, delivery: dict[str, Any] | None = None) -> Text:
    out = Text()
    out.append(f"Score {grade.score:.1f} / {grade.max_score:.0f}", style=_score_style(grade.score))
    out.append(f"   {printable(grade.feedback.summary)}\n")
    if grade.breakdown is not None:
        from interviewer.session.advice import explain_breakdown

        out.append(f"How: {explain_breakdown(grade)}\n", style="dim")
    for warning in grade.warnings:
        out.append(f"warning: {printable(warning)}\n", style="yellow")
    for status, heading in (("covered", "Covered"), ("partial", "Partly covered"), ("missed", "Missed")):
        concepts = [c for c in grade.concepts if c.status == status]
        if not concepts:
            continue
        out.append(f"\n{heading}\n", style="bold")
        mark, colour = _MARK[status]
        for concept in concepts:
            out.append(f" {mark} ", style=colour)
            out.append(printable(concept.label))
            if concept.contradicted:
                out.append(" [you said the opposite]", style="red")
            elif status == "partial" and not concept.explained:
                out.append(" [named, not explained]", style="yellow")
            out.append("\n")
            if concept.evidence and status != "missed":
                out.append(f"   you said: {printable(quote(concept.evidence.text, 140))}\n", style="italic")
            if status != "covered":
                out.append(f"   model answer: {printable(concept.statement)}\n", style="dim")
    if grade.misconceptions:
        out.append("\nWrong claims\n", style="bold red")
        for hit in grade.misconceptions:
            words = f" (you said: {quote(hit.evidence.text, 100)})" if hit.evidence else ""
            cost = f" (−{hit.points_off:.1f} points)" if hit.points_off else ""
            out.append(printable(f" ✘ {hit.claim}{words}{cost}\n"), style="red")
            out.append(printable(f"   → {hit.correction}\n"), style="green")
    if delivery:
        out.append("\n")
        out.append_text(delivery_text(delivery))
    out.append(f"\n{printable(grade.feedback.next_time)}\n", style="italic")
    return out


def delivery_text(delivery: dict[str, Any]) -> Text:
    """The delivery section from ``Delivery.to_dict()`` (as stored with the answer)."""
    out = Text("Delivery\n", style="bold")
    if not delivery.get("word_count"):
        for suggestion in delivery.get("suggestions", ()):
            out.append(f" → {suggestion}\n")
        return out
    wpm = delivery.get("words_per_minute")
    pace = f"{wpm:.0f} words/min ({delivery.get('pace')})" if wpm is not None else "too short to measure"
    out.append(f" Pace: {pace}; {delivery['word_count']} words in {delivery.get('speaking_seconds', 0):.1f} s\n")
    fillers = ", ".join(f"{f['filler']} ×{f['count']}" for f in delivery.get("fillers", ())) or "none heard"
    out.append(f" Fillers: {fillers}\n")
    pauses = delivery.get("pauses", ())
    out.append(f" Long pauses: {len(pauses)}" + (f" (longest {delivery.get('longest_pause', 0):.1f} s)" if pauses
                                                  else "") + "\n")
    for suggestion in delivery.get("suggestions", ()):
        out.append(f" → {suggestion}\n")
    return out


class GradeView(Static):
    """A grade, explained."""

    def __init__(self, grade: Grade, delivery: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(grade_text(grade, delivery), **kwargs)
