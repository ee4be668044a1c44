"""Real recording through PortAudio from a PulseAudio null sink (a virtual microphone the tests start).

A clip is played into the sink while the recorder runs; the recording is then transcribed for real.
The no-device path runs the CLI against a sound server that is not there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from interviewer.speech.audio import SAMPLE_RATE, load_audio
from interviewer.speech.devices import (
    AudioDeviceError,
    list_input_devices,
    resolve_input_device,
)
from interviewer.speech.recorder import Recorder
from interviewer.speech.transcriber import transcribe_file
from interviewer.speech.tts import Synthesizer
from interviewer.speech.voice import detect_voice
from tests.conftest import cli_env
from tests.speech_support import piper_speaker, piper_voice, wer

pytestmark = pytest.mark.audio


@pytest.fixture
def piper(request: pytest.FixtureRequest) -> Synthesizer:
    return piper_voice(request)


@pytest.fixture
def speak(piper: Synthesizer, tmp_path: Path) -> Callable[..., Path]:
    """Answers spoken by the Piper voice (human-like), not conftest's espeak-ng."""
    return piper_speaker(piper, tmp_path)

ANSWER = "Data leakage is when information from outside the training set is used to build the model."


def test_the_virtual_microphone_is_listed(virtual_mic) -> None:
    names = [d.name for d in list_input_devices()]
    assert "pulse" in names and "default" in names
    assert resolve_input_device("pulse").name == "pulse"
    assert resolve_input_device(str(names.index("pulse"))).name in names
    with pytest.raises(AudioDeviceError, match="no input device with that name; inputs are"):
        resolve_input_device("no-such-microphone")


def test_record_a_played_clip_and_transcribe_it(virtual_mic, speak, whisper, tmp_path: Path) -> None:
    clip = speak(ANSWER)
    target = tmp_path / "answer.wav"
    levels: list[float] = []
    blocks: list[int] = []
    recorder = Recorder(target, device="pulse", max_seconds=60, on_level=levels.append,
                        on_audio=lambda samples: blocks.append(len(samples)))
    recorder.start()
    time.sleep(0.5)
    virtual_mic.play(clip).wait(timeout=30)
    time.sleep(0.7)
    recording = recorder.stop()
    assert recording.reason == "stopped" and recording.path == target
    with wave.open(str(target)) as wav:  # a valid 16 kHz mono 16-bit file
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (SAMPLE_RATE, 1, 2)
        assert wav.getnframes() == round(recording.seconds * SAMPLE_RATE) == sum(blocks)
    assert max(levels) > -35 and min(levels) < -60  # loud while the clip played, silent before it
    transcript = transcribe_file(whisper, target)
    assert wer(ANSWER, transcript.text) <= 0.35, transcript.text
    assert "training" in transcript.text.lower()


def test_maximum_length_and_cancel(virtual_mic, tmp_path: Path) -> None:
    target = tmp_path / "short.wav"
    recorder = Recorder(target, max_seconds=1.0)
    recorder.start()
    assert recorder.wait(timeout=15), "the recorder did not stop at its maximum length"
    recording = recorder.stop()
    assert recording.reason == "max_length" and recording.seconds == pytest.approx(1.0, abs=0.01)
    assert len(load_audio(target)) == SAMPLE_RATE
    other = tmp_path / "cancelled.wav"
    recorder = Recorder(other, max_seconds=30)
    recorder.start()
    time.sleep(0.3)
    recorder.cancel()
    assert not other.exists()


def test_refuses_to_overwrite(virtual_mic, tmp_path: Path) -> None:
    target = tmp_path / "keep.wav"
    target.write_bytes(b"keep me")
    with pytest.raises(AudioDeviceError.__mro__[1], match="already exists"):
        Recorder(target, max_seconds=1).start()
    assert target.read_bytes() == b"keep me"


def test_a_killed_recorder_leaves_a_playable_file(virtual_mic, tmp_path: Path) -> None:
    """The WAV header is patched while recording: a crash (SIGKILL here) loses at most about a second."""
    target = tmp_path / "crash.wav"
    code = ("import sys; from pathlib import Path; from interviewer.speech.recorder import Recorder\n"
            "total = [0]\n"
            "def report(samples):\n"
            "    total[0] += len(samples); print(total[0] / 16000, flush=True)\n"
            "r = Recorder(Path(sys.argv[1]), max_seconds=60, on_audio=report); r.start()\n"
            "import time; time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True, env=cli_env())
    assert child.stdout is not None
    written = 0.0
    deadline = time.monotonic() + 30
    while written < 3.0 and time.monotonic() < deadline:  # the stream takes 1-2 s to start delivering
        written = float(child.stdout.readline() or 0)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert written >= 3.0
    with wave.open(str(target)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert written - 1.0 <= seconds <= written + 0.2, (written, seconds)
    assert len(load_audio(target)) == round(seconds * SAMPLE_RATE)


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "interviewer", *args], capture_output=True, text=True, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_cli_record_while_a_clip_plays(virtual_mic, speak, whisper_cache: Path, tmp_path: Path) -> None:
    clip = speak(ANSWER)
    target = tmp_path / "cli.wav"
    env = {**cli_env(), "INTERVIEWER_CACHE_DIR": str(whisper_cache)}
    record = subprocess.Popen([sys.executable, "-m", "interviewer", "record", "-o", str(target), "--seconds", "9",
                               "--device", "default"], stderr=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL)
    assert record.stderr is not None
    assert record.stderr.readline().startswith("recording from default to ")
    virtual_mic.play(clip).wait(timeout=30)
    _, rest = record.communicate(timeout=60)
    assert record.returncode == 0, rest
    assert f"saved {target} (9.0 s, reached the maximum length)" in rest
    result = run_cli("transcribe", str(target), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert "training" in result.stdout.lower()
    devices = run_cli("devices", env=env)
    assert devices.returncode == 0 and "pulse" in devices.stdout


def test_cli_record_and_transcribe_live(virtual_mic, speak, whisper_cache: Path, tmp_path: Path) -> None:
    clip = speak(ANSWER + " " + ANSWER.replace("Data leakage", "Overfitting"))
    target = tmp_path / "live.wav"
    env = {**cli_env(), "INTERVIEWER_CACHE_DIR": str(whisper_cache)}
    record = subprocess.Popen([sys.executable, "-m", "interviewer", "record", "-o", str(target), "--seconds", "14",
                               "--transcribe"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                              stdin=subprocess.DEVNULL)
    assert record.stderr is not None
    assert record.stderr.readline().startswith("recording from ")
    virtual_mic.play(clip).wait(timeout=30)
    out, err = record.communicate(timeout=120)
    assert record.returncode == 0, err
    assert "saved" in err and "training" in out.lower() and "\nDelivery:\n" in out


@pytest.fixture
def no_sound_server(tmp_path: Path) -> dict[str, str]:
    """An environment whose PulseAudio runtime folder is empty and where clients never spawn a server."""
    config = tmp_path / "client.conf"
    config.write_text("autospawn = no\n")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = {**cli_env(), "XDG_RUNTIME_DIR": str(runtime), "PULSE_CLIENTCONFIG": str(config)}
    env.pop("PULSE_SERVER", None)
    return env


def test_no_input_device_is_one_clear_line(no_sound_server: dict[str, str], tmp_path: Path) -> None:
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("libportaudio2 is not installed: the no-PortAudio path is tested in test_speech_units")
    for args in (["record", "-o", str(tmp_path / "x.wav"), "--seconds", "2"], ["devices"]):
        started = time.monotonic()
        result = run_cli(*args, env=no_sound_server)
        assert time.monotonic() - started < 60
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("interviewer: error: no microphone found"), result.stderr
        assert "interviewer practice" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "x.wav").exists()


def test_recorded_silence_is_no_speech(virtual_mic, tmp_path: Path) -> None:
    target = tmp_path / "quiet.wav"
    recorder = Recorder(target, max_seconds=1.5)
    recorder.start()
    recorder.wait(timeout=15)
    recorder.stop()
    assert not detect_voice(load_audio(target)).speech
    assert os.path.getsize(target) == 44 + 2 * int(1.5 * SAMPLE_RATE)
