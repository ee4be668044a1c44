"""Microphone choice with a real device (issue 12, item 6): the modal lists PortAudio's inputs with the
PulseAudio null sink running, tests the one highlighted through the real recorder (the meter rises while a
tone plays into the sink, and stays at silence before), and remembers the one chosen in config.toml."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from interviewer.config import load_settings
from interviewer.speech.audio import SAMPLE_RATE
from interviewer.tui import RoundOptions
from interviewer.tui.screens.microphone import MicrophoneModal
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.level_meter import LevelMeter
from tests.speech_support import write_wav
from tests.tui_support import app, shown_text, wait_for

pytestmark = [pytest.mark.asyncio, pytest.mark.audio]

LOUD_DBFS = -30.0  # the tone plays at about -12 dBFS; speech is -30 to -10
SILENT_DBFS = -60.0  # the null sink's monitor before anything plays: digital silence (-120)


async def test_the_null_sink_microphone_is_listed_tested_and_remembered(virtual_mic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seconds = np.arange(int(4.0 * SAMPLE_RATE)) / SAMPLE_RATE
    tone = write_wav(tmp_path / "tone.wav", (0.25 * np.sin(2 * np.pi * 440.0 * seconds)).astype(np.float32))
    levels: list[float] = []

    def hook(message: object) -> None:
        if isinstance(message, MicrophoneModal.Level):
            levels.append(message.level)

    the_app = app(tmp_path, RoundOptions(questions=("scaling",), mode="voice"), start=False)
    async with the_app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await pilot.click("#microphone")
        await wait_for(pilot, lambda: isinstance(the_app.screen, MicrophoneModal), what="the microphone modal")
        modal = the_app.screen
        assert isinstance(modal, MicrophoneModal)
        await wait_for(pilot, lambda: bool(modal.devices), timeout=15, what="the inputs listed")
        names = [d.name for d in modal.devices]
        assert "pulse" in names, names
        listing = modal.query_one("#mic-list")
        listing.highlighted = 1 + names.index("pulse")  # type: ignore[attr-defined]
        status = modal.query_one("#mic-status")
        await wait_for(pilot, lambda: "Listening to pulse" in shown_text(status), timeout=15, what="the test")
        levels.clear()  # from here on, the levels of this device
        await pilot.pause(1.0)
        assert levels and max(levels) < SILENT_DBFS  # nothing plays yet: the meter shows silence
        player = virtual_mic.play(tone)
        meter = modal.query_one(LevelMeter)
        await wait_for(pilot, lambda: meter.level > LOUD_DBFS, timeout=15, what="the meter rising with the tone")
        await asyncio.to_thread(lambda: player.wait(timeout=30))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(the_app.screen, StartScreen), what="back to the start screen")
        assert shown_text(the_app.screen.query_one("#mic-name")) == "pulse"
    assert the_app.services.settings.input_device == "pulse"
    assert load_settings().input_device == "pulse"
    assert Path(os.environ["INTERVIEWER_CONFIG"]).read_text() == 'input_device = "pulse"\n'
    await asyncio.sleep(0.5)  # the test's worker closes the device and deletes its file
    assert not list(Path(tempfile.gettempdir()).glob(f"interviewer-mic-test-{os.getpid()}-*"))
