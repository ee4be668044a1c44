"""Microphone choice (issue 12, item 6) and the meter on a new take, with fake devices and recorders: the
start screen's Microphone row and the palette open one modal that lists the inputs, tests the highlighted one
on the level meter and remembers the one chosen in config.toml (other lines kept); with no microphone it says
so and typed answers still work. Re-recording starts the meter at zero, not at the last take's time."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from interviewer.config import load_settings
from interviewer.speech.devices import NO_PORTAUDIO, AudioDeviceError
from interviewer.tui import RoundOptions
from interviewer.tui.app import InterviewerApp
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.microphone import MicrophoneModal
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.level_meter import LevelMeter
from interviewer.tui.widgets.voice_panel import VoicePanel
from tests.fakes import FakeMicrophones, FakeTranscriber
from tests.tui_support import app, shown_text, wait_for

pytestmark = pytest.mark.asyncio

CONFIG = "# my settings\nmax_record_seconds = 300  # five minutes is plenty\n"


def mic_app(tmp_path: Path, microphones: FakeMicrophones, *, start: bool = False, **kwargs: Any) -> InterviewerApp:
    kwargs.setdefault("list_microphones", microphones.list)
    kwargs.setdefault("check_microphone", lambda: "mic")
    return app(tmp_path, RoundOptions(questions=("scaling",), mode="voice"), start=start,
               load_transcriber=FakeTranscriber, make_recorder=microphones.recorder, **kwargs)


def config_file() -> Path:
    return Path(os.environ["INTERVIEWER_CONFIG"])  # conftest's isolated config


async def open_modal(pilot: Any, the_app: InterviewerApp) -> MicrophoneModal:
    await wait_for(pilot, lambda: isinstance(the_app.screen, MicrophoneModal), what="the microphone modal")
    modal = the_app.screen
    assert isinstance(modal, MicrophoneModal)
    await wait_for(pilot, lambda: "Looking" not in shown_text(modal.query_one("#mic-hint")), what="the listing")
    return modal


async def test_the_start_screen_lists_tests_and_remembers_the_microphone(tmp_path: Path) -> None:
    config_file().write_text(CONFIG)
    microphones = FakeMicrophones()
    the_app = mic_app(tmp_path, microphones)
    async with the_app.run_test(size=(80, 24)) as pilot:
        assert isinstance(the_app.screen, StartScreen)
        assert shown_text(the_app.screen.query_one("#mic-name")) == "the system default"
        await pilot.click("#microphone")
        modal = await open_modal(pilot, the_app)
        listing = modal.query_one("#mic-list")
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]  # type: ignore[attr-defined]
        assert prompts == ["System default  (Built-in Microphone)", "Built-in Microphone  (ALSA)", "USB Headset  (ALSA)"]
        assert listing.highlighted == 0 and listing.has_focus  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: len(microphones.recorders) == 1 and microphones.recorders[0].started)
        first = microphones.recorders[0]
        assert first.spec is None  # the system default is tested
        first.level(-18.0)
        meter = modal.query_one(LevelMeter)
        await wait_for(pilot, lambda: meter.level == -18.0, what="the level of the default input")
        assert "-18.0 dB" in str(meter.render()) and "REC" not in str(meter.render())
        assert "Listening to Built-in Microphone" in shown_text(modal.query_one("#mic-status"))
        await pilot.press("down", "down")  # the USB headset: the test moves to it
        await wait_for(pilot, lambda: len(microphones.recorders) == 3 and microphones.recorders[2].started)
        assert microphones.recorders[2].spec == "1" and meter.level == -120.0
        await wait_for(pilot, lambda: first.cancelled and microphones.recorders[1].cancelled, what="tests closed")
        assert not first.path.exists()  # the test's temporary file is gone
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(the_app.screen, StartScreen), what="back to the start screen")
        await pilot.pause()
        assert the_app.services.settings.input_device == "USB Headset"
        assert shown_text(the_app.screen.query_one("#mic-name")) == "USB Headset"
        assert any("Recording from USB Headset (remembered)" in n.message for n in the_app._notifications)
        await wait_for(pilot, lambda: all(r.cancelled for r in microphones.recorders), what="every test closed")
        # Start the round: the answer is recorded from the chosen microphone.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen) and the_app.speech_state == "ready")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: the_app.screen.query_one(VoicePanel).state == "recording", what="recording")
        assert microphones.recorders[-1].spec == "USB Headset"
    assert config_file().read_text() == CONFIG + 'input_device = "USB Headset"\n'  # the rest kept as it was
    assert load_settings().input_device == "USB Headset"  # remembered for the next start


async def test_the_palette_opens_it_and_escape_keeps_the_microphone(tmp_path: Path) -> None:
    config_file().write_text('input_device = "USB"\n')
    microphones = FakeMicrophones()
    the_app = mic_app(tmp_path, microphones, start=True, settings={"input_device": "USB"})
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Microphone")
        await pilot.pause(0.3)
        await pilot.press("enter")
        modal = await open_modal(pilot, the_app)
        assert modal.query_one("#mic-list").highlighted == 2  # type: ignore[attr-defined]  ("USB": the headset)
        await wait_for(pilot, lambda: bool(microphones.recorders) and microphones.recorders[-1].started)
        assert microphones.recorders[-1].spec == "1"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen), what="the modal closed")
        await wait_for(pilot, lambda: microphones.recorders[-1].cancelled, what="the test closed")
        assert the_app.services.settings.input_device == "USB"
        # Not while an answer is being recorded: the modal would open the microphone a second time.
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: the_app.screen.query_one(VoicePanel).state == "recording", what="recording")
        from interviewer.tui.screens.microphone import choose_microphone

        choose_microphone(the_app)
        await pilot.pause()
        assert isinstance(the_app.screen, InterviewScreen)
        assert any("Stop recording first" in n.message for n in the_app._notifications)
    assert config_file().read_text() == 'input_device = "USB"\n'
    # The app quit while that answer was recording: the take is cancelled, so its worker thread ends (it
    # waited on the microphone for good, and pytest hung after its summary on a CI run).
    answer = microphones.recorders[-1]
    deadline = time.monotonic() + 5
    while not answer.cancelled and time.monotonic() < deadline:
        time.sleep(0.05)
    assert answer.cancelled


@pytest.mark.parametrize("listing", [[], AudioDeviceError(NO_PORTAUDIO)], ids=["no-input", "no-portaudio"])
async def test_with_no_microphone_it_says_so_and_typed_answers_still_work(tmp_path: Path, listing: Any) -> None:
    def devices() -> list[Any]:
        if isinstance(listing, Exception):
            raise listing
        return listing

    microphones = FakeMicrophones()
    the_app = mic_app(tmp_path, microphones, list_microphones=devices)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#microphone")
        modal = await open_modal(pilot, the_app)
        hint = shown_text(modal.query_one("#mic-hint"))
        assert ("no microphone found" if not listing else "PortAudio library") in hint
        assert "You can still type your answers" in hint and "interviewer practice" not in hint
        assert not modal.query_one("#mic-list").display and not modal.query_one("#mic-use").display
        assert not microphones.recorders  # nothing to test
        await pilot.press("enter")  # Close has the focus
        await wait_for(pilot, lambda: isinstance(the_app.screen, StartScreen), what="back to the start screen")
        await pilot.click("#typed")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen), what="a typed round")
        assert the_app.screen.query_one("#editor").display
    assert the_app.services.settings.input_device is None


async def test_re_recording_starts_the_meter_at_zero_not_at_the_last_take(tmp_path: Path) -> None:
    microphones = FakeMicrophones()
    the_app = mic_app(tmp_path, microphones, start=True)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen) and the_app.speech_state == "ready")
        panel = the_app.screen.query_one(VoicePanel)
        meter = the_app.screen.query_one(LevelMeter)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: panel.state == "recording", what="the first take")
        first = microphones.recorders[-1]
        first.level(-20.0, 5.3)
        await wait_for(pilot, lambda: meter.seconds == 5.3, what="the first take's time")
        await pilot.press("ctrl+r")  # stop
        await wait_for(pilot, lambda: panel.state == "done", what="the first take transcribed")
        microphones.hold()  # the device takes a while to open: the meter shows before any level arrives
        try:
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: panel.state == "starting" and len(microphones.recorders) == 2)
            await pilot.pause()
            assert meter.display and meter.seconds == 0.0 and meter.level == -120.0
            assert "  0.0 s /" in str(meter.render())
            first.level(-10.0, 5.4)  # a late block of the take before is not shown
            await pilot.pause(0.2)
            assert meter.seconds == 0.0
        finally:
            microphones.release()
        await wait_for(pilot, lambda: panel.state == "recording", what="the second take")
        microphones.recorders[-1].level(-25.0, 0.1)
        await wait_for(pilot, lambda: meter.seconds == 0.1, what="the second take's time")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: panel.state == "done")


async def test_choosing_a_microphone_after_a_failed_check_tries_again(tmp_path: Path) -> None:
    config_file().write_text("")
    microphones = FakeMicrophones()
    checks: list[str] = []

    def check() -> str:  # the first check fails (the default input was unplugged), later ones pass
        checks.append("checked")
        if len(checks) == 1:
            raise AudioDeviceError("no microphone found; you can type your answers instead")
        return "mic"

    the_app = mic_app(tmp_path, microphones, start=True, check_microphone=check)
    async with the_app.run_test(size=(80, 24)) as pilot:
        from interviewer.tui.screens.error import ErrorModal

        await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal), what="spoken answers are not available")
        assert the_app.speech_state == "failed"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen), what="the question")
        from interviewer.tui.screens.microphone import choose_microphone

        choose_microphone(the_app)
        await pilot.pause()  # composed before open_modal looks inside
        await open_modal(pilot, the_app)
        await pilot.press("down", "enter")  # the built-in microphone
        await wait_for(pilot, lambda: the_app.speech_state == "ready", what="speech loaded on the second try")
        assert len(checks) == 2
