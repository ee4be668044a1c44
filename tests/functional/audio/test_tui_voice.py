"""A spoken round in the app, end to end: record from the PulseAudio null-sink microphone while a clip of
espeak-ng speech plays into it, transcribe with the real Whisper base, edit the transcript, submit, grade."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from interviewer.store import Store
from interviewer.tui import RoundOptions
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.widgets.level_meter import LevelMeter
from interviewer.tui.widgets.voice_panel import VoicePanel
from tests.speech_support import wer
from tests.tui_support import app, shown_text, wait_for

pytestmark = [pytest.mark.asyncio, pytest.mark.audio, pytest.mark.whisper]

SPOKEN = ("Feature scaling puts features on comparable ranges. Models that use distances, such as nearest "
          "neighbours, need scaled features.")
ADDED = " Fit the scaler on the training data only."


async def test_a_spoken_round_records_transcribes_and_grades(virtual_mic, speak, whisper, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clip = speak(SPOKEN)
    levels: list[float] = []

    def hook(message: object) -> None:
        if isinstance(message, VoicePanel.LevelMeasured):
            levels.append(message.level)

    the_app = app(tmp_path, RoundOptions(questions=("scaling",), mode="voice"), settings={"input_device": "pulse"},
                  load_transcriber=lambda: whisper)
    async with the_app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await wait_for(pilot, lambda: the_app.speech_state == "ready", timeout=60, what="speech ready")
        panel = the_app.screen.query_one(VoicePanel)
        assert not the_app.screen.query_one("#editor").display  # the editor waits for the transcript
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: panel.state == "recording", what="recording")
        assert the_app.screen.query_one(LevelMeter).display
        await pilot.pause(0.5)
        await asyncio.to_thread(lambda: virtual_mic.play(clip).wait(timeout=30))
        await pilot.pause(0.7)
        assert the_app.screen.query_one(LevelMeter).seconds > 2
        await pilot.press("ctrl+r")  # stop
        await wait_for(pilot, lambda: panel.state == "done", timeout=60, what="the transcript")
        editor = the_app.screen.query_one("#editor")
        transcript = editor.text  # type: ignore[attr-defined]
        assert wer(SPOKEN, transcript) <= 0.35, transcript
        assert max(levels) > -35 and min(levels) < -60  # loud while the clip played, silent before
        editor.insert(ADDED, editor.document.end)  # type: ignore[attr-defined]  (edited before it is submitted)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), timeout=60, what="feedback")
        shown = shown_text(the_app.screen.query_one("#grade"))
        assert "Delivery" in shown and "Pace" in shown
        session = the_app.interview.session_id  # type: ignore[union-attr]
    answer = Store(tmp_path / "sessions.db").session(session).questions[0].answer
    assert answer is not None and answer.mode == "voice" and answer.text == transcript + ADDED
    assert answer.audio_path and Path(answer.audio_path).is_file()
    assert answer.transcript is not None and answer.transcript["text"] == transcript
    assert answer.delivery is not None and answer.delivery["word_count"] > 10
    assert answer.grade is not None and answer.score is not None and answer.score > 0
