"""A coach's report from ``grade-batch`` output: every graded line of OUT.jsonl as one report item.

Each line is the input record plus ``predicted_score`` and ``grade`` (``Grade.to_dict()``). A line that is
not such a record is refused with ``FILE:LINE: what is wrong``: a report that silently left answers out
would mislead the coach reading it, so nothing is written until every line reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interviewer.errors import InputError
from interviewer.reports.model import CandidateMean, Report, ReportItem, _mean, item_from_grade, practise_next
from interviewer.rubrics.banks import NamedBanks
from interviewer.rubrics.loader import Bank
from interviewer.scoring.batch import LineError, read_jsonl
from interviewer.store.db import grade_problem

LABEL_FIELDS = ("id", "candidate", "answer_id")  # a record's own name for charts, if it has one


def read_batch(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) for every non-blank line; the first bad line is an InputError ``FILE:LINE: …``.

    Lines are read by grade-batch's own reader; unlike grade-batch, a bad line stops the report."""
    records = []
    for number, record in read_jsonl(path):
        where = f"{path}:{number}"
        if isinstance(record, LineError):
            raise InputError(f"{where}: {record.message}")
        if "grade" not in record:
            raise InputError(f"{where}: no field 'grade': is this grade-batch output (`interviewer grade-batch IN -o OUT`)?")
        problem = grade_problem(record["grade"])
        if problem is None and not isinstance(record.get("answer", ""), str):
            problem = "field 'answer': expected the answer text (string)"
        if problem:
            raise InputError(f"{where}: {problem}")
        records.append((number, record))
    if not records:
        raise InputError(f"{path}: no graded lines")
    return records


def batch_report(path: Path, bank: Bank | None = None) -> Report:
    """One report of every line of a grade-batch output file."""
    items = []
    banks = NamedBanks()
    for number, (line, record) in enumerate(read_batch(path), start=1):
        grade = record["grade"]
        rubric_id = str(grade.get("rubric_id") or record.get("rubric") or record.get("question_id") or f"line {line}")
        candidate = str(record.get("candidate") or "").strip()
        label = next((str(record[f]) for f in LABEL_FIELDS if record.get(f) not in (None, "")), rubric_id)
        if candidate and label != candidate:
            label = f"{candidate} · {label}"  # a coach reads whose answer it is, not an id alone
        named = record.get("bank")
        own = _line_bank(named, banks) if named is not None else bank
        model_answer = record.get("reference_answer")
        if not isinstance(model_answer, str) or not model_answer.strip():
            model_answer = own[rubric_id].model_answer.strip() if own is not None and rubric_id in own else None
        bank_name = own.name if own is not None else (named if isinstance(named, str) else "")
        question = str(grade.get("question") or record.get("question") or "")
        items.append(item_from_grade(number, label, question, record.get("answer", ""), grade, rubric_id=rubric_id,
                                     model_answer=model_answer, bank=bank_name, candidate=candidate))
    groups = by_candidate(items)
    practise, strongest = advice_by_candidate(items, groups)
    return Report(title=f"Graded answers: {path.name}", subtitle=f"{len(items)} answers from {path}",
                  items=tuple(items), mean=_mean(items), answered=len(items), graded=len(items),
                  practise_next=practise, strongest=strongest, kind="batch", meta={"source": str(path)},
                  candidate_means=means_by_candidate(groups))


Groups = list[tuple[str, list[ReportItem]]]


def by_candidate(items: list[ReportItem]) -> Groups | None:
    """The items of each candidate, in the order they first appear ("(no candidate)" for lines naming none), when
    the lines name two or more (``candidate``); None when they do not (the batch is then one group)."""
    names = list(dict.fromkeys(item.candidate for item in items))
    if len([n for n in names if n]) < 2:
        return None
    return [(name or "(no candidate)", [item for item in items if item.candidate == name]) for name in names]


def means_by_candidate(groups: Groups | None) -> tuple[CandidateMean, ...]:
    """Each candidate's mean score (``by_candidate``: a coach grading a class compares students, not the class's
    mean alone); none when the lines do not name two or more."""
    return tuple(CandidateMean(who, _mean(mine), len(mine)) for who, mine in groups or ())


def _line_bank(name: object, banks: NamedBanks) -> Bank | None:
    """The bank a graded line names (``bank``, as grade-batch read it), for its model answer; None when it no
    longer loads (the report then shows the answer without one)."""
    if not isinstance(name, str):
        return None
    try:
        return banks[name]
    except InputError:
        return None


def advice_by_candidate(items: list[ReportItem], groups: Groups | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What to practise next and the strongest points: of each candidate apart (``by_candidate``; each entry then
    starts with the name), else of all the answers: one person's misses next to another's strengths would tell a
    coach nothing."""
    if groups is None:
        return practise_next(items)
    practise: list[str] = []
    strongest: list[str] = []
    for who, mine in groups:
        weak, strong = practise_next(mine)
        practise += [f"{who}: {entry}" for entry in weak]
        strongest += [f"{who}: {entry}" for entry in strong]
    return tuple(practise), tuple(strongest)
