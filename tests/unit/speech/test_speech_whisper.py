"""The real Whisper base model (int8, faster-whisper, offline from the packaged parts) on real and synthetic speech."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from interviewer.speech.audio import SAMPLE_RATE, load_audio
from interviewer.speech.delivery import measure_delivery
from interviewer.speech.engine import TranscriptionCancelled
from interviewer.speech.transcriber import transcribe_file, transcribe_samples
from interviewer.speech.tts import Synthesizer
from tests.conftest import cli_env
from tests.speech_support import (
    piper_speaker,
    piper_voice,
    reference_transcripts,
    wer,
    write_wav,
)

pytestmark = pytest.mark.whisper


@pytest.fixture
def piper(request: pytest.FixtureRequest) -> Synthesizer:
    return piper_voice(request)


@pytest.fixture
def speak(piper: Synthesizer, tmp_path: Path) -> Callable[..., Path]:
    """Answers spoken by the Piper voice (human-like), not conftest's espeak-ng."""
    return piper_speaker(piper, tmp_path)


@pytest.mark.parametrize("name", ["jfk.flac", "jfk.wav"])
def test_jfk_transcribes_within_ten_percent_wer(whisper, shared_audio: Path, name: str) -> None:
    """jfk.flac is 44.1 kHz stereo 24-bit, jfk.wav 16 kHz mono: both go through the same 16 kHz path."""
    transcript = transcribe_file(whisper, shared_audio / name)
    reference = reference_transcripts(shared_audio)[name]
    assert wer(reference, transcript.text) <= 0.10, transcript.text
    assert "ask not what your country can do for you" in transcript.text.lower().replace(",", "")
    assert transcript.language == "en" and not transcript.no_speech
    assert transcript.duration == pytest.approx(11.0, abs=0.05)
    words = transcript.words
    assert len(words) >= 20
    assert all(0 <= w.start <= w.end <= transcript.duration + 0.5 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    assert words[0].bare == "and" and words[-1].bare == "country"


def test_ljspeech_clips(whisper, shared_audio: Path) -> None:
    references = reference_transcripts(shared_audio)
    scores = {}
    for name in ("LJ050-0131.wav", "LJ050-0075.wav", "LJ050-0115.wav"):
        transcript = transcribe_file(whisper, shared_audio / name)  # 22.05 kHz originals
        scores[name] = wer(references[name], transcript.text)
    assert max(scores.values()) <= 0.25, scores
    assert sum(scores.values()) / len(scores) <= 0.12, scores


def test_synthetic_answer_and_its_delivery(whisper, speak) -> None:
    # No near-homophones: "on comparable" / "uncomparable", "fit the" / "that the" and "scaler" / "scalar" once
    # took a clean-clone CI run to WER 0.27 with the words "Fit the scaler" (0.13 in other runs).
    clip = speak("Feature scaling puts every feature on a similar range. Compute the statistics from the training data only.")
    transcript = transcribe_file(whisper, clip)
    assert wer("feature scaling puts every feature on a similar range compute the statistics from the training data only",
               transcript.text) <= 0.25, transcript.text
    delivery = measure_delivery(transcript)
    assert delivery.word_count >= 12 and delivery.words_per_minute is not None
    assert 100 <= delivery.words_per_minute <= 260


def test_a_long_pause_between_sentences_is_reported(whisper, speak, tmp_path: Path) -> None:
    first = load_audio(speak("Overfitting means the model memorises the training data.", "a.wav"))
    second = load_audio(speak("Regularisation and more data both help against it.", "b.wav"))
    clip = write_wav(tmp_path / "pause.wav", np.concatenate([first, np.zeros(3 * SAMPLE_RATE, np.float32), second]))
    transcript = transcribe_file(whisper, clip)
    assert transcript.voiced and all(end <= len(first) / SAMPLE_RATE + 0.5 or start >= len(first) / SAMPLE_RATE + 2.5
                                     for start, end in transcript.voiced), transcript.voiced  # no voice in the silence
    delivery = measure_delivery(transcript)
    assert len(delivery.pauses) == 1, delivery.pauses
    assert delivery.pauses[0].seconds >= 1.5
    assert delivery.pauses[0].start == pytest.approx(len(first) / SAMPLE_RATE, abs=0.8)


@pytest.mark.parametrize("kind", ["silence", "hum", "noise"])
def test_no_voice_gives_no_speech_never_invented_text(whisper, kind: str) -> None:
    t = np.arange(8 * SAMPLE_RATE) / SAMPLE_RATE
    samples = {"silence": np.zeros_like(t), "hum": 0.2 * np.sin(2 * np.pi * 100 * t),
               "noise": 0.05 * np.random.default_rng(1).standard_normal(len(t))}[kind].astype(np.float32)
    transcript = transcribe_samples(whisper, samples)
    assert transcript.no_speech and transcript.text == "" and transcript.segments == ()
    assert measure_delivery(transcript).word_count == 0


def test_cancel_stops_between_segments(whisper, shared_audio: Path) -> None:
    import threading

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(TranscriptionCancelled):
        transcribe_file(whisper, shared_audio / "jfk.wav", cancel=cancel)


def test_progress_reports_each_segment(whisper, shared_audio: Path) -> None:
    seen: list[float] = []
    transcribe_file(whisper, shared_audio / "jfk.wav", on_segment=lambda segment, done: seen.append(done))
    assert seen and seen[-1] == pytest.approx(1.0, abs=0.1) and seen == sorted(seen)


def run_cli(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = cli_env()
    env["INTERVIEWER_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, "-m", "interviewer", *args], capture_output=True, text=True, env=env, timeout=300)


def test_cli_transcribe_json(whisper_cache: Path, shared_audio: Path) -> None:
    result = run_cli("transcribe", str(shared_audio / "jfk.flac"), "--json", cache=whisper_cache)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert wer(reference_transcripts(shared_audio)["jfk.flac"], data["transcript"]["text"]) <= 0.10
    assert data["transcript"]["segments"][0]["words"][0]["start"] >= 0
    assert {"words_per_minute", "fillers", "pauses", "suggestions"} <= set(data["delivery"])


def test_cli_grade_audio_with_the_real_models(whisper_cache: Path, speak) -> None:
    answer = speak("Data leakage is when information from outside the training data is used to build the model. "
                   "For example, fitting the scaler on all the data before splitting it into train and test sets.")
    result = run_cli("grade", "--rubric", "q03", "--audio", str(answer), "--json", cache=whisper_cache)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # The spoken example is graded as the key point it states (the score
    # itself is the grader's business: benchmarks/grading_quality.py; 3.0 / 10 here, the definition only
    # touched). Whisper may hear "scalar", "all of the data", "training": as a bare example the sentence
    # is an instance of leakage, never the wrong claim that the practice is fine (it once was: 0.0 / 10).
    assert data["rubric_id"] == "q03" and data["score"] > 0.0, data["transcript"]["text"]
    covered = {c["concept_id"]: c for c in data["concepts"] if c["status"] == "covered"}
    # (Which sentence is quoted for it: test_grading_trust.py, a strict xfail with the sixth stance model.)
    assert "preprocessing-leak" in covered, data["transcript"]["text"]
    assert "leakage" in data["transcript"]["text"].lower() or "training" in data["transcript"]["text"].lower()
    assert data["delivery"]["word_count"] >= 25
    readable = run_cli("grade", "--rubric", "q03", "--audio", str(answer), cache=whisper_cache)
    assert readable.returncode == 0, readable.stderr
    assert readable.stdout.startswith("Transcript:") and "\nDelivery:\n" in readable.stdout and "Score: " in readable.stdout


def test_cli_corrupt_and_missing_audio(tmp_path: Path, whisper_cache: Path) -> None:
    corrupt = tmp_path / "answer.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8)
    for args in (("transcribe", str(corrupt)), ("grade", "--rubric", "q03", "--audio", str(corrupt)),
                 ("transcribe", str(tmp_path / "nope.flac"))):
        result = run_cli(*args, cache=whisper_cache)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("interviewer: error: ") and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_no_word_invented_in_the_silence_after_an_answer(whisper, shared_audio: Path) -> None:
    """Whisper writes "You" into 25 s of silence after the JFK clip; the voice spans filter it out."""
    speech = load_audio(shared_audio / "jfk.wav")
    samples = np.concatenate([speech, np.zeros(25 * SAMPLE_RATE, dtype=np.float32)])
    transcript = transcribe_samples(whisper, samples)
    assert wer(reference_transcripts(shared_audio)["jfk.wav"], transcript.text) <= 0.10, transcript.text
    assert transcript.words[-1].end <= 11.5 and transcript.duration == pytest.approx(36.0, abs=0.05)
