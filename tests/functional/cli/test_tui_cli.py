"""How the command line opens the app: on a terminal, with the round the flags describe; the plain round
for pipes and ``--plain``. One test drives the real program in a pseudo-terminal with the real model."""

from __future__ import annotations

import os
import select
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from interviewer import cli
from tests.conftest import FIXTURES, REPO, cli_env


@pytest.fixture
def on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """stdin and stdout are terminals; the app's ``run`` only records the app it was called on."""
    from interviewer.tui.app import InterviewerApp

    opened: list[Any] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(InterviewerApp, "run", lambda self, **kw: opened.append(self))
    return opened


def test_practice_flags_start_the_round_in_the_app(on_a_terminal: list[Any]) -> None:
    code = cli.main(["practice", "--bank", str(FIXTURES / "bank"), "--questions", "leakage,scaling", "--mode", "voice",
                     "--timed"])
    assert code == 0 and len(on_a_terminal) == 1
    app = on_a_terminal[0]
    assert app.start_at_once and app.options.questions == ("leakage", "scaling")
    assert (app.options.mode, app.options.timed, app.options.bank) == ("voice", True, FIXTURES / "bank")


def test_no_arguments_open_the_start_screen(on_a_terminal: list[Any]) -> None:
    assert cli.main([]) == 0
    assert len(on_a_terminal) == 1 and not on_a_terminal[0].start_at_once


def test_plain_keeps_the_line_by_line_round(on_a_terminal: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import interviewer.cli.practice

    rounds: list[Any] = []
    monkeypatch.setattr(interviewer.cli.practice, "run_round", lambda interview, grader: rounds.append(interview) or [])
    assert cli.main(["practice", "--plain", "--count", "1"]) == 0
    assert len(rounds) == 1 and on_a_terminal == []


def test_spoken_answers_need_the_app(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["practice", "--mode", "voice"]) == 2  # stdin is not a terminal under pytest
    assert "spoken answers need the app" in capsys.readouterr().err


@pytest.mark.model
def test_the_program_runs_a_typed_round_in_a_terminal(tmp_path: Path) -> None:
    """`interviewer practice` in a pseudo-terminal: the question, an answer, feedback, the summary, quit."""
    import fcntl
    import pty
    import termios

    (tmp_path / "config.toml").touch()
    env = {**cli_env(), "PYTHONPATH": str(REPO), "TERM": "xterm-256color",
           "INTERVIEWER_DATA_DIR": str(tmp_path), "INTERVIEWER_CONFIG": str(tmp_path / "config.toml")}
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "interviewer", "practice", "--bank", str(FIXTURES / "bank"),
                                   "--questions", "leakage"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    screen = bytearray()

    def read_until(text: bytes, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.05)[0]:
                try:
                    screen.extend(os.read(fd, 65536))
                except OSError:
                    return False
            if text in screen:
                return True
        return False

    try:
        assert read_until(b"What is data leakage?", 20), "the question never appeared"
        os.write(fd, b"Data leakage is when test data leaks into training, so scores are too optimistic.")
        time.sleep(0.3)
        os.write(fd, b"\x13")  # ctrl+s
        assert read_until(b"Covered", 120), "no feedback"
        os.write(fd, b"n")
        assert read_until(b"Round summary", 20), "no summary"
        os.write(fd, b"q")
        _, status, _ = os.wait4(pid, 0)
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    with sqlite3.connect(tmp_path / "interviewer.db") as db:
        rows = db.execute("SELECT a.text, a.mode, a.score IS NOT NULL, s.finished_at IS NOT NULL "
                          "FROM answers a JOIN questions q ON a.question_id = q.id "
                          "JOIN sessions s ON q.session_id = s.id").fetchall()
    assert rows == [("Data leakage is when test data leaks into training, so scores are too optimistic.", "typed",
                     1, 1)]


def test_the_plain_round_still_runs_when_input_is_piped(tmp_path: Path) -> None:
    (tmp_path / "config.toml").touch()
    env = {**cli_env(), "PYTHONPATH": str(REPO), "INTERVIEWER_DATA_DIR": str(tmp_path),
           "INTERVIEWER_CONFIG": str(tmp_path / "config.toml"), "INTERVIEWER_EMBEDDING_MODEL": str(tmp_path / "none")}
    result = subprocess.run([sys.executable, "-m", "interviewer", "practice", "--bank", str(FIXTURES / "bank"),
                             "--questions", "leakage"], input="", capture_output=True, text=True, env=env, timeout=60)
    assert "Question 1/1 (leakage)" in result.stdout  # the plain round, not the app


def test_resume_opens_the_newest_unfinished_session_in_the_app(on_a_terminal: list[Any]) -> None:
    from interviewer.config import load_settings
    from interviewer.rubrics import load_bank
    from interviewer.session.round import Interview
    from interviewer.store import open_store

    assert cli.main(["resume"]) == 0 and on_a_terminal == []  # nothing to resume: said so, no app
    bank = load_bank(FIXTURES / "bank")
    with open_store(load_settings().database_path()) as store:
        first = Interview.start(store, [bank["scaling"]], bank_name=str(FIXTURES / "bank"))
        second = Interview.start(store, [bank["leakage"]], bank_name=str(FIXTURES / "bank"))
    assert cli.main(["resume"]) == 0
    assert [app.resume_id for app in on_a_terminal] == [second.session_id]
    assert cli.main(["resume", str(first.session_id)]) == 0 and on_a_terminal[-1].resume_id == first.session_id


def test_the_exit_code_is_the_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    """An app that ended on an error (Textual's return code 1) makes practice and resume exit 1, not 0."""
    from interviewer.config import load_settings
    from interviewer.rubrics import load_bank
    from interviewer.session.round import Interview
    from interviewer.store import open_store
    from interviewer.tui.app import InterviewerApp

    def crashed(self: InterviewerApp, **kw: Any) -> None:
        self._return_code = 1

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(InterviewerApp, "run", crashed)
    assert cli.main(["practice", "--bank", str(FIXTURES / "bank"), "--questions", "leakage"]) == 1
    with open_store(load_settings().database_path()) as store:
        Interview.start(store, [load_bank(FIXTURES / "bank")["scaling"]], bank_name=str(FIXTURES / "bank"))
    assert cli.main(["resume"]) == 1


def test_a_count_above_the_bank_size_says_it_asks_them_all(on_a_terminal: list[Any], monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import interviewer.cli.practice

    rounds: list[Any] = []
    monkeypatch.setattr(interviewer.cli.practice, "run_round", lambda interview, grader: rounds.append(interview) or [])
    assert cli.main(["practice", "--plain", "--count", "99"]) == 0
    err = capsys.readouterr().err
    assert "--count 99: the bank has 15 questions; asking all 15" in err, err
    assert len(rounds[0].turns) == 15
