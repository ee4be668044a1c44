"""Issue 10, rubric and config input: loading never tracebacks, is bounded, and says what is wrong where; rubric
and answer text never reaches the terminal as escape sequences or Rich markup (``interviewer.display``)."""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.cli.background import BackgroundGrader
from interviewer.cli.practice import run_round
from interviewer.config import load_settings
from interviewer.display import REPLACEMENT, printable
from interviewer.errors import InputError, RubricError
from interviewer.rubrics import load_bank, load_rubric
from interviewer.rubrics.loader import MAX_NESTING, MAX_RUBRIC_BYTES
from interviewer.rubrics.model import (
    MAX_CUES,
    MAX_MODEL_ANSWER_CHARS,
    MAX_SHORT_TEXT_CHARS,
    MAX_TEXT_CHARS,
)
from interviewer.scoring.grader import Grader
from interviewer.session.round import Interview
from interviewer.store import Store
from interviewer.tui import RoundOptions
from tests.conftest import FIXTURES
from tests.fakes import HashingEmbedder
from tests.unit.rubrics.test_rubrics import VALID, write

ESC = "\x1b"
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\x1b]8;;http://x.example\x1b\\link\x1b]8;;\x1b\\\x9b31m\x00\x07\x08\r"
# What the hostile text looks like in a double-quoted YAML string.
HOSTILE_YAML = r"\e[2J\e]0;pwned\a\e]8;;http://x.example\e\\link\e]8;;\e\\\x9b31m\0\a\b\r"


def assert_clean(text: str) -> None:
    """No C0 control character but newline and tab, no DEL, no C1 control character."""
    bad = [hex(ord(c)) for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    assert not bad, f"control characters {bad} in {text!r}"


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interviewer: error: "), err
    assert "Traceback" not in err
    return lines[0]


# -- printable ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("red \x1b[31mwarning\x1b[0m", "red warning"),  # CSI (colour)
        ("a\x1b[2Jb\x1b[10;5Hc", "abc"),  # clear screen, move cursor
        ("x\x1b]0;new title\x07y", "xy"),  # OSC window title, BEL-terminated
        ("\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC 8 hyperlink, ST-terminated
        ("a\x1bP1$r\x1b\\b", "ab"),  # DCS
        ("a\x9b2Jb", "ab"),  # 8-bit CSI
        ("a\x1bcb\x1b7c\x1b(Bd", "abcd"),  # reset, save cursor, charset
        ("nul\x00 bel\x07 bs\x08 del\x7f nel\x85 esc\x1b", f"nul{REPLACEMENT} bel{REPLACEMENT} bs{REPLACEMENT} "
         f"del{REPLACEMENT} nel{REPLACEMENT} esc{REPLACEMENT}"),
        ("dos\r\nmac\rend", "dos\nmac\nend"),
        ("keeps\ttabs\nand newlines", "keeps\ttabs\nand newlines"),
        ("[bold]not markup[/bold] [red]x", "[bold]not markup[/bold] [red]x"),  # markup is the widgets' business
        ("naïve café — ✔ 日本語 🙂", "naïve café — ✔ 日本語 🙂"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_leaves_no_control_character() -> None:
    every = "".join(chr(c) for c in range(0xA0)) + HOSTILE
    assert_clean(printable(every))
    assert_clean(printable(every, one_line=True))
    assert "\n" not in printable("a\nb\r\nc", one_line=True)


def test_printable_returns_clean_text_unchanged() -> None:
    text = "Feature scaling [puts] features\non comparable ranges.\t"
    assert printable(text) is text


# -- rubric files: one line, never a traceback ---------------------------------------------------------
def _rubric_check(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, str, str]:
    code = cli.main(["rubric", "check", *map(str, paths)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "text",
    [
        "id: " + "[" * 600 + "]" * 600 + "\n",  # YAML flow lists
        '{"id": ' + '{"a": ' * 600 + "1" + "}" * 600 + "}\n",  # JSON (YAML reads JSON too)
        "- " * 600 + "x\n",  # block lists
    ],
    ids=["yaml-flow", "json", "yaml-block"],
)
def test_deeply_nested_rubric_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    path = write(tmp_path, "q01.yaml", text)
    with pytest.raises(RubricError, match=rf"^{path}: not valid YAML at line \d+, column \d+: nested more than "
                                          rf"{MAX_NESTING} levels deep"):
        load_rubric(path)
    code, _, err = _rubric_check(capsys, tmp_path)
    assert code == 2 and str(path) in one_line_error(err)
    with pytest.raises(RubricError, match="nested more than"):
        load_bank(tmp_path)


def test_a_weight_of_5000_digits_names_file_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "q01.yaml", VALID.format(id="q01").replace("weight: 2", "weight: " + "1" * 5000))
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert info.value.message == (f"{path}: field 'concepts[0].weight': expected a number of at most 100 digits, "
                                  "got one of 5,000 digits")
    code, _, err = _rubric_check(capsys, path)
    assert code == 2 and "field 'concepts[0].weight'" in one_line_error(err)


def test_a_huge_time_limit_names_its_field(tmp_path: Path) -> None:
    path = write(tmp_path, "q01.yaml", VALID.format(id="q01") + "time_limit_seconds: " + "9" * 5000 + "\n")
    with pytest.raises(RubricError, match="field 'time_limit_seconds': expected a number of at most 100 digits"):
        load_rubric(path)


def test_a_nul_byte_says_where_it_is(tmp_path: Path) -> None:
    path = write(tmp_path, "q01.yaml", VALID.format(id="q01").replace("What is data", "What\x00 is data"))
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert info.value.message.startswith(f"{path}: not valid YAML at line 2, column 15: character U+0000 (a NUL "
                                         "byte) is not allowed")


def test_a_control_character_in_yaml_says_where_it_is(tmp_path: Path) -> None:
    path = write(tmp_path, "q01.yaml", VALID.format(id="q01").replace("model_answer: ", "model_answer: \x1b[2J"))
    with pytest.raises(RubricError, match=r"at line 3, column 15: character U\+001B is not allowed"):
        load_rubric(path)


def test_a_symlink_loop_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.symlink(tmp_path / "q02.yaml", tmp_path / "q01.yaml")
    os.symlink(tmp_path / "q01.yaml", tmp_path / "q02.yaml")
    with pytest.raises(RubricError) as info:
        load_rubric(tmp_path / "q01.yaml")
    assert "symbolic link" in info.value.message and "loop" in info.value.message
    assert "no such file" not in info.value.message
    code, _, err = _rubric_check(capsys, tmp_path / "q01.yaml")
    assert code == 2 and "loop" in one_line_error(err)


def test_a_folder_where_a_rubric_file_is_expected(tmp_path: Path) -> None:
    (tmp_path / "q01.yaml").mkdir()
    with pytest.raises(RubricError, match=f"^{tmp_path / 'q01.yaml'}: is a folder"):
        load_rubric(tmp_path / "q01.yaml")


def test_broken_links_in_a_bank_are_errors_not_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The choice (README, loader): a link that leads nowhere or loops is an error naming it, like a malformed
    file; ``rubric check`` reports each and still checks the rest."""
    bank = tmp_path / "bank"
    shutil.copytree(FIXTURES / "bank", bank)
    os.symlink(bank / "gone.yaml", bank / "dangling.yaml")
    os.symlink(bank / "loop-b.yaml", bank / "loop-a.yaml")
    os.symlink(bank / "loop-a.yaml", bank / "loop-b.yaml")
    with pytest.raises(RubricError, match=f"^{bank / 'dangling.yaml'}: a link to .*gone.yaml, which does not exist"):
        load_bank(bank)
    code, out, err = _rubric_check(capsys, bank)
    assert code == 2
    assert [line.split(": ")[2] for line in err.strip().splitlines()] == [
        str(bank / "dangling.yaml"), str(bank / "loop-a.yaml"), str(bank / "loop-b.yaml")]
    assert "2 of 5 rubric file(s) valid" in out and "Traceback" not in err


# -- size limits ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edit", "field", "limit"),
    [
        (lambda t: t.replace("model_answer: Information", "model_answer: " + "x" * MAX_MODEL_ANSWER_CHARS + " I"),
         "model_answer", f"{MAX_MODEL_ANSWER_CHARS:,} characters"),
        (lambda t: t.replace("question: What", "question: " + "w" * MAX_TEXT_CHARS + " What"),
         "question", f"{MAX_TEXT_CHARS:,} characters"),
        (lambda t: t.replace("statement: Leakage", "statement: " + "s" * MAX_TEXT_CHARS + " Leakage"),
         "concepts[0].statement", f"{MAX_TEXT_CHARS:,} characters"),
        (lambda t: t.replace("label: Definition", "label: " + "l" * MAX_SHORT_TEXT_CHARS + "x"),
         "concepts[0].label", f"{MAX_SHORT_TEXT_CHARS:,} characters"),
        (lambda t: t.replace("cues: [outside the training set]",
                             "cues: [" + ", ".join(f"cue {n}" for n in range(MAX_CUES + 1)) + "]"),
         "concepts[0].cues", f"at most {MAX_CUES:,} items"),
    ],
    ids=["model_answer", "question", "statement", "label", "cues"],
)
def test_a_field_over_its_limit_names_file_field_and_limit(tmp_path: Path, edit, field: str, limit: str) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "q01.yaml", edit(VALID.format(id="q01")))
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = info.value.message
    assert message.startswith(f"{path}: field '{field}': expected ") and limit in message and "the limit" in message
    assert "\n" not in message


def test_a_rubric_file_over_the_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "q01.yaml", VALID.format(id="q01") + "# " + "x" * MAX_RUBRIC_BYTES + "\n")
    with pytest.raises(RubricError, match=f"^{path}: the rubric is larger than 256 KiB, the limit"):
        load_rubric(path)


def test_aliases_cannot_make_loading_slow(tmp_path: Path) -> None:
    """A "billion laughs" of YAML aliases is checked once per node, not once per path through it."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
    path = write(tmp_path, "q01.yaml", "\n".join(lines) + "\n")
    started = time.monotonic()
    with pytest.raises(RubricError, match="field 'id': missing"):
        load_rubric(path)
    assert time.monotonic() - started < 5


# -- INTERVIEWER_CONFIG -------------------------------------------------------------------------------
def test_interviewer_config_naming_a_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(InputError) as info:
        load_settings(environ={"INTERVIEWER_CONFIG": str(missing)})
    assert info.value.message == f"$INTERVIEWER_CONFIG: {missing}: no such file; set it to an existing config file, or unset it"
    assert info.value.exit_code == 2
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(missing))
    assert cli.main(["rubric", "list"]) == 2
    assert "$INTERVIEWER_CONFIG" in one_line_error(capsys.readouterr().err)


def test_interviewer_config_naming_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=rf"^\$INTERVIEWER_CONFIG: {tmp_path}: is a folder"):
        load_settings(environ={"INTERVIEWER_CONFIG": str(tmp_path)})


def test_the_default_config_file_may_be_absent(tmp_path: Path) -> None:
    assert load_settings(environ={}).bank is None  # $INTERVIEWER_CONFIG unset: the default path, absent is fine


def test_deeply_nested_config_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("bank = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match=f"^{config}: not valid TOML"):
        load_settings(environ={"INTERVIEWER_CONFIG": str(config)})


# -- no escape sequences or markup on screen -----------------------------------------------------------
@pytest.fixture
def hostile_bank(tmp_path: Path) -> Path:
    """The fixture bank with terminal escapes and Rich markup in leakage's rubric text."""
    bank = tmp_path / "hostile-bank"
    shutil.copytree(FIXTURES / "bank", bank)
    leakage = bank / "leakage.yaml"
    text = leakage.read_text(encoding="utf-8")
    for plain in ("What is data leakage?", "How would you define data leakage?", "Definition",
                  "Leakage makes the measured performance too optimistic."):
        text = text.replace(plain, f'"[bold]{plain}[/bold]{HOSTILE_YAML}"', 1)
    model_answer = next(line for line in text.splitlines() if line.startswith("model_answer: "))
    text = text.replace(model_answer, f'model_answer: "{HOSTILE_YAML}{model_answer[14:]}"', 1)
    leakage.write_text(text, encoding="utf-8")
    assert ESC in load_rubric(leakage).question  # the escapes really are in the rubric
    return bank


def test_rubric_list_prints_no_escape_sequence(hostile_bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rubric", "list", "--bank", str(hostile_bank)]) == 0
    out = capsys.readouterr().out
    assert_clean(out)
    assert "leakage  [bold]What is data leakage?[/bold]" in out and len(out.splitlines()) == 2


def test_the_plain_round_prints_no_escape_sequence(hostile_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(hostile_bank)
    interview = Interview.start(Store(tmp_path / "s.db"), [bank["leakage"]], bank_name="hostile")
    stdout = io.StringIO()
    answer = f"Leakage {HOSTILE} is information from outside the training set reaching the model.\n\n"
    run_round(interview, BackgroundGrader(lambda: Grader(HashingEmbedder())), io.StringIO(answer), stdout)
    text = stdout.getvalue()
    assert_clean(text)
    assert "[bold]What is data leakage?[/bold]" in text and "Round summary:" in text
    assert Store(tmp_path / "s.db").session(interview.session_id).questions[0].answer.text.startswith(  # type: ignore[union-attr]
        f"Leakage {HOSTILE}")  # what was typed is kept as typed; only the display is cleaned


def test_grade_prints_no_escape_sequence(hostile_bank: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_grader", lambda settings, bank=None, calibration=None: Grader(HashingEmbedder()))
    code = cli.main(["grade", "--bank", str(hostile_bank), "--rubric", "leakage", "--model-answer",
                     "--answer", f"Leakage {HOSTILE} makes the measured performance too optimistic."])
    out = capsys.readouterr().out
    assert code == 0 and "Score:" in out
    assert_clean(out)


@pytest.mark.asyncio
async def test_the_app_shows_rubric_and_answer_text_plainly(hostile_bank: Path, tmp_path: Path) -> None:
    from interviewer.tui.screens.feedback import FeedbackScreen
    from interviewer.tui.screens.summary import SummaryScreen
    from tests.tui_support import app, shown_text, wait_for

    the_app = app(tmp_path, RoundOptions(questions=("leakage",)), bank=hostile_bank)
    async with the_app.run_test(size=(100, 30)) as pilot:
        question = str(the_app.screen.query_one("#question").render())
        assert_clean(question)
        assert "[bold]What is data leakage?[/bold]" in question  # shown as typed, not as bold
        the_app.screen.query_one("#editor").insert(f"Data leakage [red]is[/red] {HOSTILE} when test data leaks.")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        screen = the_app.screen
        shown = {name: shown_text(screen.query_one(name)) for name in
                 ("#feedback-question", "#your-answer", "#grade", "#feedback-hint")}
        shown["model answer"] = str(screen.query("#model-answer Static").last().render())
        for text in shown.values():
            assert_clean(text)
        assert "[red]is[/red]" in shown["#your-answer"]
        assert "[bold]How would you define data leakage?[/bold]" in shown["#feedback-hint"]
        assert "[bold]Definition[/bold]" in shown["#grade"]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="summary")
        cells = [str(getattr(cell, "plain", cell)) for cell in the_app.screen.query_one("#scores").get_row_at(0)]  # type: ignore[attr-defined]
        assert_clean(" ".join(cells))
        assert cells[2].startswith("[bold]What is data leakage?[/bold]")  # the question; its id only after it
        assert_clean(str(the_app.screen.query_one("#summary-text").render()))


@pytest.mark.asyncio
async def test_the_start_screen_lists_questions_plainly(hostile_bank: Path, tmp_path: Path) -> None:
    from tests.tui_support import app

    the_app = app(tmp_path, bank=hostile_bank)
    async with the_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        pick = the_app.screen.query_one("#pick")
        prompts = [str(pick.get_option_at_index(i).prompt) for i in range(pick.option_count)]  # type: ignore[attr-defined]
        assert any("[bold]What is data leakage?[/bold]" in p for p in prompts)
        for prompt in prompts:
            assert_clean(prompt)


def test_rubric_check_prints_file_names_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "\x1b]0;pwned\x07q01.yaml", VALID.format(id="q01"))  # a bad id, named after the file
    (tmp_path / "sub").mkdir()
    write(tmp_path, "q02.yaml", VALID.format(id="q02"))
    write(tmp_path / "sub", "q02.yaml", VALID.format(id="q02"))  # the same id twice
    code, out, err = _rubric_check(capsys, tmp_path)
    assert code == 2 and "is already used by" in err and "1 of 3 rubric file(s) valid" in out
    assert_clean(out + err)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_answer_words = inf\n", "field 'max_answer_words': expected a positive whole number, got inf"),
        ("whisper_beam_size = -inf\n", "field 'whisper_beam_size': expected a whole number from 1 to 10"),
        ("max_record_seconds = 1" + "0" * 400 + "\n", "field 'max_record_seconds': expected seconds between"),
        ("max_answer_words = 1" + "0" * 5000 + "\n", "not valid TOML: a number of more than 4,300 digits"),
    ],
)
def test_infinite_or_huge_numbers_in_the_config_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(InputError, match=f"^{config}: {message}"):
        load_settings(environ={"INTERVIEWER_CONFIG": str(config)})


def test_an_error_line_holds_no_escape_sequence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "\x1b[2J\x1b]0;pwned\x07q01.yaml"
    code = cli.main(["grade", "--bank", str(bad), "--rubric", "q01", "--answer", "x"])
    err = one_line_error(capsys.readouterr().err)
    assert code == 2 and "no such file" in err
    assert_clean(err)
