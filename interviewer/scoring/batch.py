"""Batch grading of JSONL records, for coaches and for evaluation on graded data.

Each input line is a JSON object with ``answer`` and one of: ``rubric`` (a bank id), ``question_id``
(used if it is a bank id), or ``reference_answer`` (with an optional ``question``), from which a rubric
is derived on the fly and cached per distinct reference. A line may name its own ``bank`` (a name or a
folder, as ``--bank`` takes): its ``rubric`` is looked up there and it is graded against that bank's
questions, so one file can hold a coach's whole round of practical-ML, statistics and behavioural answers.
A bad line is reported with its line number and skipped; the rest are still graded.
"""

from __future__ import annotations

import hashlib
import json
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from interviewer.errors import InputError
from interviewer.rubrics.banks import NamedBanks
from interviewer.rubrics.derive import QA, derive_rubric
from interviewer.rubrics.loader import Bank, parse_rubric
from interviewer.rubrics.model import Rubric
from interviewer.scoring.grader import Grader
from interviewer.textfile import MAX_ANSWER_BYTES, MIB, check_input_file, check_text, size_text

CHUNK = 32  # answers embedded per batched pass
MAX_JSONL_LINE_BYTES = 4 * MIB  # one input line: an answer (at most MAX_ANSWER_BYTES) and its references, many times over
UTF8_BOM = b"\xef\xbb\xbf"
MAX_JSON_DEPTH = 64  # lists and objects within each other on one line; real records nest 3 or 4 levels


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


def _lines(handle: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line, read at most ``MAX_JSONL_LINE_BYTES`` at a time; None for a longer
    line, whose rest is skipped unread into memory."""
    number = 0
    while True:
        raw = handle.readline(MAX_JSONL_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) <= MAX_JSONL_LINE_BYTES or raw.endswith(b"\n"):
            yield number, raw
            continue
        while raw and not raw.endswith(b"\n"):  # the rest of the long line
            raw = handle.readline(MAX_JSONL_LINE_BYTES)
        yield number, None


def _too_deep(value: Any) -> bool:
    """True if ``value`` nests lists and objects more than ``MAX_JSON_DEPTH`` levels (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def parse_line(raw: bytes | None) -> dict[str, Any] | str:
    """One JSONL line as a JSON object, or what is wrong with it (the message of a skipped line)."""
    if raw is None:
        return f"longer than {size_text(MAX_JSONL_LINE_BYTES)}, the limit for one line"
    try:
        line = raw.decode("utf-8").rstrip("\r\n")  # with its line break, json would place an error on "line 2"
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start})"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        what = exc.msg.removesuffix(" at")  # "Invalid control character at": the position follows
        if "control character" in what:
            what = ("a raw control character inside a string, such as a tab or line break (write them as \\t "
                    "and \\n), or a string left open")
        where = "at the end of the line" if exc.pos >= len(line.rstrip()) else f"at column {exc.colno}"
        return f"not valid JSON ({what} {where})"
    except RecursionError:
        return f"not usable JSON (nested more than {MAX_JSON_DEPTH} levels deep)"
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        return f"not usable JSON ({exc})"
    if not isinstance(record, dict):
        return "expected a JSON object"
    if _too_deep(record):
        return f"not usable JSON (nested more than {MAX_JSON_DEPTH} levels deep)"
    return record


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | LineError]]:
    """Yield (line number, record) for each non-blank line, or a LineError for a line that is not a usable JSON
    object (not UTF-8, not JSON, nested too deeply, longer than ``MAX_JSONL_LINE_BYTES``)."""
    check_input_file(path, "JSONL input")
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with handle:
        for number, raw in _lines(handle):
            if number == 1 and raw is not None and raw.startswith(UTF8_BOM):  # saved by an editor that adds one
                raw = raw[len(UTF8_BOM):]
            if raw is not None and not raw.strip():
                continue
            record = parse_line(raw)
            yield number, LineError(number, record) if isinstance(record, str) else record


def count_lines(path: Path) -> int | None:
    """How many non-blank lines ``path`` has (for a progress bar), reading no line whole into memory; None for a
    pipe, which can be read only once."""
    if stat.S_ISFIFO(check_input_file(path, "JSONL input").st_mode):
        return None
    try:
        with path.open("rb") as handle:
            return sum(1 for _, raw in _lines(handle) if raw is None or raw.strip())
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


class LineBanks:
    """The bank and grader for a record: the batch's own, or the bank its ``bank`` field names (each loaded
    once, its grader sharing the batch grader's models)."""

    def __init__(self, bank: Bank | None, grader: Grader) -> None:
        self.bank = bank
        self.grader = grader
        self._banks = NamedBanks()
        self._graders: dict[str, Grader] = {}

    def __call__(self, record: Mapping[str, Any]) -> tuple[Bank | None, Grader]:
        name = record.get("bank")
        if name is None:
            return self.bank, self.grader
        if not isinstance(name, str) or not name.strip():
            raise InputError("field 'bank': expected a bank name or folder (string)")
        try:
            bank = self._banks[name]
        except InputError as exc:
            raise InputError(f"field 'bank': {exc.message}") from None
        if name not in self._graders:
            same = self.bank is not None and bank.root == self.bank.root
            self._graders[name] = self.grader if same else self.grader.for_bank(bank)
        return bank, self._graders[name]


class RubricResolver:
    """Finds the rubric for a record: from the bank, or derived from its reference answer (cached)."""

    def __init__(self, bank: Bank | None, grader: Grader) -> None:
        self.bank = bank
        self.grader = grader
        self._derived: dict[str, Rubric] = {}

    def __call__(self, record: Mapping[str, Any], bank: Bank | None = None) -> tuple[Rubric, str]:
        """The rubric and the calibration profile to grade the record with (``bank``: the record's own, when it
        names one)."""
        rubric_id = record.get("rubric")
        if rubric_id is not None:
            if not isinstance(rubric_id, str):
                raise InputError("field 'rubric': expected a rubric id (string)")
            bank = bank if bank is not None else self.bank
            if bank is None:
                raise InputError("field 'rubric': no bank to look it up in")
            return bank[rubric_id], "rubric"
        question_id = record.get("question_id")
        bank = bank if bank is not None else self.bank
        if isinstance(question_id, str) and bank is not None and question_id in bank:
            return bank[question_id], "rubric"
        reference = record.get("reference_answer")
        if reference is not None and not (isinstance(reference, str) and reference.strip()):
            got = "empty text" if isinstance(reference, str) else type(reference).__name__
            raise InputError(f"field 'reference_answer': expected the reference answer text (non-empty), got {got}")
        if isinstance(reference, str) and reference.strip():
            question = record.get("question")
            alternatives = _alternatives(record)
            return self._derive(reference, question if isinstance(question, str) else "", alternatives), "reference"
        if question_id is not None and bank is not None:
            bank[str(question_id)]  # raises with the closest ids
        raise InputError("expected a field 'rubric' (bank id), 'question_id' (bank id) or 'reference_answer'")

    def _derive(self, reference: str, question: str, alternatives: list[str]) -> Rubric:
        key = hashlib.sha1("\x00".join([question, reference, *alternatives]).encode()).hexdigest()[:12]
        rubric = self._derived.get(key)
        if rubric is None:
            qa = QA(question.strip() or "(question not given)", reference.strip())
            data = derive_rubric(f"ref-{key}", qa, self.grader.embedder, alternatives=alternatives)
            rubric = parse_rubric(data, f"reference answer {key}")
            self._derived[key] = rubric
        return rubric


# SemEval-2013 reference categories that are complete correct answers (KEYWORD ones are not).
ACCEPTED_REFERENCE_CATEGORIES = ("BEST", "GOOD", "MINIMAL")


def _alternatives(record: Mapping[str, Any]) -> list[str]:
    """Other complete reference answers: ``reference_answers`` (strings), or SemEval's
    ``reference_answers_all`` (objects with ``category`` and ``text``), or ``reference_answers_best``."""
    plain = record.get("reference_answers")
    if isinstance(plain, list) and all(isinstance(a, str) for a in plain):
        return plain
    every = record.get("reference_answers_all")
    if isinstance(every, list) and all(isinstance(a, dict) for a in every):
        texts = [a.get("text") for a in every if a.get("category") in ACCEPTED_REFERENCE_CATEGORIES]
        return [t for t in texts if isinstance(t, str)]
    best = record.get("reference_answers_best")
    if isinstance(best, list) and all(isinstance(a, str) for a in best):
        return best
    return []


def _answer(record: Mapping[str, Any]) -> str:
    answer = record.get("answer")
    if not isinstance(answer, str):
        raise InputError("field 'answer': expected the answer text (string)")
    return check_text(answer, "field 'answer'", "answer", limit=MAX_ANSWER_BYTES)


def grade_records(
    records: Iterable[tuple[int, dict[str, Any] | LineError]],
    grader: Grader,
    bank: Bank | None,
) -> Iterator[tuple[int, dict[str, Any] | LineError]]:
    """Grade records in chunks; yield (line, record + ``predicted_score`` + ``grade``) or a LineError, in order."""
    resolve = RubricResolver(bank, grader)
    banks = LineBanks(bank, grader)
    pending: list[tuple[int, dict[str, Any], Rubric, str, str, Grader]] = []

    def flush() -> Iterator[tuple[int, dict[str, Any] | LineError]]:
        grades: dict[int, Any] = {}
        for by in {id(p[5]): p[5] for p in pending}.values():  # each bank's lines with its grader, in one pass
            mine = [i for i, p in enumerate(pending) if p[5] is by]
            graded = by.grade_many([(pending[i][2], pending[i][3]) for i in mine], [pending[i][4] for i in mine])
            grades.update(zip(mine, graded, strict=True))
        for i, (number, record, *_) in enumerate(pending):
            yield number, {**record, "predicted_score": grades[i].score, "grade": grades[i].to_dict()}
        pending.clear()

    for number, item in records:
        if isinstance(item, LineError):
            yield from flush()
            yield number, item
            continue
        try:
            answer = _answer(item)
            line_bank, line_grader = banks(item)
            rubric, profile = resolve(item, line_bank)
        except InputError as exc:
            yield from flush()
            yield number, LineError(number, exc.message)
            continue
        pending.append((number, item, rubric, answer, profile, line_grader))
        if len(pending) >= CHUNK:
            yield from flush()
    yield from flush()


# -- several processes (grade-batch --jobs) ---------------------------------------------------------------
_worker: dict[str, Any] = {}  # in each worker process: its grader and bank, or the error that stopped loading them


def _start_worker(make: Callable[[], Grader], bank: Bank | None, threads: int) -> None:
    from interviewer.scoring import onnx_models

    onnx_models.SESSION_THREADS = threads  # the cores are shared out between the workers
    _worker["bank"] = bank
    try:
        _worker["grader"] = make()
        if "torch" in sys.modules:  # inference = "torch"
            sys.modules["torch"].set_num_threads(threads)
    except Exception as exc:  # noqa: BLE001 - raised again, pickled, where the parent asks for the first chunk
        _worker["error"] = exc


def _grade_chunk(chunk: list[tuple[int, dict[str, Any] | LineError]]) -> list[tuple[int, dict[str, Any] | LineError]]:
    if "error" in _worker:
        raise _worker["error"]
    return list(grade_records(chunk, _worker["grader"], _worker["bank"]))


def grade_records_parallel(
    records: Iterable[tuple[int, dict[str, Any] | LineError]],
    make: Callable[[], Grader],
    bank: Bank | None,
    jobs: int,
) -> Iterator[tuple[int, dict[str, Any] | LineError]]:
    """``grade_records`` in ``jobs`` worker processes, each with its own grader from ``make()`` (called in the
    worker, after the fork: nothing is loaded twice in the parent) and ``cores // jobs`` inference threads.
    Chunks of ``CHUNK`` records go out in order and come back in order; at most ``2 × jobs`` chunks are in
    flight, so memory stays flat however long the input. The first error loading a model is raised here."""
    import multiprocessing
    import os
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    threads = max(1, (os.cpu_count() or 1) // jobs)
    # fork: the workers start from the parent's imports and settings (``make`` need not be picklable).
    context = multiprocessing.get_context("fork")
    pending: deque[Future[list[tuple[int, dict[str, Any] | LineError]]]] = deque()
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(make, bank, threads)) as pool:
        try:
            chunk: list[tuple[int, dict[str, Any] | LineError]] = []
            for item in records:
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    pending.append(pool.submit(_grade_chunk, chunk))
                    chunk = []
                    if len(pending) >= 2 * jobs:
                        yield from pending.popleft().result()
            if chunk:
                pending.append(pool.submit(_grade_chunk, chunk))
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
