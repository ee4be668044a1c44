"""The interviewer's voice played for real: Piper -> PortAudio -> a PulseAudio null sink -> PortAudio -> Whisper.

The virtual microphone records the sink's monitor, so what the player plays is what the recorder hears.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from interviewer.speech.audio import FRAME_SECONDS, frame_levels_dbfs, load_audio
from interviewer.speech.playback import NoOutput, Player, find_output_device
from interviewer.speech.recorder import Recorder
from interviewer.speech.transcriber import transcribe_file
from interviewer.speech.tts import Synthesizer
from tests.speech_support import piper_voice, wer

pytestmark = pytest.mark.audio

QUESTION = "How would you explain the difference between bagging and boosting to a new colleague?"


@pytest.fixture
def piper(request: pytest.FixtureRequest) -> Synthesizer:
    return piper_voice(request)


def test_the_sink_is_an_output(virtual_mic) -> None:  # type: ignore[no-untyped-def]
    device = find_output_device("pulse")
    assert not isinstance(device, NoOutput) and device.name == "pulse"


@pytest.mark.whisper
def test_a_played_question_is_heard_word_for_word(virtual_mic, piper: Synthesizer, whisper, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    speech = piper.synthesize(QUESTION)
    recorder = Recorder(tmp_path / "heard.wav", device="pulse", max_seconds=60)
    recorder.start()
    time.sleep(0.5)
    player = Player("pulse")
    started = time.monotonic()
    assert player.play(speech) is None, player.problem
    assert player.playing
    assert player.wait() and not player.playing and player.problem is None
    # Heard, not just handed over: PortAudio says "finished" once the last block is in the sound server's
    # buffer (seen: 0.8 s early on the null sink, 2 s after an underrun); wait() lasts until it is played.
    assert time.monotonic() - started >= speech.seconds
    time.sleep(0.5)
    recording = recorder.stop()
    transcript = transcribe_file(whisper, recording.path)
    assert wer(QUESTION, transcript.text) <= 0.10, transcript.text


def test_stop_silences_at_once_and_replay_starts_over(virtual_mic, piper: Synthesizer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    speech = piper.synthesize(QUESTION + " " + QUESTION)  # about ten seconds
    recorder = Recorder(tmp_path / "stopped.wav", device="pulse", max_seconds=60)
    recorder.start()
    time.sleep(0.5)
    player = Player("pulse")
    assert player.play(speech) is None
    time.sleep(2.0)
    stopped_at = time.monotonic()
    player.stop()
    assert not player.playing and time.monotonic() - stopped_at < 0.5
    time.sleep(2.5)
    assert player.replay() is None and player.playing
    time.sleep(1.0)
    player.stop()
    time.sleep(0.5)
    levels = frame_levels_dbfs(load_audio(recorder.stop().path))  # one level per 30 ms frame
    loud = np.flatnonzero(levels > -40)
    assert len(loud), "nothing was heard"
    longest_quiet = float(np.diff(loud).max()) * FRAME_SECONDS  # between the first sound and the last
    assert longest_quiet >= 2.0, longest_quiet  # stop silenced it: no tail of the first play before the replay
    assert len(loud) * FRAME_SECONDS < speech.seconds  # far less than the whole speech was played
