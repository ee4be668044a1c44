"""Plain-text rendering for the terminal: grades (the CLI and the practice round), transcripts and delivery.

Each ``render_*`` returns ``printable`` text: rubric and answer text cannot send escape sequences to the terminal.
"""

from __future__ import annotations

import textwrap

from interviewer.display import printable
from interviewer.scoring.feedback import quote
from interviewer.scoring.result import UNTOLD, Grade, key_point_note
from interviewer.session.advice import STATUS_MARKS, explain_breakdown
from interviewer.speech.delivery import LONG_PAUSE_SECONDS, PACE_HIGH_WPM, PACE_LOW_WPM, Delivery
from interviewer.speech.transcript import Transcript

WIDTH = 88


def _wrap(text: str, indent: str = "  ", width: int = WIDTH) -> str:
    """A paragraph: every line at ``indent``."""
    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=indent, subsequent_indent=indent)


def _item(mark: str, text: str, indent: str = "  ", width: int = WIDTH) -> str:
    """A bulleted or labelled line: ``mark`` then ``text``; wrapped lines continue under the text (a hanging
    indent), not under the mark."""
    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=f"{indent}{mark} ",
                         subsequent_indent=indent + " " * (len(mark) + 1))


def render_grade(grade: Grade, *, show_model_answer: str | None = None) -> str:
    """A readable report of one grade: score, concepts with evidence, corrections, what to say next."""
    out = [f"Score: {grade.score:.1f} / {grade.max_score:.0f}   ({grade.rubric_id})", _wrap(grade.feedback.summary, "")]
    if grade.breakdown is not None:
        out.append(_item("How:", explain_breakdown(grade), ""))
    for warning in grade.unsaid_warnings:
        out.append(_item("warning:", warning, ""))
    out.append("")
    out.append("Key points:")
    for concept in grade.concepts:
        note = key_point_note(concept.status, contradicted=concept.contradicted, explained=concept.explained,
                              untold=concept.untold)
        status = f"missed: {note}" if note == UNTOLD else note or concept.status
        line = f"{concept.label} [{status}]"
        if concept.evidence and concept.status != "missed":
            line += f": {quote(concept.evidence.text, 120)}"
        out.append(_item(STATUS_MARKS[concept.status], line))
    if grade.feedback.corrections:
        out.append("")
        out.append("Wrong claims:")
        out.extend(_item("✘", c) for c in grade.feedback.corrections)
    if grade.feedback.missing:
        out.append("")
        out.append("What the model answer says that you did not:")
        out.extend(_item("-", m) for m in grade.feedback.missing)
    out.append("")
    out.append(_wrap(grade.feedback.next_time, ""))
    if grade.feedback.follow_up:
        out.append(_item("Follow-up question:", grade.feedback.follow_up, ""))
    if show_model_answer:
        out.append("")
        out.append("Model answer:")
        out.append(_wrap(show_model_answer))
    return printable("\n".join(out))


def _clock(seconds: float) -> str:
    """0:07.5 style time for transcripts and pauses."""
    minutes, rest = divmod(max(seconds, 0.0), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def render_transcript(transcript: Transcript, *, segments: bool = True) -> str:
    """The transcript text, then (optionally) each segment with its start and end time."""
    if transcript.no_speech:
        return f"(no speech detected in {transcript.duration:.1f} s of audio)"
    out = [_wrap(transcript.text, "")]
    if segments:
        out.append("")
        out.append(f"Segments ({transcript.language}, {transcript.duration:.1f} s of audio, {transcript.engine}):")
        out.extend(_item(f"[{_clock(s.start)}–{_clock(s.end)}]", s.text) for s in transcript.segments)
    return printable("\n".join(out))


def render_delivery(delivery: Delivery) -> str:
    """The "Delivery" section: pace, fillers, long pauses, and what to work on."""
    out = ["Delivery:"]
    if delivery.word_count == 0:
        out.extend(_item("-", s) for s in delivery.suggestions)
        return "\n".join(out)
    pace = (f"{delivery.words_per_minute:.0f} words/min ({delivery.pace}; conversation is {PACE_LOW_WPM}–{PACE_HIGH_WPM})"
            if delivery.words_per_minute is not None else "too short to measure")
    out.append(f"  Pace: {pace}; {delivery.word_count} words in {delivery.speaking_seconds:.1f} s of speaking")
    fillers = ", ".join(f"{f.filler} ×{f.count}" for f in delivery.fillers) or "none heard"
    out.append(_item("Fillers:", f"{fillers} ({delivery.fillers_per_100_words:.1f} per 100 words)"))
    if delivery.pauses:
        listed = ", ".join(f"{p.seconds:.1f} s at {_clock(p.start)}" for p in delivery.pauses[:5])
        more = f" and {len(delivery.pauses) - 5} more" if len(delivery.pauses) > 5 else ""
        out.append(_item(f"Long pauses (over {LONG_PAUSE_SECONDS:g} s):", f"{listed}{more}"))
    else:
        out.append(f"  Long pauses (over {LONG_PAUSE_SECONDS:g} s): none")
    out.extend(_item("→", s) for s in delivery.suggestions)
    out.extend(_item("note:", n) for n in delivery.notes)
    return printable("\n".join(out))
