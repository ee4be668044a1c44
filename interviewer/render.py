"""Plain-text rendering of grades for the terminal (the CLI and the plain practice round)."""

from __future__ import annotations

import textwrap

from interviewer.scoring.feedback import quote
from interviewer.scoring.result import Grade

WIDTH = 88
_MARK = {"covered": "✔", "partial": "◐", "missed": "✘"}


def _wrap(text: str, indent: str = "  ", width: int = WIDTH) -> str:
    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=indent, subsequent_indent=indent + "  ")


def render_grade(grade: Grade, *, show_model_answer: str | None = None) -> str:
    """A readable report of one grade: score, concepts with evidence, corrections, what to say next."""
    out = [f"Score: {grade.score:.1f} / {grade.max_score:.0f}   ({grade.rubric_id})", _wrap(grade.feedback.summary, "")]
    for warning in grade.warnings:
        out.append(_wrap(f"warning: {warning}", ""))
    out.append("")
    out.append("Key points:")
    for concept in grade.concepts:
        status = "said the opposite" if concept.contradicted else concept.status
        if concept.status == "partial" and not concept.explained:
            status = "named, not explained"
        line = f"{_MARK[concept.status]} {concept.label} [{status}]"
        if concept.evidence and concept.status != "missed":
            line += f": {quote(concept.evidence.text, 120)}"
        out.append(_wrap(line))
    if grade.feedback.corrections:
        out.append("")
        out.append("Wrong claims:")
        out.extend(_wrap(f"✘ {c}") for c in grade.feedback.corrections)
    if grade.feedback.missing:
        out.append("")
        out.append("What the model answer says that you did not:")
        out.extend(_wrap(f"- {m}") for m in grade.feedback.missing)
    out.append("")
    out.append(_wrap(grade.feedback.next_time, ""))
    if grade.feedback.follow_up:
        out.append(_wrap(f"Follow-up question: {grade.feedback.follow_up}", ""))
    if show_model_answer:
        out.append("")
        out.append("Model answer:")
        out.append(_wrap(show_model_answer))
    return "\n".join(out)
