"""What a report says, independent of its format: built from a stored session or from grade-batch output.

Every writer (Markdown, HTML, JSON) reads only these frozen dataclasses, so the three formats always agree.
Grades are kept as the plain dicts ``Grade.to_dict()`` produces (that is how the store and grade-batch keep
them); the helpers here pick out what a reader needs: concepts covered with the candidate's own words as
evidence, concepts missed with what the model answer says, wrong claims with their corrections.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from interviewer.rubrics.loader import Bank
from interviewer.scoring.result import key_point_note
from interviewer.session import advice
from interviewer.display import clip, plural
from interviewer.session.round import bank_label
from interviewer.store import AnswerRecord, SessionRecord

@dataclass(frozen=True)
class ConceptLine:
    concept_id: str
    label: str
    status: str
    """"covered", "partial" or "missed"."""
    weight: float
    evidence: str | None
    """The candidate's own words that cover it (None when missed)."""
    statement: str
    """What the model answer says about it."""
    note: str = ""
    """``result.key_point_note`` ("said the opposite", "named, not explained", ``result.UNTOLD``), "recovered in
    follow-up", or ""."""
    recovered: bool = False
    """Not covered in the answer, but covered in its follow-up: not practised next."""

    @property
    def mark(self) -> str:
        return advice.STATUS_MARKS.get("recovered" if self.recovered else self.status, "?")


@dataclass(frozen=True)
class WrongClaim:
    claim: str
    correction: str
    evidence: str | None
    points_off: float = 0.0
    """What the claim cost in the score (0 for grades made before deductions were shown)."""


@dataclass(frozen=True)
class FollowUpLine:
    question: str
    answer: str
    score: float | None


@dataclass(frozen=True)
class DeliveryLine:
    words_per_minute: float | None
    pace: str
    fillers: tuple[tuple[str, int], ...]
    fillers_per_100_words: float
    long_pauses: int
    longest_pause: float
    suggestions: tuple[str, ...]


@dataclass(frozen=True)
class ReportItem:
    """One question and what became of its answer."""

    number: int
    label: str
    """A short name for charts: the question's text (cut) in a session, a batch record's id or rubric id."""
    rubric_id: str
    question: str
    answer: str | None
    """The answer text (for a spoken answer: its transcript as submitted); None when not answered."""
    mode: str = "typed"
    audio_path: str | None = None
    score: float | None = None
    max_score: float = 10.0
    summary: str = ""
    concepts: tuple[ConceptLine, ...] = ()
    wrong_claims: tuple[WrongClaim, ...] = ()
    follow_ups: tuple[FollowUpLine, ...] = ()
    delivery: DeliveryLine | None = None
    model_answer: str | None = None
    next_time: str = ""
    warnings: tuple[str, ...] = ()
    seconds: float | None = None
    bank: str = ""
    """The name of the question's bank: with ``rubric_id``, secondary detail."""
    candidate: str = ""
    """Whose answer it is (a batch line's ``candidate``); empty in a session's report, which is one person's."""

    @property
    def detail(self) -> str:
        """Where the question comes from, shown after it: "statistics · stat01" (or the id alone)."""
        return " · ".join(x for x in (self.bank, self.rubric_id) if x)

    @property
    def covered(self) -> tuple[ConceptLine, ...]:
        return tuple(c for c in self.concepts if c.status == "covered")

    @property
    def partial(self) -> tuple[ConceptLine, ...]:
        """Partly covered and not recovered in a follow-up."""
        return tuple(c for c in self.concepts if c.status == "partial" and not c.recovered)

    @property
    def missed(self) -> tuple[ConceptLine, ...]:
        """Missed and not recovered in a follow-up."""
        return tuple(c for c in self.concepts if c.status == "missed" and not c.recovered)

    @property
    def recovered(self) -> tuple[ConceptLine, ...]:
        return tuple(c for c in self.concepts if c.recovered)

    @property
    def covered_count(self) -> str:
        """The summary table's "covered" cell: points covered in the answer, plus those its follow-ups recovered
        ("4 + 1 in follow-up"), so covered, partial and missed add up to the question's points."""
        return f"{len(self.covered)}" + (f" + {len(self.recovered)} in follow-up" if self.recovered else "")

    def coverage(self) -> tuple[float, float, float]:
        """Shares of the concept weight (covered, partial, missed), summing to 1; zeros when not graded."""
        total = sum(c.weight for c in self.concepts)
        if not total:
            return 0.0, 0.0, 0.0
        return tuple(sum(c.weight for c in self.concepts if c.status == s) / total  # type: ignore[return-value]
                     for s in ("covered", "partial", "missed"))


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    """When and what: "Session 3 · 2026-11-28 12:47 · typed · bundled bank"."""
    items: tuple[ReportItem, ...]
    mean: float | None
    answered: int
    graded: int
    practise_next: tuple[str, ...]
    strongest: tuple[str, ...]
    kind: str = "session"
    """"session" or "batch"."""
    meta: dict[str, Any] = field(default_factory=dict)
    """Session id, dates, mode, bank (or the batch file): copied into the JSON report."""
    candidate_means: tuple[CandidateMean, ...] = ()
    """A batch whose lines name two or more candidates: each one's mean score (else empty)."""

    def counts(self) -> list[str]:
        """How many items, answered and graded: ["5 answers"] when every one was answered and graded, else
        ["2 graded of 3 answered", "4 questions"] (a session left unfinished)."""
        total = plural(len(self.items), "question" if self.kind == "session" else "answer")
        if self.graded == self.answered == len(self.items):
            return [total]
        return [f"{self.graded} graded of {self.answered} answered", total]

    def candidate_means_text(self) -> str:
        """"alice 6.4 (3 answers), bob 0.0 (3 answers)": the per-candidate means in one line ("" when none)."""
        return ", ".join(f"{c.candidate} {'–' if c.mean is None else f'{c.mean:.1f}'} ({plural(c.answers, 'answer')})"
                         for c in self.candidate_means)


@dataclass(frozen=True)
class CandidateMean:
    candidate: str
    """The lines' ``candidate`` ("(no candidate)" for lines naming none)."""
    mean: float | None
    answers: int


# -- from grade dicts ----------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _evidence(value: Any) -> str | None:
    if isinstance(value, Mapping) and value.get("text"):
        return str(value["text"])
    return None


def concept_lines(grade: Mapping[str, Any], recovered: frozenset[str] = frozenset()) -> tuple[ConceptLine, ...]:
    """The concepts of a grade dict; those in ``recovered`` (ids covered in a follow-up) are marked so."""
    lines = []
    for c in grade.get("concepts") or ():
        status = str(c.get("status", "missed"))
        back = advice.status_after_follow_up(_text(c.get("concept_id")), status, recovered) == "recovered"
        note = advice.RECOVERED if back else key_point_note(status, contradicted=bool(c.get("contradicted")),
                                                            explained=c.get("explained") is not False,
                                                            untold=bool(c.get("untold")))
        lines.append(ConceptLine(_text(c.get("concept_id")), _text(c.get("label") or c.get("concept_id")), status,
                                 float(c.get("weight") or 1.0),
                                 _evidence(c.get("evidence")) if status != "missed" else None,
                                 _text(c.get("statement")), note, back))
    return tuple(lines)


def wrong_claims(grade: Mapping[str, Any]) -> tuple[WrongClaim, ...]:
    return tuple(WrongClaim(_text(m.get("claim")), _text(m.get("correction")), _evidence(m.get("evidence")),
                            _points(m.get("points_off")))
                 for m in grade.get("misconceptions") or ())


def _points(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 10 else 0.0


def delivery_line(delivery: Mapping[str, Any] | None) -> DeliveryLine | None:
    if not delivery or not delivery.get("word_count"):
        return None
    wpm = delivery.get("words_per_minute")
    return DeliveryLine(None if wpm is None else float(wpm), _text(delivery.get("pace") or "unknown"),
                        tuple((_text(f.get("filler")), int(f.get("count", 0))) for f in delivery.get("fillers") or ()),
                        float(delivery.get("fillers_per_100_words") or 0.0), len(delivery.get("pauses") or ()),
                        float(delivery.get("longest_pause") or 0.0), tuple(map(_text, delivery.get("suggestions") or ())))


def item_from_grade(number: int, label: str, question: str, answer: str | None, grade: Mapping[str, Any] | None,
                    recovered: frozenset[str] = frozenset(), **extra: Any) -> ReportItem:
    """A report item from a question, its answer and its grade dict (None when not graded); ``recovered``:
    the ids of concepts covered in a follow-up."""
    if grade is None:
        return ReportItem(number, label, extra.pop("rubric_id", label), question, answer, **extra)
    feedback = grade.get("feedback") or {}
    return ReportItem(
        number, label, extra.pop("rubric_id", _text(grade.get("rubric_id")) or label), question, answer,
        score=float(grade["score"]), max_score=float(grade.get("max_score") or 10.0),
        summary=_text(feedback.get("summary")), concepts=concept_lines(grade, recovered), wrong_claims=wrong_claims(grade),
        next_time=_text(feedback.get("next_time")), warnings=tuple(map(_text, grade.get("warnings") or ())), **extra)


def practise_next(items: Iterable[ReportItem]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(what to practise next, strongest points) of the graded items, by ``advice.practise_next``."""
    return advice.practise_next(
        advice.GradedAnswer(i.rubric_id, i.question, i.score, tuple(c.label for c in i.covered),
                            tuple((c.label, c.weight) for c in i.missed), tuple(c.label for c in i.recovered))
        for i in items if i.score is not None)


def _mean(items: Iterable[ReportItem]) -> float | None:
    scores = [i.score for i in items if i.score is not None]
    return round(sum(scores) / len(scores), 1) if scores else None


def distinct_labels(questions: Sequence[str], width: int = 40) -> list[str]:
    """Short chart labels for questions: each cut to ``width``, after the words all of them open with ("Tell me
    about a time you" in a behavioural round), so the labels tell the questions apart ("…had to learn something
    new…", not "Tell me about…" for each)."""
    split = [q.split() for q in questions]
    shared = 0
    if len(split) > 1:
        shortest = min(len(words) for words in split)
        while shared < shortest - 1 and len({words[shared].lower() for words in split}) == 1:
            shared += 1
    if shared < 3:  # "What is …": short enough to keep
        return [clip(q, width) for q in questions]
    return ["…" + clip(" ".join(words[shared:]), width - 1) for words in split]


# -- from a stored session -----------------------------------------------------------------------------
def session_report(record: SessionRecord, bank: Bank | None = None) -> Report:
    """The report of a stored session. ``bank`` (when its rubrics are there) supplies the model answers; a
    question is looked up in it by (bank name, id), so another bank's question of the same id is not used."""
    bank_name = bank_label(record.bank)
    if bank is not None and bank.name != bank_name:
        bank = None if not any(q.rubric_id in bank and bank[q.rubric_id].question == q.question
                               for q in record.questions) else bank
    items = []
    labels = distinct_labels([q.question for q in record.questions])
    for q, label in zip(record.questions, labels, strict=True):
        answer: AnswerRecord | None = q.answer
        rubric = bank[q.rubric_id] if bank is not None and q.rubric_id in bank else None
        if rubric is not None and bank is not None and bank.name != bank_name and rubric.question != q.question:
            rubric = None  # another bank's question that has the same id
        extra: dict[str, Any] = {"recovered": advice.recovered((f.concept_id, f.grade) for f in answer.follow_ups)
                                 if answer is not None else frozenset(), "rubric_id": q.rubric_id, "bank": (answer.bank if answer else None) or bank_name,
                                 "model_answer": rubric.model_answer.strip() if rubric is not None else None}
        if answer is not None:
            extra.update(mode=answer.mode, audio_path=answer.audio_path, delivery=delivery_line(answer.delivery),
                         seconds=answer.seconds,
                         follow_ups=tuple(FollowUpLine(f.question, f.text, f.score) for f in answer.follow_ups))
        items.append(item_from_grade(q.position, label, q.question, None if answer is None else answer.text,
                                     None if answer is None or answer.grade is None else answer.grade.to_dict(),
                                     **extra))
    practise, strongest = practise_next(items)
    started = record.started_at.replace("T", " ")[:16]
    status = "finished" if record.finished_at else "unfinished"
    return Report(
        title=f"Interview practice: session {record.id}",
        subtitle=f"{started} · {record.mode} answers · bank {bank_name} · {status}",
        items=tuple(items), mean=_mean(items), answered=sum(i.answer is not None for i in items),
        graded=sum(i.score is not None for i in items), practise_next=practise, strongest=strongest,
        meta={"session": record.id, "started_at": record.started_at, "finished_at": record.finished_at,
              "mode": record.mode, "bank": bank_name, "timed": record.timed})


def next_time_parts(text: str) -> tuple[str, str]:
    """(label, rest) for a "Next time" line: the grader's own "Next time, also cover …" keeps its words
    ("Next time," then the rest), anything else gets the label "Next time:" (never "Next time: Next time,")."""
    if text[:10].lower() == "next time,":
        return text[:10], text[10:].lstrip()
    return "Next time:", text
