"""Several processes opening one new database at the same moment (two terminals started together, the app and
a ``history`` in another window): every one of them opens it, and it is migrated exactly once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

from interviewer.store import Store
from interviewer.store.schema import SCHEMA_VERSION

PROCESSES = 8
REPETITIONS = 10  # a fresh database each time: the race is in the first open
BARRIER_TIMEOUT = 60.0  # seconds for every process to reach the start line (spawning imports the package)


def _open_together(folder: str, barrier: Any, results: Any) -> None:
    """In each process: for every repetition, wait for the others, then open (and so create) the same new database."""
    for n in range(REPETITIONS):
        barrier.wait(BARRIER_TIMEOUT)
        try:
            Store(Path(folder) / f"{n}.db").close()
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on any
            results.put(f"repetition {n}: {type(exc).__name__}: {exc}")
        else:
            results.put(None)


def test_processes_opening_one_new_database_at_once_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")  # not fork: the test process may hold threads and SQLite handles
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [context.Process(target=_open_together, args=(str(tmp_path), barrier, results)) for _ in range(PROCESSES)]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=BARRIER_TIMEOUT * 2) for _ in range(PROCESSES * REPETITIONS)]
    for w in workers:
        w.join(BARRIER_TIMEOUT)
        assert w.exitcode == 0
    assert [o for o in outcomes if o is not None] == []
    Store(tmp_path / "alone.db").close()
    expected = _schema(tmp_path / "alone.db")
    assert expected[0] == SCHEMA_VERSION
    for n in range(REPETITIONS):
        assert _schema(tmp_path / f"{n}.db") == expected  # migrated once: same tables, same version


def _schema(path: Path) -> tuple[int, list[str]]:
    """(user_version, the schema's SQL statements) of the database at ``path``."""
    db = sqlite3.connect(path)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        return version, sorted(row[0] for row in db.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
    finally:
        db.close()
