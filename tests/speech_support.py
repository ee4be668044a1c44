"""Helpers for the speech tests: synthetic speech (espeak-ng), word error rate, a PulseAudio virtual microphone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from interviewer.speech.audio import SAMPLE_RATE, float_to_pcm16
from interviewer.speech.wavwriter import wav_header

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "audio"
SINK = "vsink"


def normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces: what WER is computed on."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(normalise(reference), normalise(hypothesis)))


def reference_transcripts(folder: Path = SHARED_AUDIO) -> dict[str, str]:
    lines = (folder / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return dict(line.split("\t", 1) for line in lines if "\t" in line)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    """16 kHz mono 16-bit WAV of float samples."""
    pcm = float_to_pcm16(samples)
    path.write_bytes(wav_header(len(pcm)) + pcm)
    return path


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
