from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from interviewer import locations
from interviewer.config import _EXPECTED, ENV_VARS, Settings, load_settings
from interviewer.errors import InputError
from interviewer.scoring.calibration import Calibration, load_calibration
from tests.conftest import ISOLATED_SETTINGS_ENV, REPO, cli_env


def test_defaults_use_the_bundled_bank(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.toml", environ={})
    assert settings.bank is None and settings.embedding_model is None
    assert settings.bank_dir() == locations.bundled_bank_dir()
    assert settings.bank_dir().name == "practical-ml" and (settings.bank_dir() / "q01.yaml").is_file()


def test_file_then_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('bank = "~/qs"\nembedding_model = "/models/x"\nmax_answer_words = 100\n')
    settings = load_settings(config, environ={"INTERVIEWER_MAX_ANSWER_WORDS": "7"})
    assert settings.bank == Path("~/qs").expanduser()
    assert settings.embedding_model == "/models/x"
    assert settings.max_answer_words == 7


def test_config_env_var_points_at_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "other.toml"
    config.write_text('bank = "/srv/bank"\n')
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(config))
    assert load_settings().bank == Path("/srv/bank")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bank = [1]\n", "field 'bank': expected a folder path"),
        ("max_answer_words = -3\n", "field 'max_answer_words': expected a positive whole number"),
        ("colour = 'red'\n", "unknown field 'colour'"),
        ("embedding_precision = 'fp8'\n", "field 'embedding_precision': expected auto, float32 or bfloat16"),
        ("bank = \n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        load_settings(config, environ={})
    assert str(config) in info.value.message


def test_shipped_calibration_loads_and_round_trips(tmp_path: Path) -> None:
    calibration = load_calibration()
    assert set(calibration.profiles) >= {"rubric", "reference"}
    assert calibration["rubric"].coef and calibration["rubric"].source
    assert calibration["unknown-profile"] == calibration["rubric"]
    path = tmp_path / "c.json"
    path.write_text(calibration.to_json())
    assert load_calibration(path) == calibration


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"kind": "linear"}', "field 'profiles'"),
        ('{"profiles": {"rubric": {"kind": "pickle"}}}', "profiles.rubric: field 'kind'"),
        ('{"profiles": {"rubric": {"kind": "linear", "coef": 3}}}', "profiles.rubric: field 'coef'"),
        ('{"profiles": {"rubric": {"kind": "linear", "coef": {}, "intercept": "x"}}}', "field 'intercept'"),
    ],
)
def test_bad_calibration_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_calibration(path)


def test_calibration_clips_and_rounds() -> None:
    calibration = Calibration({"a": 10.0, "b": -1.0}, intercept=0.04)
    assert calibration.score({"a": 0.5, "b": 1.0}) == 4.04
    assert calibration.score({"a": 5.0}) == 10.0
    assert calibration.score({"b": 50.0}) == 0.0


def test_logistic_calibration() -> None:
    calibration = Calibration({"a": 4.0}, intercept=-2.0, kind="logistic")
    assert calibration.score({"a": 0.5}) == 5.0
    assert calibration.score({"a": 100.0}) == 10.0
    assert 0.0 <= calibration.score({"a": -100.0}) < 0.01


def test_database_from_data_folder_file_or_environment(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml", environ={}).database_path() == locations.data_dir() / "interviewer.db"
    config = tmp_path / "config.toml"
    config.write_text('database = "~/interviews.db"\n')
    assert load_settings(config, environ={}).database_path() == Path("~/interviews.db").expanduser()
    env = load_settings(config, environ={"INTERVIEWER_DATABASE": str(tmp_path / "x.db")})
    assert env.database_path() == tmp_path / "x.db"


# -- the settings model (issue 11, item 6) ---------------------------------------------------------------
def test_every_setting_has_a_docstring_a_variable_and_an_expectation() -> None:
    for name, info in Settings.__pydantic_fields__.items():
        assert info.description and len(info.description) > 20, f"{name}: no docstring under the field"
        assert ENV_VARS[name] == "INTERVIEWER_" + name.upper()
        assert _EXPECTED[name]
    assert list(ENV_VARS) == [f.name for f in dataclasses.fields(Settings)]


def test_the_test_isolation_list_is_the_settings_variables() -> None:
    derived = tuple("INTERVIEWER_" + name.upper() for name in Settings.__pydantic_fields__)
    assert ISOLATED_SETTINGS_ENV == derived
    assert "INTERVIEWER_DATABASE" in ISOLATED_SETTINGS_ENV  # the one the hand-written list missed


def test_no_setting_variable_is_set_inside_a_test() -> None:
    assert [name for name in ENV_VARS.values() if name in os.environ] == []


def test_setting_variables_of_the_developer_do_not_reach_tests(tmp_path: Path) -> None:
    """With every setting variable set (a real database among them), a test still sees none of them."""
    env = cli_env()
    env.update({variable: str(tmp_path / "real-user-value") for variable in ENV_VARS.values()})
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             f"{__file__}::test_no_setting_variable_is_set_inside_a_test"],
                            check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
    assert not (tmp_path / "real-user-value").exists()


def test_settings_validate_on_replace() -> None:
    """``dataclasses.replace`` (how --bank overrides the settings) validates like the file does."""
    settings = dataclasses.replace(Settings(), bank=Path("/srv/bank"), max_answer_words=10)
    assert (settings.bank, settings.max_answer_words) == (Path("/srv/bank"), 10)
    with pytest.raises(ValidationError):
        dataclasses.replace(settings, max_answer_words=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.bank = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_answer_words = 7.5\n", "field 'max_answer_words': expected a positive whole number, got 7.5$"),
        ("max_answer_words = true\n", "field 'max_answer_words': expected a positive whole number, got True$"),
        ("max_record_seconds = true\n", "field 'max_record_seconds': expected seconds between 0 and 14400, got True$"),
        ("bank = 5\n", "field 'bank': expected a folder path \\(string\\), got 5$"),
        ("bank = '  '\n", "field 'bank': expected a folder path \\(string\\), got '  '$"),
        ("[bank]\npath = 'x'\n", "field 'bank': expected a folder path \\(string\\), got \\{'path': 'x'\\}$"),
        ("[paths]\nbank = 'x'\n", "unknown field 'paths'; expected one of: bank, database, "),
        ("transcriber = 'vosk'\n", "field 'transcriber': expected faster-whisper or openai-whisper, got 'vosk'$"),
        ("bank = " + "[" * 50 + "]" * 50 + "\n", r"field 'bank': expected a folder path \(string\), got \[\[\[\.\.\.\]\]\]$"),
        ("whisper_language = '" + "x" * 5000 + "'\n", "field 'whisper_language': .*, got 'x{20,30}\\.\\.\\.x{20,30}'$"),
    ],
)
def test_bad_values_are_one_bounded_line(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(InputError, match=f"^{config}: {message}") as info:
        load_settings(config, environ={})
    assert "\n" not in info.value.message and len(info.value.message) < 400  # the list of fields grows with the settings


def test_a_bad_variable_names_the_variable_and_a_bad_file_value_is_not_hidden_by_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^\$INTERVIEWER_WHISPER_BEAM_SIZE: field 'whisper_beam_size': expected a "
                                         r"whole number from 1 to 10, got '11'$"):
        load_settings(tmp_path / "none.toml", environ={"INTERVIEWER_WHISPER_BEAM_SIZE": "11"})
    config = tmp_path / "config.toml"
    config.write_text("whisper_beam_size = 99\n")
    with pytest.raises(InputError, match=f"^{config}: field 'whisper_beam_size'"):
        load_settings(config, environ={"INTERVIEWER_WHISPER_BEAM_SIZE": "3"})
    config.write_text("whisper_beam_size = 2\n")
    assert load_settings(config, environ={"INTERVIEWER_WHISPER_BEAM_SIZE": "3", "INTERVIEWER_BANK": ""}).whisper_beam_size == 3
    assert load_settings(config, environ={"INTERVIEWER_BANK": ""}).bank is None  # an empty variable is unset


def test_values_are_read_as_before(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('whisper_model = "  /m/x  "\ninput_device = 2\nmax_record_seconds = 90\ndatabase = "~/i.db"\n')
    settings = load_settings(config, environ={"INTERVIEWER_MAX_ANSWER_WORDS": " 12 "})
    assert (settings.whisper_model, settings.input_device, settings.max_record_seconds) == ("/m/x", "2", 90.0)
    assert settings.database == Path("~/i.db").expanduser() and settings.max_answer_words == 12
    assert isinstance(settings.max_record_seconds, float)
