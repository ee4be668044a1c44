"""Issue 10, files and streams: no output clobbers a device, a FIFO or the input; every read is bounded;
a full disk, a full stdout or a broken stored grade is one line, never a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.scoring.grader import Grader
from interviewer.textfile import MAX_ANSWER_BYTES, read_text

from .conftest import REPO, HashingEmbedder, cli_env

STRONG = ("Feature scaling puts features on comparable ranges. Distance-based models such as KNN need scaling. "
          "Tree models do not need scaling. Fit the scaler on the training data only.")


@pytest.fixture(autouse=True)
def fake_grader(monkeypatch: pytest.MonkeyPatch) -> None:
    def grader(settings, bank=None, calibration=None):  # type: ignore[no-untyped-def]
        return Grader(HashingEmbedder(), bank=bank, max_answer_words=settings.max_answer_words)

    monkeypatch.setattr(cli, "_grader", grader)


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
    from interviewer.errors import InputError

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
    script = ("import sys\nfrom interviewer import cli\nfrom interviewer.scoring.grader import Grader\n"
              "from tests.conftest import HashingEmbedder\n"
              "cli._grader = lambda s, bank=None, calibration=None: Grader(HashingEmbedder(), bank=bank)\n"
              "sys.exit(cli.main(sys.argv[1:]))\n")
    return subprocess.run([sys.executable, "-c", script, "grade", "--bank", str(REPO / "tests" / "fixtures" / "bank"),
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
