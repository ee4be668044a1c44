"""Issue 10, files and streams: no output clobbers a device, a FIFO or the input; every read is bounded;
a full disk, a full stdout or a broken stored grade is one line, never a traceback."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.errors import InputError, InterviewerError
from interviewer.scoring.grader import Grader
from interviewer.textfile import MAX_ANSWER_BYTES, read_text
from tests.conftest import REPO, cli_env
from tests.fakes import FAKE_CLI, HashingEmbedder

STRONG = ("Feature scaling puts features on comparable ranges. Distance-based models such as KNN need scaling. "
          "Tree models do not need scaling. Fit the scaler on the training data only.")

pytestmark = pytest.mark.usefixtures("fake_cli_grader")  # every command grades with the HashingEmbedder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    """The single ``interviewer: error:`` line of ``err`` (and nothing else, no traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interviewer: error: "), err
    assert "Traceback" not in err
    return lines[0]


# -- reading: non-regular inputs, caps -------------------------------------------------------------------
def test_an_answer_file_that_is_a_device_is_refused_before_reading(capsys, fixture_bank: Path) -> None:
    code, _, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer-file", "/dev/zero")
    assert code == 2
    assert one_error_line(err) == ("interviewer: error: /dev/zero: a character device, not a file; give the answer file")


def test_an_answer_file_that_is_a_folder_says_so(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer-file", str(tmp_path))
    assert code == 2 and one_error_line(err).endswith(f"{tmp_path}: is a folder; give the answer file")


def test_an_answer_file_over_the_cap_names_the_limit(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("scaling " * (MAX_ANSWER_BYTES // 8 + 1), encoding="utf-8")
    code, _, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer-file", str(big))
    assert code == 2
    assert one_error_line(err).endswith(f"{big}: the answer is larger than 256 KiB, the limit; shorten it")


def test_links_that_loop_or_lead_nowhere_are_named(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(InputError, match="loops back on itself"):
        read_text(loop, "answer")
    with pytest.raises(InputError, match="a link to .*gone.txt, which does not exist"):
        read_text(dangling, "answer")


def test_a_fifo_is_read_like_a_file(tmp_path: Path) -> None:
    """``--answer-file <(cmd)`` gives a pipe: it is read (up to the cap), not refused."""
    read_end, write_end = os.pipe()
    os.write(write_end, b"an answer")
    os.close(write_end)
    try:
        assert read_text(Path(f"/dev/fd/{read_end}"), "answer") == "an answer"
    finally:
        os.close(read_end)


def _grade_stdin(data: bytes, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**cli_env(), "LC_ALL": "C", "PYTHONIOENCODING": ""}  # the C locale: stdin decodes with surrogateescape
    env["INTERVIEWER_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run([sys.executable, "-c", FAKE_CLI, "grade", "--bank", str(REPO / "tests" / "fixtures" / "bank"),
                           "--rubric", "scaling"], input=data, check=False, capture_output=True, cwd=REPO, env=env, timeout=120)


def test_non_utf8_bytes_piped_to_grade_are_one_line(tmp_path: Path) -> None:
    result = _grade_stdin(b"Feature scaling \xff\xfe puts features on comparable ranges.\n", tmp_path)
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert one_error_line(err) == "interviewer: error: <stdin>: not UTF-8 text (byte 16); save the answer as UTF-8"


def test_an_answer_argument_with_undecodable_bytes_is_one_line(capsys, fixture_bank: Path) -> None:
    code, _, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer", "caf\udce9")
    assert code == 2 and "--answer: not UTF-8 text (character 3)" in one_error_line(err)


def test_a_text_only_stdin_is_still_capped(capsys, fixture_bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("x" * (MAX_ANSWER_BYTES + 1)))
    code, _, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling")
    assert code == 2 and "<stdin>: the answer is larger than 256 KiB, the limit" in one_error_line(err)


def test_a_piped_answer_is_graded(tmp_path: Path) -> None:
    result = _grade_stdin(STRONG.encode(), tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().startswith("Score: ")


# -- writing: devices, FIFOs, the input itself, stdout ---------------------------------------------------
def cli_process(tmp_path: Path, *argv: str, stdout: int | object = subprocess.PIPE,
                input: bytes | None = None) -> tuple[int, str, str]:
    """The CLI in a child process with the test grader: real stdin, stdout and exit."""
    (tmp_path / "config.toml").touch()
    env = {**cli_env(), "INTERVIEWER_DATA_DIR": str(tmp_path / "data"),
           "INTERVIEWER_CONFIG": str(tmp_path / "config.toml"), "INTERVIEWER_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", FAKE_CLI, *argv], input=input, stdout=stdout,
                            stderr=subprocess.PIPE, cwd=REPO, env=env, timeout=120, check=False)
    out = result.stdout.decode() if isinstance(result.stdout, bytes) else ""
    return result.returncode, out, result.stderr.decode()


def batch_input(tmp_path: Path, *extra: str) -> Path:
    source = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "a", "rubric": "scaling", "answer": STRONG}), *extra,
             json.dumps({"id": "b", "rubric": "scaling", "answer": "Trees do not need scaling."})]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


def fake_dev_null(path: Path) -> Path:
    """A character device like /dev/null (1, 3) at ``path`` (needs root)."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return path


@pytest.mark.parametrize("argv", [
    ("report", "--format", "md", "-o", "{target}", "--force", "--from-batch", "{batch}"),
    ("grade-batch", "{source}", "-o", "{target}", "--force", "-q"),
])
def test_a_device_target_stays_a_device(capsys, fixture_bank: Path, tmp_path: Path, argv: tuple[str, ...]) -> None:
    """`mknod fake c 1 3; interviewer report -o fake --force` used to rename a plain file over the device."""
    source = batch_input(tmp_path)
    batch = tmp_path / "out.jsonl"
    assert run(capsys, "grade-batch", str(source), "-o", str(batch), "--bank", str(fixture_bank), "-q")[0] == 0
    target = fake_dev_null(tmp_path / "fake")
    filled = [a.format(target=target, batch=batch, source=source) for a in argv]
    code, _, err = run(capsys, *filled, "--bank", str(fixture_bank))
    assert code == 0, err
    assert stat.S_ISCHR(target.lstat().st_mode) and f"wrote {target}" in err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".fake")]  # no temp file left


def test_a_report_written_to_a_fifo_goes_through_it(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = batch_input(tmp_path)
    batch = tmp_path / "out.jsonl"
    assert run(capsys, "grade-batch", str(source), "-o", str(batch), "--bank", str(fixture_bank), "-q")[0] == 0
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, _, err = run(capsys, "report", "--from-batch", str(batch), "-o", str(fifo), "--format", "md")
    reader.join(10)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and received[0].startswith(b"# Graded answers")


def test_grade_batch_refuses_an_output_hard_linked_to_its_input(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = batch_input(tmp_path)
    before = source.read_bytes()
    link = tmp_path / "out.jsonl"
    os.link(source, link)
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(link), "--force", "--bank", str(fixture_bank))
    assert code == 2
    assert one_error_line(err) == f"interviewer: error: {link}: is the input file {source}; write the output to another file"
    assert source.read_bytes() == before


def test_report_refuses_to_overwrite_the_batch_file_it_reads(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = batch_input(tmp_path)
    batch = tmp_path / "out.jsonl"
    assert run(capsys, "grade-batch", str(source), "-o", str(batch), "--bank", str(fixture_bank), "-q")[0] == 0
    before = batch.read_bytes()
    code, _, err = run(capsys, "report", "--from-batch", str(batch), "-o", str(batch), "--format", "json", "--force")
    assert code == 2 and "is the input file" in one_error_line(err) and batch.read_bytes() == before


def test_a_report_through_a_symlink_replaces_the_file_and_keeps_the_link(capsys, fixture_bank: Path,
                                                                          tmp_path: Path) -> None:
    source = batch_input(tmp_path)
    batch = tmp_path / "out.jsonl"
    assert run(capsys, "grade-batch", str(source), "-o", str(batch), "--bank", str(fixture_bank), "-q")[0] == 0
    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    code, _, err = run(capsys, "report", "--from-batch", str(batch), "-o", str(link), "--force")
    assert code == 0, err
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("# Graded answers")


def test_grade_batch_to_dash_writes_stdout(capsys, fixture_bank: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = batch_input(tmp_path)
    code, out, err = run(capsys, "grade-batch", str(source), "-o", "-", "--bank", str(fixture_bank), "-q")
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["a", "b"]
    assert not (tmp_path / "-").exists() and "wrote <stdout>" in err


def test_grade_batch_to_dash_refuses_a_stdout_that_is_its_input(fixture_bank: Path, tmp_path: Path) -> None:
    source = batch_input(tmp_path)
    before = source.read_bytes()
    with source.open("ab") as append:
        code, _, err = cli_process(tmp_path, "grade-batch", str(source), "-o", "-", "--bank", str(fixture_bank),
                                   stdout=append)
    assert code == 2 and "<stdout>: is the input file" in one_error_line(err)
    assert source.read_bytes() == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_grade_batch_to_a_full_device_is_one_line(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = batch_input(tmp_path)
    code, _, err = run(capsys, "grade-batch", str(source), "-o", "/dev/full", "--force", "-q", "--bank", str(fixture_bank))
    assert code == 1
    assert one_error_line(err) == "interviewer: error: /dev/full: cannot write: the disk is full"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("argv", [("history",), ("report", "--from-batch", "{batch}"),
                                  ("grade-batch", "{source}", "-o", "-", "-q", "--bank", "{bank}"),
                                  ("rubric", "list", "--bank", "{bank}")])
def test_stdout_on_a_full_device_is_one_line(capsys, fixture_bank: Path, tmp_path: Path, argv: tuple[str, ...]) -> None:
    source = batch_input(tmp_path)
    batch = tmp_path / "out.jsonl"
    assert run(capsys, "grade-batch", str(source), "-o", str(batch), "--bank", str(fixture_bank), "-q")[0] == 0
    filled = [a.format(batch=batch, source=source, bank=fixture_bank) for a in argv]
    with open("/dev/full", "wb") as full:
        code, _, err = cli_process(tmp_path, *filled, stdout=full)
    assert code == 1
    assert one_error_line(err).startswith("interviewer: error: <stdout>: cannot write: the disk is full")


def test_record_refuses_a_device_and_stdout(capsys, tmp_path: Path) -> None:
    from interviewer.speech.recorder import Recorder

    with pytest.raises(InputError, match="a character device, not a file; this output must be a regular file"):
        Recorder(Path("/dev/null"), overwrite=True).start()
    code, _, err = run(capsys, "record", "-o", "-", "--seconds", "1")
    assert code == 2 and "a recording cannot go to stdout" in one_error_line(err)


def test_rubric_drafts_are_never_written_into_a_fifo(tmp_path: Path) -> None:
    from interviewer.rubrics.derive import derive_rubrics, write_drafts

    rubrics = derive_rubrics("Q1: What is scaling?\nModel Answer: Scaling puts features on comparable ranges.\n",
                             "q.txt")
    out = tmp_path / "drafts"
    out.mkdir()
    os.mkfifo(out / f"{rubrics[0].id}.yaml")
    with pytest.raises(InputError, match="a pipe \\(FIFO\\), not a file"):
        write_drafts(rubrics, out, "q.txt", force=True)
    with pytest.raises(InputError, match="not a folder"):
        write_drafts(rubrics, out / f"{rubrics[0].id}.yaml", "q.txt")


# -- grade-batch lines: nesting, size, numbers ------------------------------------------------------------
@pytest.mark.parametrize("bad, message", [
    ("[" * 1000 + "]" * 1000, "not usable JSON (nested more than 64 levels deep)"),
    ('{"answer": ' + "[" * 100 + "]" * 100 + "}", "not usable JSON (nested more than 64 levels deep)"),
    ('{"rubric": "scaling", "answer": "x", "n": ' + "9" * 5000 + "}", "not usable JSON (Exceeds the limit"),
    ('{"rubric": "scaling", "answer": "\\udcff"}', "field 'answer': not UTF-8 text (character 0)"),
])
def test_a_bad_line_is_skipped_and_the_good_ones_kept(capsys, fixture_bank: Path, tmp_path: Path, bad: str,
                                                      message: str) -> None:
    source = batch_input(tmp_path, bad)
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(out), "--bank", str(fixture_bank), "-q")
    assert code == 1 and "Traceback" not in err
    assert f"interviewer: {source}:2: {message}" in err
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a", "b"]


def test_a_line_over_the_cap_is_skipped_without_reading_it_whole(capsys, fixture_bank: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.scoring import batch

    monkeypatch.setattr(batch, "MAX_JSONL_LINE_BYTES", 1000)
    long_line = json.dumps({"rubric": "scaling", "answer": "scaling " * 400})
    source = batch_input(tmp_path, long_line, "")
    assert batch.count_lines(source) == 3
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(out), "--bank", str(fixture_bank), "-q")
    assert code == 1
    assert f"interviewer: {source}:2: longer than 1000 bytes, the limit for one line (line skipped)" in err
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a", "b"]
    assert "3 answer(s)" not in err and "1 line(s) failed" in err


def test_a_folder_as_batch_input_says_so(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "grade-batch", str(tmp_path), "-o", str(tmp_path / "out.jsonl"))
    assert code == 2 and one_error_line(err).endswith(f"{tmp_path}: is a folder; give the JSONL input file")


# -- the database: broken stored JSON --------------------------------------------------------------------
@pytest.mark.parametrize("broken", ['{"score": 7.5, "concepts": [', "[" * 5000 + "]" * 5000, '"just text"',
                                   '{"score": 7, "concepts": "all"}'])
def test_a_broken_stored_grade_is_flagged_not_a_traceback(capsys, fixture_bank: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, broken: str) -> None:
    import sqlite3

    from tests.report_support import graded_session

    db = tmp_path / "s.db"
    monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
    sid = graded_session(db, fixture_bank, {"scaling": STRONG, "leakage": "Leakage is test data in training."})
    with sqlite3.connect(db) as raw:
        first = raw.execute("SELECT min(id) FROM answers").fetchone()[0]
        raw.execute("UPDATE answers SET grade = ? WHERE id = ?", (broken, first))
    code, out, err = run(capsys, "history")  # the list reads scores, not the grade column
    assert code == 0 and f"{sid:>7}" in out and not err
    for argv in (("history", "--concepts"), ("report", str(sid), "--format", "md")):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        assert "Traceback" not in err and err.count("\n") == 1
        assert err.startswith(f"interviewer: note: {db}: session {sid} question 1 answer {first}: the stored grade is "
                              f"broken (") and f"`interviewer resume {sid}` grades it again" in err
        assert out
    code, out, _ = run(capsys, "report", str(sid), "--format", "md")
    assert "not graded" in out and "leakage" in out.lower()


def test_broken_transcript_and_settings_are_left_out(fixture_bank: Path, tmp_path: Path) -> None:
    import sqlite3

    from interviewer.store import Store
    from tests.report_support import graded_session

    db = tmp_path / "s.db"
    sid = graded_session(db, fixture_bank, {"scaling": STRONG})
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE answers SET transcript = '{', delivery = '[1]'")
        raw.execute("UPDATE sessions SET settings = 'nope'")
    with Store(db) as store:
        record = store.session(sid)
        assert record.settings == {} and record.questions[0].answer is not None
        assert record.questions[0].answer.transcript is None and record.questions[0].answer.grade is not None
        assert [n.split(": ", 2)[1] for n in store.notes] == [f"session {sid} question 1 answer 1", f"session {sid}"]


# -- a full disk ---------------------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 256 KiB tmpfs at tmp_path/disk (needs root and mount; skipped otherwise); ``fill`` fills it up."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)],
                                           capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, check=False)


def fill(disk: Path) -> None:
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 1024)
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_full_disk_still_lets_history_and_report_read(capsys, fixture_bank: Path, small_disk: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.report_support import graded_session

    db = small_disk / "interviewer.db"
    sid = graded_session(db, fixture_bank, {"scaling": STRONG})
    monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
    fill(small_disk)
    for argv in (("history",), ("history", "--concepts"), ("report", str(sid), "--format", "json")):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        assert err == (f"interviewer: note: {db}: the disk is full; free some space, or set INTERVIEWER_DATABASE to a "
                       "file on another disk; reading only, and nothing can be saved until there is space\n")
        assert "scaling" in out or f"{sid:>7}" in out
    from interviewer.store import Store

    with pytest.raises(InterviewerError, match="the disk is full") as caught:  # writing says so, not "disk I/O"
        Store(db)
    assert "disk I/O" not in caught.value.message.split("(")[0]


def test_a_grade_the_full_disk_refused_says_the_answer_is_safe(fixture_bank: Path, small_disk: Path) -> None:
    from interviewer.rubrics import load_bank
    from interviewer.session.round import Interview
    from interviewer.store import Store

    bank = load_bank(fixture_bank)
    db = small_disk / "interviewer.db"
    with Store(db) as store:
        interview = Interview.start(store, [bank["scaling"]], bank_name="fixture")
        turn = interview.turns[0]
        interview.submit(turn, STRONG)
        grade = Grader(HashingEmbedder()).grade(turn.rubric, STRONG * 40)
        fill(small_disk)
        with pytest.raises(InterviewerError) as caught:
            for _ in range(20):  # until the grade no longer fits
                interview.record_grade(turn, grade)
    message = caught.value.message
    assert message.startswith(f"{db}: the disk is full")
    assert message.endswith(f"The grade was not saved, but your answer is safe in session {interview.session_id} of "
                            f"{db}; `interviewer resume {interview.session_id}` grades it again")
    (small_disk / "filler").unlink()
    with Store(db) as store:
        assert store.session(interview.session_id).questions[0].answer.text == STRONG  # type: ignore[union-attr]


def test_a_rescue_append_that_fails_leaves_no_empty_file(small_disk: Path) -> None:
    from interviewer.session.round import _append_whole

    fill(small_disk)
    target = small_disk / "unsaved-answers.jsonl"
    assert not _append_whole(target, b'{"answer": "' + b"x" * 100_000 + b'"}\n')
    assert not target.exists()
    (small_disk / "filler").unlink()
    assert _append_whole(target, b"kept\n") and target.read_bytes() == b"kept\n"
    fill(small_disk)
    assert not _append_whole(target, b"y" * 100_000)
    assert target.read_bytes() == b"kept\n"  # cut back to what was there: no half line


def test_a_rescue_that_fails_everywhere_returns_the_answer(fixture_bank: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Monkeypatched (no root needed): every folder refuses the file, and no empty file is left anywhere."""
    from interviewer.rubrics import load_bank
    from interviewer.session import round as module
    from interviewer.session.round import Interview
    from interviewer.store import Store

    def full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module.os, "write", full)
    monkeypatch.setattr(module.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    with Store(tmp_path / "s.db") as store:
        interview = Interview.start(store, [load_bank(fixture_bank)["scaling"]], bank_name="fixture")
        kept = interview._rescue(interview.turns[0], "my answer", None)
    assert kept.endswith('here it is: "my answer"')
    assert not list(tmp_path.rglob("unsaved-answers.jsonl"))


def test_grade_batch_reads_a_pipe_once(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    """``grade-batch <(cat in.jsonl)``: a pipe cannot be counted first and read again."""
    data = batch_input(tmp_path, "{broken").read_bytes()
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write_end, data), os.close(write_end)))
    writer.start()
    out = tmp_path / "out.jsonl"
    try:
        code, _, err = run(capsys, "grade-batch", f"/dev/fd/{read_end}", "-o", str(out), "--bank", str(fixture_bank),
                           "-q")
    finally:
        writer.join(10)
        os.close(read_end)
    assert code == 1 and "graded 2 answer(s)" in err and "1 line(s) failed" in err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_a_byte_order_mark_on_the_first_line_is_accepted(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = batch_input(tmp_path)
    source.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(out), "--bank", str(fixture_bank), "-q")
    assert code == 0, err


def test_a_calibration_that_is_a_folder_is_one_line(capsys, tmp_path: Path) -> None:
    source = batch_input(tmp_path)
    code, _, err = run(capsys, "eval", str(source), "--calibration", str(tmp_path), "-q")
    assert code == 2 and one_error_line(err).endswith(f"{tmp_path}: is a folder; give the calibration file")
