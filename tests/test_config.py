from __future__ import annotations

from pathlib import Path

import pytest

from interviewer import locations
from interviewer.config import load_settings
from interviewer.errors import InputError
from interviewer.scoring.calibration import Calibration, load_calibration


def test_defaults_use_the_bundled_bank(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.toml", environ={})
    assert settings.bank is None and settings.embedding_model is None
    assert settings.bank_dir() == locations.bundled_bank_dir()
    assert (settings.bank_dir() / "practical-ml").is_dir()


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
