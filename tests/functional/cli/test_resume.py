"""Sessions are never lost: kill -9 in the middle of a round, then resume; corrupt and locked databases."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.store import Store
from tests.conftest import REPO
from tests.report_support import GOOD_SCALING, WEAK_LEAKAGE, graded_session

FIRST = "Feature engineering creates and transforms input features.\nDomain knowledge suggests ratios."
SECOND = "Data leakage is when test information reaches training. HANG while grading this one."
THIRD = "Fit the scaler on the training data only; KNN needs scaling, trees do not."

pytestmark = pytest.mark.usefixtures("fake_cli_grader")  # every command grades with the HashingEmbedder


def _child_env(db: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), INTERVIEWER_DATABASE=str(db), PYTHONUNBUFFERED="1")
    env.pop("PYTHONSAFEPATH", None)
    return env


def _wait_for(db: Path, query: str, ready: Callable[[list[tuple]], bool], process: subprocess.Popen,  # type: ignore[type-arg]
              timeout: float = 120.0) -> list[tuple]:  # type: ignore[type-arg]
    """Poll the database (read-only work, as another program would) until ``ready(rows)``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the practice process ended before it was killed"
        if db.exists():
            connection = sqlite3.connect(db, timeout=5)
            try:
                rows = connection.execute(query).fetchall()
            except sqlite3.OperationalError:  # the tables are not created yet
                rows = []
            finally:
                connection.close()
            if ready(rows):
                return rows
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {query}")


ANSWERS = "SELECT q.position, a.text, a.score FROM answers a JOIN questions q ON q.id = a.question_id ORDER BY a.id"


def test_kill_9_mid_session_loses_nothing_submitted_and_resume_carries_on(tmp_path: Path, capsys,  # type: ignore[no-untyped-def]
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "interviewer.db"
    log = (tmp_path / "driver.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "tests.kill_driver", str(db)], cwd=REPO, env=_child_env(db),
                               stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdin is not None
        process.stdin.write(FIRST + "\n\n")
        process.stdin.flush()
        _wait_for(db, ANSWERS, lambda rows: len(rows) == 1 and rows[0][2] is not None, process)  # graded
        process.stdin.write(SECOND + "\n\n")
        process.stdin.flush()
        _wait_for(db, ANSWERS, lambda rows: len(rows) == 2, process)  # committed; its grading hangs
        time.sleep(0.2)
        assert process.poll() is None
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        log.close()
    with Store(db) as store:  # what the killed process left: both answers, the second ungraded
        session = store.session(store.unfinished()[0].id)
        assert session.finished_at is None
        assert [q.answer.text if q.answer else None for q in session.questions] == [FIRST, SECOND, None]
        assert [a.text for a in session.ungraded] == [SECOND]
        first_grade = session.questions[0].answer.grade  # type: ignore[union-attr]

    monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
    monkeypatch.setattr("sys.stdin", io.StringIO(THIRD + "\n\n"))
    assert cli.main(["resume"]) == 0
    out = capsys.readouterr().out
    assert "Grading your saved answer to question 2/3 (q03)" in out and "Question 3/3 (q10)" in out
    assert "Question 1/3" not in out and "Question 2/3" not in out  # answered questions are not asked again
    with Store(db) as store:
        session = store.session(session.id)
        assert session.finished_at is not None and not session.ungraded and not session.remaining
        assert [q.answer.text for q in session.questions if q.answer] == [FIRST, SECOND, THIRD]
        assert session.questions[0].answer.grade == first_grade  # type: ignore[union-attr]
        assert all(len(q.answers) == 1 for q in session.questions)


@pytest.mark.model
def test_kill_9_of_the_real_practice_command_then_the_real_resume_command(tmp_path: Path, fixture_bank: Path) -> None:
    """The real commands with the real model: the answer typed before the kill is graded on resume."""
    db = tmp_path / "interviewer.db"
    command = [sys.executable, "-m", "interviewer"]
    log = (tmp_path / "practice.log").open("w")
    process = subprocess.Popen([*command, "practice", "--bank", str(fixture_bank), "--questions", "scaling,leakage"],
                               cwd=REPO, env=_child_env(db), stdin=subprocess.PIPE, stdout=log,
                               stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdin is not None
        process.stdin.write(GOOD_SCALING + "\n\n")
        process.stdin.flush()
        _wait_for(db, ANSWERS, lambda rows: len(rows) == 1, process)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        log.close()
    resumed = subprocess.run([*command, "resume", "--bank", str(fixture_bank)], cwd=REPO, env=_child_env(db),
                             input=WEAK_LEAKAGE + "\n\n", capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "Question 2/2 (leakage)" in resumed.stdout and "Question 1/2" not in resumed.stdout
    with Store(db) as store:
        session = store.session(1)
        assert [q.answer.text for q in session.questions if q.answer] == [GOOD_SCALING, WEAK_LEAKAGE]
        assert session.finished_at is not None and not session.ungraded
        assert session.questions[0].answer.score > session.questions[1].answer.score  # type: ignore[union-attr,operator]


# -- resume: the one-line cases ------------------------------------------------------------------------
def test_resume_with_nothing_to_resume_or_an_unknown_id(capsys, tmp_path: Path, fixture_bank: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.db"
    monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
    assert cli.main(["resume"]) == 0
    assert capsys.readouterr().out == (f"interviewer: nothing to resume: no unfinished session in {db}; "
                                       "`interviewer practice` starts a new one\n")
    sid = graded_session(db, fixture_bank, {"scaling": GOOD_SCALING})
    assert cli.main(["resume", str(sid)]) == 0
    assert capsys.readouterr().out.startswith(f"interviewer: nothing to resume: session {sid} is finished")
    assert cli.main(["resume", "42"]) == 2
    assert capsys.readouterr().err == f"interviewer: error: no session 42 in {db}; `interviewer history` lists them\n"
    with pytest.raises(SystemExit) as exited:  # a usage error, as for every number argument
        cli.main(["resume", "abc"])
    assert exited.value.code == 2
    assert "error: argument SESSION: expected a positive whole number" in capsys.readouterr().err


def test_resume_defaults_to_the_newest_unfinished_session(capsys, tmp_path: Path, fixture_bank: Path,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.db"
    monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
    older = graded_session(db, fixture_bank, {"scaling": None}, finish=False)
    newer = graded_session(db, fixture_bank, {"scaling": GOOD_SCALING, "leakage": None}, finish=False)
    graded_session(db, fixture_bank, {"leakage": WEAK_LEAKAGE})  # the latest, but finished
    monkeypatch.setattr("sys.stdin", io.StringIO(WEAK_LEAKAGE + "\n\n"))
    assert cli.main(["resume"]) == 0
    assert f"Resuming session {newer}: 1 of 2 questions left." in capsys.readouterr().out
    with Store(db) as store:
        assert store.session(newer).finished_at is not None and store.session(older).finished_at is None


# -- damaged and locked databases ----------------------------------------------------------------------
COMMANDS = (["history"], ["history", "--concepts"], ["report"], ["resume"], ["practice", "--questions", "scaling"])


def _run_all(capsys, fixture_bank: Path) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    results = []
    for argv in COMMANDS:
        extra = ["--bank", str(fixture_bank)] if argv[0] in ("practice", "resume", "report") else []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stdin", io.StringIO(GOOD_SCALING + "\n\n"))
            code = cli.main([*argv, *extra])
        out, err = capsys.readouterr()
        results.append((code, err))
    return results


def test_a_corrupted_database_is_one_line_and_left_untouched(capsys, tmp_path: Path, fixture_bank: Path,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 2\x00" + os.urandom(8192))
    damaged = tmp_path / "damaged.db"
    graded_session(damaged, fixture_bank, {"scaling": GOOD_SCALING, "leakage": WEAK_LEAKAGE}, finish=False)
    data = bytearray(damaged.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    assert len(data) > 2 * page and not Path(f"{damaged}-wal").exists()  # everything is in the main file
    data[page:] = b"\xa5" * (len(data) - page)  # every page but the first (the schema) overwritten
    damaged.write_bytes(bytes(data))
    for db in (garbage, damaged):
        before = db.read_bytes()
        monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
        for code, err in _run_all(capsys, fixture_bank):
            assert code == 1 and err.count("\n") == 1 and "Traceback" not in err, err
            assert err.startswith(f"interviewer: error: {db}: not a readable interviewer database (")
            assert "it was left untouched" in err
        assert db.read_bytes() == before


def test_a_locked_database_is_one_line_and_nothing_is_overwritten(capsys, tmp_path: Path, fixture_bank: Path,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("interviewer.store.db.BUSY_TIMEOUT_SECONDS", 0.3)
    db = tmp_path / "s.db"
    monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
    sid = graded_session(db, fixture_bank, {"scaling": GOOD_SCALING, "leakage": None}, finish=False)
    with Store(db) as store:
        before = store.session(sid)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    other.execute("UPDATE sessions SET mode = 'voice' WHERE id = ?", (sid,))
    try:
        # reading needs no lock: history and reports still work
        assert cli.main(["history"]) == 0 and f"interviewer resume {sid}" in capsys.readouterr().out
        for argv in (["practice", "--questions", "scaling"], ["resume"]):
            monkeypatch.setattr("sys.stdin", io.StringIO(WEAK_LEAKAGE + "\n\n"))
            assert cli.main([*argv, "--bank", str(fixture_bank)]) == 1
            err = capsys.readouterr().err
            locked = (f"interviewer: error: {db}: the database is locked by another program (another "
                      "interviewer running?); close it and try again")
            if argv == ["resume"]:  # the answer was typed before the write failed: it is kept aside, not lost
                assert err == f"{locked}. Your answer was kept in {tmp_path / 'unsaved-answers.jsonl'}\n"
                kept = json.loads((tmp_path / "unsaved-answers.jsonl").read_text())
                assert kept["answer"] == WEAK_LEAKAGE and kept["session"] == sid
            else:  # the new session could not even start: nothing was asked
                assert err == locked + "\n"
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("COMMIT")
        other.execute("BEGIN EXCLUSIVE")  # now not even readers get in
        other.execute("UPDATE sessions SET mode = 'typed' WHERE id = ?", (sid,))
        assert cli.main(["history"]) == 1
        assert "the database is locked by another program" in capsys.readouterr().err
    finally:
        other.execute("ROLLBACK")
        other.close()
    with Store(db) as store:
        after = store.session(sid)
        assert store.latest_session_id() == sid  # no new session was started
    assert after.mode == "voice"  # the other program's committed write survived
    assert after.questions == before.questions  # and nothing of ours was written over it
