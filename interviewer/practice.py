"""A plain terminal practice round: ask questions, read typed answers, grade them, summarise.

The embedding model loads in a background thread while the first question is on screen, so the
candidate can start typing at once. Each answer is appended to ``practice-log.jsonl`` in the user's
data folder (an ``answer`` event) before it is graded, so nothing typed is lost if grading fails; its
score follows as a ``grade`` event with the same session and turn.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from interviewer import locations
from interviewer.errors import InputError, InterviewerError
from interviewer.render import render_grade
from interviewer.rubrics.loader import Bank
from interviewer.rubrics.model import Rubric
from interviewer.background import BackgroundGrader
from interviewer.scoring.grader import Grader
from interviewer.scoring.result import Grade

DEFAULT_COUNT = 3


def choose_questions(bank: Bank, ids: Sequence[str] | None, count: int | None, seed: int | None) -> list[Rubric]:
    """The rubrics to ask: the ids given (in that order), else ``count`` at random from the bank."""
    if ids:
        return [bank[i] for i in ids]
    count = DEFAULT_COUNT if count is None else count
    if count <= 0:
        raise InputError(f"--count: expected a positive number, got {count}")
    pool = list(bank.values())
    return random.Random(seed).sample(pool, min(count, len(pool)))


@dataclass
class Turn:
    rubric: Rubric
    answer: str
    grade: Grade | None


def read_answer(stdin: TextIO, stdout: TextIO) -> str | None:
    """Read lines until an empty line (or end of input). None means end of input before any text."""
    lines: list[str] = []
    while True:
        stdout.write("> " if not lines else "  ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            return "\n".join(lines) if lines else None
        line = line.rstrip("\n")
        if not line.strip():
            return "\n".join(lines)
        lines.append(line)


def _log(path: Path, turn: Turn, session: str, number: int) -> None:
    """Append one event: ``answer`` (written before grading) or ``grade`` (its score, same ``turn``)."""
    record: dict[str, object] = {"session": session, "turn": number, "rubric": turn.rubric.id,
                                 "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if turn.grade is None:
        record.update(event="answer", question=turn.rubric.question, answer=turn.answer)
    else:
        record.update(event="grade", score=turn.grade.score)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=True) + "\n")
    except OSError as exc:
        raise InterviewerError(f"{path}: cannot save your answer ({exc.strerror}); "
                               "set INTERVIEWER_DATA_DIR to a writable folder") from None


def run_round(
    rubrics: Sequence[Rubric],
    grader: BackgroundGrader,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    log_path: Path | None = None,
) -> list[Turn]:
    log_path = log_path or locations.data_dir() / "practice-log.jsonl"
    session = time.strftime("%Y%m%d-%H%M%S")
    turns: list[Turn] = []
    print(f"Practice round: {len(rubrics)} question(s). Type your answer; an empty line submits it.", file=stdout)
    print("An empty answer skips the question; end of input (Ctrl-D) ends the round.\n", file=stdout)
    for number, rubric in enumerate(rubrics, start=1):
        print(f"Question {number}/{len(rubrics)} ({rubric.id}): {rubric.question}", file=stdout)
        answer = read_answer(stdin, stdout)
        if answer is None:
            print("\nRound ended early.", file=stdout)
            break
        turn = Turn(rubric, answer, None)
        _log(log_path, turn, session, number)  # saved before grading: a failure below loses nothing typed
        if not grader.ready():
            print("Loading the grading model…", file=stdout, flush=True)
        turn.grade = grader.get().grade(rubric, answer)
        _log(log_path, turn, session, number)
        turns.append(turn)
        print("", file=stdout)
        print(render_grade(turn.grade), file=stdout)
        print("\n" + "-" * 60 + "\n", file=stdout)
    print(summarise(turns), file=stdout)
    if turns:
        print(f"\nYour answers are saved in {log_path}", file=stdout)
    return turns


def summarise(turns: Sequence[Turn]) -> str:
    graded = [t for t in turns if t.grade is not None]
    if not graded:
        return "No answers graded."
    lines = ["Round summary:"]
    for turn in graded:
        assert turn.grade is not None
        lines.append(f"  {turn.rubric.id}  {turn.grade.score:4.1f}/10  {turn.rubric.question}")
    mean = sum(t.grade.score for t in graded if t.grade) / len(graded)
    lines.append(f"  Mean: {mean:.1f}/10")
    missed = [(t.rubric.id, c.label) for t in graded if t.grade for c in t.grade.concepts if c.status == "missed"]
    if missed:
        lines.append("Practise next: " + "; ".join(f"{label} ({rid})" for rid, label in missed[:5]))
    return "\n".join(lines)


def practice(bank: Bank, grader_factory: Callable[[], Grader], ids: Sequence[str] | None, count: int | None,
             seed: int | None) -> int:
    rubrics = choose_questions(bank, ids, count, seed)
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")  # bytes that are not UTF-8 become "?" rather than a crash
    background = BackgroundGrader(grader_factory)
    try:
        run_round(rubrics, background)
    except KeyboardInterrupt:
        print("\nRound stopped.", file=sys.stdout)
        return 130
    return 0
