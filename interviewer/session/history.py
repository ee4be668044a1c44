"""Progress across sessions: the sessions with their mean scores and trend, each concept's record, and
the drill (the questions with the lowest recent scores, and the concepts they missed).

Domain code over the session store: no Textual, no torch. The CLI prints these; the app can chart them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from interviewer.errors import InputError
from interviewer.rubrics.banks import bank_argument
from interviewer.rubrics.loader import Bank
from interviewer.rubrics.model import Rubric
from interviewer.session.advice import status_after_follow_up
from interviewer.store import AnsweredQuestion, Store

RECENT = 2  # a question's "recent score" is the mean of its last this-many graded answers
CREDIT = {"covered": 1.0, "recovered": 0.75, "partial": 0.5, "missed": 0.0}
"""What a status counts for in a concept's recent record: one recovered in a follow-up counts, but needing the
prompt is less than saying it unasked."""
SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class SessionLine:
    id: int
    started_at: str
    mode: str
    asked: int
    answered: int
    mean: float | None
    change: float | None
    """Mean minus the mean of the previous session of the same bank that had one (None for a bank's first:
    a behavioural round's mean says nothing about a statistics round's)."""
    finished: bool
    bank: str = ""
    """The name of the session's bank."""


@dataclass(frozen=True)
class ConceptProgress:
    rubric_id: str
    concept_id: str
    label: str
    statuses: tuple[str, ...]
    """One status per graded answer to its question, oldest first."""
    bank: str = ""
    """The name of the question's bank: ids repeat across banks, so (bank, rubric id) names a question."""
    question: str = ""
    """The question's text, as asked."""

    @property
    def recent_credit(self) -> float:
        recent = self.statuses[-RECENT:]
        return sum(CREDIT.get(s, 0.0) for s in recent) / len(recent)

    @property
    def covered(self) -> int:
        return sum(s == "covered" for s in self.statuses)

    @property
    def recovered(self) -> int:
        """Answers that missed it and whose follow-up covered it."""
        return sum(s == "recovered" for s in self.statuses)

    def tally(self) -> str:
        """ "1/3", or "1/3 +1↻" when follow-ups covered it in more answers."""
        return f"{self.covered}/{len(self.statuses)}" + (f" +{self.recovered}↻" if self.recovered else "")


@dataclass(frozen=True)
class DrillPick:
    rubric: Rubric
    recent_score: float
    attempts: int
    weak_concepts: tuple[str, ...]
    """Labels of the concepts missed (then partial) in the latest answer, the heaviest first; not those
    recovered in its follow-up."""


def session_lines(store: Store, limit: int | None = None) -> list[SessionLine]:
    """Sessions oldest first (the last ``limit`` of them), each with its change of mean score."""
    from interviewer.session.round import bank_label

    lines: list[SessionLine] = []
    previous: dict[str, float] = {}  # per bank, by the name the user sees (as ``bank_trends``): its last mean
    names: dict[str, str] = {}
    for s in reversed(store.sessions()):
        if s.bank not in names:
            names[s.bank] = bank_label(s.bank)
        name = names[s.bank]
        before = previous.get(name)
        change = None if s.mean_score is None or before is None else round(s.mean_score - before, 1)
        lines.append(SessionLine(s.id, s.started_at, s.mode, s.asked, s.answered, s.mean_score, change,
                                 s.finished_at is not None, name))
        if s.mean_score is not None:
            previous[name] = s.mean_score
    return lines[-limit:] if limit else lines


def trend_label(change: float | None) -> str:
    """A session's change of mean score against the one before: "↑ +1.2", "↓ -0.4", "= 0.0", or "" (first)."""
    if change is None:
        return ""
    if abs(change) < 0.05:
        return "= 0.0"
    return f"{'↑' if change > 0 else '↓'} {change:+.1f}"


def question_line(bank: str, question: str, rubric_id: str, width: int = 70) -> str:
    """How a question is named in history and drills: its text (cut with "…"), then the bank and the id as
    secondary detail: "What is a p-value?  (statistics · stat01)"."""
    from interviewer.display import clip

    detail = " · ".join(part for part in (bank, rubric_id) if part)
    return f"{clip(question, width) if question else rubric_id}  ({detail})"


def bank_trends(lines: Sequence[SessionLine]) -> list[tuple[str, list[float]]]:
    """Per bank (in the order each first appears), its sessions' mean scores oldest first, for banks with two
    or more: a trend is within one bank (a statistics round's mean says nothing about a behavioural one's)."""
    means: dict[str, list[float]] = {}
    for line in lines:
        if line.mean is not None:
            means.setdefault(line.bank, []).append(line.mean)
    return [(bank, values) for bank, values in means.items() if len(values) >= 2]


def sparkline(values: Sequence[float], low: float = 0.0, high: float = 10.0) -> str:
    """One block character per value, ``low``…``high`` mapped onto ▁…█."""
    span = (high - low) or 1.0
    return "".join(SPARKS[min(len(SPARKS) - 1, max(0, int((v - low) / span * len(SPARKS))))] for v in values)


def _graded(store: Store) -> list[AnsweredQuestion]:
    return [a for a in store.answered_questions() if a.grade is not None and a.score is not None]


def concept_progress(store: Store) -> list[ConceptProgress]:
    """Every concept ever graded, with its statuses over time; the weakest recently first. Questions are told
    apart by (bank, rubric id)."""
    statuses: dict[tuple[str, str, str], list[str]] = {}
    labels: dict[tuple[str, str, str], tuple[str, str]] = {}
    for answer in _graded(store):
        for concept in answer.grade.concepts if answer.grade is not None else ():
            key = (answer.bank or "", answer.rubric_id, str(concept.concept_id))
            statuses.setdefault(key, []).append(_status(concept, answer.recovered))
            labels[key] = (str(concept.label or key[2]), answer.question)
    progress = [ConceptProgress(r, c, labels[(b, r, c)][0], tuple(s), b, labels[(b, r, c)][1])
                for (b, r, c), s in statuses.items()]
    return sorted(progress, key=lambda p: (p.recent_credit, p.bank, p.rubric_id, p.concept_id))


def _status(concept: Any, recovered: tuple[str, ...]) -> str:
    """A concept's status in an answer, its follow-ups counted (``advice.status_after_follow_up``)."""
    return status_after_follow_up(str(concept.concept_id), str(concept.status), recovered)


def belongs_to(answer: AnsweredQuestion, bank: Bank) -> bool:
    """Is ``answer`` to one of ``bank``'s questions? Its (bank name, rubric id) is in the bank, or (an answer
    stored under another bank name, e.g. a renamed folder) its id is and the question's text is the same."""
    if answer.rubric_id not in bank:
        return False
    return answer.bank == bank.name or answer.question == bank[answer.rubric_id].question


def drill(store: Store, bank: Bank, count: int) -> list[DrillPick]:
    """The ``count`` questions of ``bank`` with the lowest recent scores, each naming its weak concepts.

    Only questions answered before can be chosen (there is nothing to drill on otherwise); an empty
    history is a one-line error saying to practise first.
    """
    if count <= 0:
        raise InputError(f"--count: expected a positive number, got {count}")
    by_rubric: dict[str, list[AnsweredQuestion]] = {}
    for answer in _graded(store):
        if belongs_to(answer, bank):
            by_rubric.setdefault(answer.rubric_id, []).append(answer)
    if not by_rubric:
        elsewhere = sorted({a.bank for a in _graded(store) if a.bank and a.bank != bank.name})
        hint = f" (you have graded answers in: {', '.join(elsewhere)}; add --bank NAME)" if elsewhere else ""
        raise InputError(f"nothing to drill yet in the bank '{bank.name}': no graded answers to its questions; "
                         f"`interviewer practice --bank {bank_argument(bank)}` first{hint}")
    picks = []
    for rubric_id, answers in by_rubric.items():
        recent = [float(a.score or 0.0) for a in answers[-RECENT:]]
        latest = answers[-1].grade
        recovered = answers[-1].recovered
        weak = sorted((c for c in (latest.concepts if latest is not None else ())
                       if _status(c, recovered) in ("missed", "partial")),
                      key=lambda c: (c.status != "missed", -float(c.weight or 1.0)))
        picks.append(DrillPick(bank[rubric_id], round(sum(recent) / len(recent), 1), len(answers),
                               tuple(str(c.label) for c in weak)))
    order = list(bank)
    picks.sort(key=lambda p: (p.recent_score, order.index(p.rubric.id)))
    return picks[:count]
