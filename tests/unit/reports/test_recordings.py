"""Recordings are user data (issue 12, item 5): where they go (a clone's recordings/, else the data folder; the
``recordings`` setting; ``--recordings DIR``), one folder per session, and reports that link them relative to
the report (``--copy-audio`` puts them beside it), never by absolute path."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from interviewer import cli, locations
from interviewer.cli.common import settings_of
from interviewer.config import ENV_VARS, load_settings
from interviewer.errors import InputError
from interviewer.reports import get_writer, session_report
from interviewer.reports.base import audio_relpath
from interviewer.reports.recordings import copy_recordings
from interviewer.rubrics import load_bank
from interviewer.store import Store
from tests.report_support import DELIVERY, GOOD_SCALING, WEAK_LEAKAGE, graded_session
from tests.tui_support import services

pytestmark = pytest.mark.usefixtures("fake_cli_grader")


def test_a_clone_keeps_recordings_in_its_folder_an_installed_copy_in_the_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clone = tmp_path / "clone"
    (clone / "interviewer").mkdir(parents=True)
    (clone / "recordings").mkdir()
    (clone / "pyproject.toml").touch()
    monkeypatch.setattr(locations, "PACKAGE_DIR", clone / "interviewer")
    assert locations.recordings_dir() == clone / "recordings"
    site = tmp_path / "site-packages"
    (site / "interviewer").mkdir(parents=True)
    monkeypatch.setattr(locations, "PACKAGE_DIR", site / "interviewer")
    assert locations.recordings_dir() == locations.data_dir() / "recordings"


def test_the_setting_its_variable_and_the_flag_move_them(tmp_path: Path) -> None:
    assert ENV_VARS["recordings"] == "INTERVIEWER_RECORDINGS"
    assert load_settings(environ={}).recordings_dir() == locations.recordings_dir()
    config = tmp_path / "config.toml"
    config.write_text('recordings = "~/interview-audio"\n')
    assert load_settings(config, environ={}).recordings_dir() == Path.home() / "interview-audio"
    assert load_settings(config, environ={"INTERVIEWER_RECORDINGS": str(tmp_path / "env")}).recordings_dir() == \
        tmp_path / "env"
    config.write_text("recordings = 3\n")
    with pytest.raises(InputError, match=r"config.toml: field 'recordings': expected a folder path \(string\), got 3"):
        load_settings(config, environ={})
    flag = argparse.Namespace(recordings=str(tmp_path / "flag"))
    assert settings_of(flag).recordings_dir() == tmp_path / "flag"
    (tmp_path / "a-file").touch()
    with pytest.raises(InputError, match=r"^--recordings: .*a-file: not a folder$"):
        settings_of(argparse.Namespace(recordings=str(tmp_path / "a-file")))


def test_each_session_has_its_folder(tmp_path: Path) -> None:
    given = services(tmp_path)
    path = given.recording_path(12)
    assert path.parent == tmp_path / "recordings" / "session-12" and path.parent.is_dir()
    assert path.suffix == ".wav" and not path.exists()
    blocked = tmp_path / "blocked"
    blocked.touch()
    given.recordings_dir = lambda: blocked
    with pytest.raises(InputError, match=r"blocked/session-1: cannot make the recordings folder"):
        given.recording_path(1)


def test_record_command_refuses_a_file_as_the_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "f").touch()
    assert cli.main(["record", "--recordings", str(tmp_path / "f"), "--seconds", "1"]) == 2
    assert capsys.readouterr().err.strip().endswith("f: not a folder")


def test_record_command_refuses_a_file_the_setting_names(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "f").touch()
    monkeypatch.setenv("INTERVIEWER_RECORDINGS", str(tmp_path / "f"))
    assert cli.main(["record", "--seconds", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("f: not a folder; set `recordings` to a folder, or pass -o FILE or --recordings DIR")
    assert "\n" not in err


# -- reports -------------------------------------------------------------------------------------------
@pytest.fixture
def spoken_session(fixture_bank: Path, tmp_path: Path) -> tuple[Path, Path, int, Path]:
    """A stored session whose first answer was spoken, its recording in ``recordings/session-N/``."""
    recording = tmp_path / "home" / "me" / "recordings" / "session-1" / "answer 1.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"RIFF fake wav")
    voice = {"audio_path": str(recording), "delivery": DELIVERY,
             "transcript": {"text": GOOD_SCALING, "segments": [], "language": "en", "duration": 21.0}}
    db = tmp_path / "s.db"
    sid = graded_session(db, fixture_bank, {"scaling": GOOD_SCALING, "leakage": WEAK_LEAKAGE}, voice=voice)
    return db, fixture_bank, sid, recording


def test_links_are_relative_to_the_report_and_never_absolute(spoken_session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, bank_dir, sid, recording = spoken_session
    with Store(db) as store:
        report = session_report(store.session(sid), load_bank(bank_dir))
    elsewhere = tmp_path / "shared" / "reports"
    elsewhere.mkdir(parents=True)
    assert audio_relpath(str(recording), elsewhere) == "../../home/me/recordings/session-1/answer 1.wav"
    assert audio_relpath(str(recording), recording.parent.parent) == "session-1/answer 1.wav"
    for fmt in ("md", "html", "json"):
        text = get_writer(fmt, elsewhere).render(report)
        assert str(tmp_path) not in text and "file:" not in text, fmt
        assert "home/me/recordings/session-1/answer" in text, fmt
    data = json.loads(get_writer("json", elsewhere).render(report))
    assert data["items"][0]["audio_path"] == "../../home/me/recordings/session-1/answer 1.wav"


def test_copy_audio_puts_the_recordings_beside_the_report(spoken_session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, bank_dir, sid, recording = spoken_session
    with Store(db) as store:
        report = session_report(store.session(sid), load_bank(bank_dir))
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    copied, notes = copy_recordings(report, target)
    copy = target.parent / "report-recordings" / "q1-answer 1.wav"
    assert notes == () and copy.read_bytes() == recording.read_bytes()
    html = get_writer("html", target.parent).render(copied)
    assert 'href="report-recordings/q1-answer%201.wav"' in html and str(tmp_path) not in html
    recording.unlink()  # a recording that is gone keeps its (relative) link, with a note
    _, notes = copy_recordings(report, tmp_path / "out" / "again.md")
    assert notes == ("question 1: recording answer 1.wav not found; not copied",)


def test_report_command_copy_audio(spoken_session, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    db, bank_dir, sid, _ = spoken_session
    monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
    out = tmp_path / "share" / "s.md"
    out.parent.mkdir()
    assert cli.main(["report", str(sid), "--bank", str(bank_dir), "-o", str(out), "--copy-audio"]) == 0
    text = out.read_text()
    assert "(<s-recordings/q1-answer%201.wav>)" in text and str(tmp_path) not in text
    assert (out.parent / "s-recordings" / "q1-answer 1.wav").is_file()
    assert cli.main(["report", str(sid), "--bank", str(bank_dir), "--copy-audio"]) == 2
    assert "--copy-audio: give -o FILE" in capsys.readouterr().err
