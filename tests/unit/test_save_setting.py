"""``config.save_setting``: the app remembers a setting (the microphone) in the user's config.toml by changing
that one line, never the others, and refuses to write a file it cannot change safely."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from interviewer.config import load_settings, save_setting
from interviewer.errors import InputError
from interviewer.store import Store
from interviewer.tui.services import Services

MINE = ("# my settings\n"
        "bank = \"~/questions\"   # my own bank\n"
        "input_device = 'old mic'\n"
        "\n"
        "max_record_seconds = 300\n")


def test_the_line_is_changed_in_place_and_every_other_line_kept(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(MINE)
    config.chmod(0o600)
    assert save_setting("input_device", "USB Headset", config, environ={}) == config
    assert config.read_text() == MINE.replace("input_device = 'old mic'", 'input_device = "USB Headset"')
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    save_setting("input_device", None, config, environ={})  # the system default again: the line goes
    assert config.read_text() == MINE.replace("input_device = 'old mic'\n", "")
    save_setting("input_device", "3", config, environ={})  # absent: added at the end
    assert config.read_text().endswith('max_record_seconds = 300\ninput_device = "3"\n')
    assert load_settings(config, environ={}).input_device == "3"


@pytest.mark.parametrize("name", ['Mic "Pro" \\ 2', "Микрофон 🎤", "tab\there", "del\x7f", "new\nline"])
def test_any_device_name_reads_back_as_it_was(tmp_path: Path, name: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text("max_record_seconds = 60")  # no newline at the end
    save_setting("input_device", name, config, environ={})
    assert load_settings(config, environ={}).input_device == name.strip()
    assert load_settings(config, environ={}).max_record_seconds == 60


def test_a_missing_file_and_folder_are_made(tmp_path: Path) -> None:
    config = tmp_path / "new" / "config.toml"
    save_setting("input_device", "pulse", config, environ={})
    assert config.read_text() == 'input_device = "pulse"\n'


def test_the_file_the_variable_names_is_written_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "interviewer.toml"
    target.parent.mkdir()
    target.write_text("speak_questions = false\n")
    link = tmp_path / "config.toml"
    link.symlink_to(target)
    save_setting("input_device", "pulse", environ={"INTERVIEWER_CONFIG": str(link)})
    assert link.is_symlink() and target.read_text() == 'speak_questions = false\ninput_device = "pulse"\n'


@pytest.mark.parametrize("text", [
    "input_device = \"\"\"a\nbank = \"b\"\n\"\"\"\n",  # the value spans lines: changing one line would break it
    "bank = \n",  # not valid TOML now: left for the user to fix
])
def test_a_file_it_cannot_change_safely_is_left_as_it_was(tmp_path: Path, text: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(InputError, match=r"config.toml: "):
        save_setting("input_device", "pulse", config, environ={})
    assert config.read_text() == text
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary file left


def test_a_value_the_next_start_would_refuse_is_not_written(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(MINE)
    with pytest.raises(InputError, match=r"field 'max_record_seconds'"):
        save_setting("max_record_seconds", -1, config, environ={})
    with pytest.raises(InputError, match=r"unknown setting 'microphone'"):
        save_setting("microphone", "x", config, environ={})
    assert config.read_text() == MINE


def test_choosing_a_microphone_says_when_it_will_not_stick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Path(os.environ["INTERVIEWER_CONFIG"])  # conftest's isolated file
    services = Services(settings=load_settings(), store=Store(tmp_path / "s.db"))
    assert services.choose_microphone("USB") is None
    assert services.settings.input_device == "USB" and load_settings().input_device == "USB"
    monkeypatch.setenv("INTERVIEWER_INPUT_DEVICE", "pulse")
    problem = services.choose_microphone("Headset")
    assert problem is not None and "$INTERVIEWER_INPUT_DEVICE chooses another microphone" in problem
    assert services.settings.input_device == "Headset"  # this run records from it all the same
    config.write_text("bank = \n")  # broken by hand meanwhile: not overwritten
    problem = services.choose_microphone(None)
    assert problem is not None and problem.startswith("used for this run only: ") and "not valid TOML" in problem
    assert services.settings.input_device is None and config.read_text() == "bank = \n"
