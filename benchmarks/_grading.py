"""Shared by the grading benchmarks: grade JSONL records once and keep their features."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interviewer import locations  # noqa: E402
from interviewer.config import Settings  # noqa: E402
from interviewer.rubrics import load_bank  # noqa: E402
from interviewer.scoring import factory  # noqa: E402
from interviewer.scoring.batch import LineError, grade_records  # noqa: E402
from interviewer.scoring.grader import Grader  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
DEVSET = DATA / "devset.jsonl"
TESTSET = DATA / "testset.jsonl"  # the frozen test split: never used to choose anything
SEMEVAL = ("semeval2013_beetle.jsonl", "semeval2013_scientsbank.jsonl")


def make_grader() -> Grader:
    """The grader the CLI builds (``scoring.factory.make_grader``) with the default settings and the bundled bank."""
    return factory.make_grader(Settings(), load_bank(locations.bundled_bank_dir()))


def read(path: Path, splits: Iterable[str] | None = None) -> list[dict[str, Any]]:
    wanted = set(splits) if splits is not None else None
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                if wanted is None or record.get("split") in wanted:
                    rows.append(record)
    return rows


def grade(grader: Grader, records: list[dict[str, Any]], label: str = "") -> list[dict[str, Any]]:
    """Each record plus ``predicted_score`` and ``grade`` (a failed line stops the benchmark)."""
    out = []
    total = len(records)
    for number, item in grade_records(enumerate(records, start=1), grader, grader.bank):  # type: ignore[arg-type]
        if isinstance(item, LineError):
            raise SystemExit(f"{label}:{number}: {item.message}")
        out.append(item)
        if len(out) % 500 == 0:
            print(f"  {label}: {len(out)}/{total}", file=sys.stderr, flush=True)
    return out


def semeval_path(shared: Path, name: str) -> Path:
    path = shared / name
    if not path.is_file():
        raise SystemExit(f"{path}: not found; pass the folder holding the SemEval-2013 JSONL files")
    return path
