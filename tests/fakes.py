"""The test doubles the test files share, in one place: deterministic, instant, no model loaded.

- ``HashingEmbedder``: the sentence model's stand-in (a bag of lemmas hashed into 512 dimensions).
- ``fake_stance(embedder)``: the stance model the app's services load for an embedder: none for the
  ``HashingEmbedder`` (the grader then judges stance by similarity only), the shipped one for a real embedder.
- ``fake_grader(settings, bank, calibration)``: what ``interviewer.cli._grader`` becomes in tests, so every
  command grades with the ``HashingEmbedder`` (conftest's ``fake_cli_grader`` fixture installs it);
  ``FAKE_CLI`` does the same for a command run in a child process (``python -c FAKE_CLI ARGS…``, from the
  repository root).
- ``FakeClock`` (seconds that move only when told) and ``FakeTranscriber`` (Whisper, loaded, never used).
- ``FakeSynthesizer`` (the Piper voice: a tenth of a second of silence per word, texts kept in ``said``) and
  ``FakePlayer`` (the speaker: plays nothing, keeps what it was given; ``hold`` keeps it "playing" until
  ``release`` or ``stop``; ``problem`` makes every ``play`` return that ``NoOutput``).
- ``FakeMicrophones`` (the input devices, for ``Services.list_microphones``, and the recorders made on them,
  for ``Services.make_recorder``: each ``FakeRecorder`` reports the levels a test gives it; ``hold()`` keeps the
  next ``start`` opening the device until ``release()``).

Where the rest lives: ``conftest.py`` holds the fixtures (isolated user folders, ``fake_embedder``,
``fake_cli_grader``, the test bank, the real models, the speech fixtures); ``tui_support.py`` builds the app for
tests; ``speech_support.py`` and ``report_support.py`` hold helpers for those areas. No Textual and no torch
here: command-line tests and child processes import this module cheaply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from interviewer.scoring.text import STOPWORDS, lemmas, words

if TYPE_CHECKING:
    from interviewer.config import Settings
    from interviewer.rubrics.loader import Bank
    from interviewer.scoring.grader import Grader


class HashingEmbedder:
    """A deterministic stand-in for a sentence model: a bag of lemmas hashed into 512 dimensions.

    Texts that share content words are similar; texts that share none are orthogonal. Good enough to
    test the grader's logic without loading a model.
    """

    name = "hashing-test-embedder"
    dimension = 512

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return self._embed(texts)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                if word.lower() in STOPWORDS:
                    continue
                lemma = min(lemmas(word), key=lambda form: (len(form), form))
                bucket = int(hashlib.md5(lemma.encode()).hexdigest(), 16) % self.dimension
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out

    def encode_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Sentence vectors as ``encode``; each content word's own hashed vector as a token."""
        tokens = []
        for text in texts:
            content = [w for w in words(text) if w.lower() not in STOPWORDS]
            tokens.append(self._embed(content) if content else np.zeros((0, self.dimension), dtype=np.float32))
        return self.encode(texts), tokens


def fake_stance(embedder: Any) -> Any:
    """No stance model for the fake embedder (the grader's similarity-only stance); the real one otherwise."""
    if isinstance(embedder, HashingEmbedder):
        return None
    from interviewer.scoring.stance import load_stance

    return load_stance(precision=embedder.precision)


def fake_grader(settings: Settings, bank: Bank | None = None, calibration: Path | None = None) -> Grader:
    """``interviewer.cli._grader`` in tests: a grader on the ``HashingEmbedder`` with the settings' word limit."""
    from interviewer.scoring.grader import Grader

    return Grader(HashingEmbedder(), bank=bank, max_answer_words=settings.max_answer_words)


FAKE_CLI = ("import sys\nfrom interviewer import cli\nfrom tests.fakes import fake_grader\n"
            "cli._grader = fake_grader\nsys.exit(cli.main(sys.argv[1:]))\n")
"""``interviewer`` with ``fake_grader``, for ``python -c FAKE_CLI ARGS…`` run from the repository root."""


class FakeClock:
    """Seconds that advance only by ``advance``."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeTranscriber:
    """Stands in for Whisper where nothing is transcribed (the screens only need it loaded)."""

    engine = "fake"
    model = "fake"


class FakeSynthesizer:
    """Stands in for ``speech.tts.Synthesizer``: silence, a tenth of a second per word; ``said`` lists the texts.

    Like the real one it keeps what it said: ``rendered`` lists the texts it had to synthesise, each once (a text
    already said comes from the cache, after ``release`` too); ``release`` frees the "model" until the next new text.
    """

    rate = 22050

    def __init__(self) -> None:
        self.said: list[str] = []
        self.rendered: list[str] = []
        self.releases = 0
        self.loaded = True
        self._cache: dict[str, Any] = {}

    def synthesize(self, text: str) -> Any:
        from interviewer.speech.tts import Speech

        self.said.append(text)
        if text not in self._cache:
            self.loaded = True
            self.rendered.append(text)
            self._cache[text] = np.zeros(int(0.1 * self.rate * len(text.split())), dtype=np.float32)
        return Speech(self._cache[text], self.rate)

    def release(self) -> None:
        self.releases += 1
        self.loaded = False


class FakePlayer:
    """Stands in for ``speech.playback.Player``: ``played`` keeps each speech; nothing is heard."""

    def __init__(self, *, hold: bool = False, problem: Any = None) -> None:
        import threading

        self.played: list[Any] = []
        self.stops = 0
        self.hold = hold
        self.problem: Any = None
        self._problem = problem
        self._done = threading.Event()

    def play(self, speech: Any) -> Any:
        if self._problem is not None:
            self.problem = self._problem
            return self._problem
        self._done.clear()
        self.played.append(speech)
        if not self.hold:
            self._done.set()
        return None

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(30 if timeout is None else timeout)

    def release(self) -> None:
        self._done.set()

    def stop(self) -> None:
        self.stops += 1
        self._done.set()


class FakeRecorder:
    """Stands in for ``speech.recorder.Recorder``: no device is opened; ``level(db, seconds)`` reports a block
    as the real writer thread does (from any thread). The file is made at ``start``, deleted by ``cancel``."""

    def __init__(self, microphones: FakeMicrophones, path: Path, *, device: str | int | None = None,
                 max_seconds: float = 600.0, on_level: Any = None, on_audio: Any = None,
                 overwrite: bool = False) -> None:
        import threading

        self.microphones = microphones
        self.path = path
        self.spec = device
        self.max_seconds = max_seconds
        self.on_level = on_level
        self.device: Any = None
        self.seconds = 0.0
        self.started = self.cancelled = self.stopped = False
        self._finished = threading.Event()

    def start(self) -> None:
        from interviewer.speech.devices import match_input_device

        self.microphones.gate.wait(30)
        self.device = match_input_device(self.microphones.devices, self.spec)  # raises as the real one does
        self.path.write_bytes(b"RIFF fake take")
        self.started = True

    def level(self, db: float, seconds: float = 0.0) -> None:
        self.seconds = seconds
        if self.on_level is not None:
            self.on_level(db)

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def stop(self) -> Any:
        from interviewer.speech.recorder import Recording

        self._finished.set()
        self.stopped = True
        return Recording(self.path, self.seconds, self.device.name if self.device else "?", "stopped")

    def cancel(self) -> None:
        self._finished.set()
        self.cancelled = True
        self.path.unlink(missing_ok=True)


class FakeMicrophones:
    """Input devices (the first is the system default) and the ``FakeRecorder``s made on them, in order."""

    def __init__(self, names: Sequence[str] = ("Built-in Microphone", "USB Headset")) -> None:
        import threading

        from interviewer.speech.devices import AudioDevice

        self.devices = [AudioDevice(i, name, "ALSA", 1, 48000.0, i == 0) for i, name in enumerate(names)]
        self.recorders: list[FakeRecorder] = []
        self.gate = threading.Event()
        self.gate.set()

    def list(self) -> list[Any]:
        return list(self.devices)

    def recorder(self, path: Path, **options: Any) -> FakeRecorder:
        made = FakeRecorder(self, path, **options)
        self.recorders.append(made)
        return made

    def hold(self) -> None:
        """The next ``start`` waits (the device is opening) until ``release``."""
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()
