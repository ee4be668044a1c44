"""Recordings in the app, with the real recorder on the PulseAudio null-sink microphone: each take goes in the
session's folder; a take recorded over, or dropped for typing, is deleted; the submitted one is kept."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from interviewer.store import Store
from interviewer.tui import RoundOptions
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.widgets.voice_panel import VoicePanel
from tests.fakes import FakeTranscriber
from tests.tui_support import app, wait_for

pytestmark = [pytest.mark.asyncio, pytest.mark.audio]


async def _take(pilot, panel: VoicePanel, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    """Record a short take (silence from the null sink) and stop: the file it left."""
    before = set(folder.glob("*.wav")) if folder.is_dir() else set()
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: panel.state == "recording", timeout=20, what="recording")
    await pilot.pause(0.4)
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: panel.state == "done", timeout=20, what="the take")
    (new,) = set(folder.glob("*.wav")) - before
    return new


async def test_discarded_takes_are_deleted_and_the_submitted_one_kept(virtual_mic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    the_app = app(tmp_path, RoundOptions(questions=("scaling", "leakage"), mode="voice"),
                  settings={"input_device": "pulse"}, load_transcriber=FakeTranscriber)
    the_app.services.now = datetime.now  # the tests' frozen clock would give every take the same name
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.speech_state == "ready", timeout=60, what="speech ready")
        session = the_app.interview.session_id  # type: ignore[union-attr]
        folder = tmp_path / "recordings" / f"session-{session}"
        panel = the_app.screen.query_one(VoicePanel)
        first = await _take(pilot, panel, folder)
        second = await _take(pilot, panel, folder)  # re-record: the first take is discarded
        assert not first.exists() and second.is_file()
        await pilot.press("ctrl+t")  # type instead: the take is discarded too
        await pilot.pause()
        assert not second.exists()
        the_app.screen.query_one("#editor").insert("Typed after all.")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), timeout=60, what="feedback")
        assert list(folder.glob("*.wav")) == []
        the_app.answer_mode = "voice"  # back to speaking (ctrl+t switched the round to typing)
        the_app.next_question()
        await wait_for(pilot, lambda: bool(the_app.screen.query(VoicePanel)), what="the next question")
        panel = the_app.screen.query_one(VoicePanel)
        kept = await _take(pilot, panel, folder)
        the_app.screen.query_one("#editor").insert("Spoken, with a word typed in.")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), timeout=60, what="feedback")
    assert kept.is_file() and list(folder.glob("*.wav")) == [kept]
    answer = Store(tmp_path / "sessions.db").session(session).questions[1].answer
    assert answer is not None and answer.mode == "voice" and answer.audio_path == str(kept)
