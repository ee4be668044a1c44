"""What the app is given to work with: the round the candidate asked for, and the things that load models,
open the microphone and tell the time, with the ``Models`` they load. The CLI builds the real ones; tests
pass fakes (a hashing embedder, a frozen clock). No Textual here, and nothing heavy at import: every model
import happens inside a loader.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.config import ENV_VARS, Settings, save_setting
from interviewer.errors import InputError
from interviewer.store import Store
from interviewer.tui.models import Models
from interviewer.tui.voice import Voice

if TYPE_CHECKING:
    from interviewer.scoring.embedder import Embedder
    from interviewer.scoring.stance import StanceModel
    from interviewer.speech.devices import AudioDevice
    from interviewer.speech.engine import Transcriber
    from interviewer.speech.playback import Player
    from interviewer.speech.recorder import Recorder
    from interviewer.speech.tts import Synthesizer

@dataclass(frozen=True)
class RoundOptions:
    """A round as chosen on the start screen or on the command line."""

    bank: Path | None = None
    """Folder of rubric files; None: the settings' bank (the bundled one unless configured)."""
    questions: tuple[str, ...] = ()
    """Rubric ids to ask, in order; empty: ``count`` at random."""
    count: int | None = None
    mode: str = "typed"
    timed: bool = False
    seed: int | None = None


def _load_embedder(settings: Settings) -> Embedder:
    # ONNX Runtime (the default): ~0.5 s and ~200 MB; torch (inference = "torch"): ~4 s and ~500 MB. Only
    # ever called in a worker thread.
    from interviewer.scoring.factory import load_embedder

    return load_embedder(settings)


def _load_stance(embedder: Embedder, settings: Settings) -> StanceModel:
    # The stance cross-encoder (~90 MB in memory, 0.3 s), on the settings' backend; a worker thread only.
    from interviewer.scoring.factory import load_stance

    return load_stance(settings, embedder)


def _load_transcriber(settings: Settings) -> Transcriber:
    # faster-whisper + CTranslate2 + the Whisper base weights: ~0.5 s and ~400 MB; a worker thread only.
    from interviewer.speech.registry import load_configured_transcriber

    return load_configured_transcriber(settings)


def _check_microphone(settings: Settings) -> str:
    """The name of the input device recording will use; ``AudioDeviceError`` says why there is none."""
    from interviewer.speech.devices import resolve_input_device

    return resolve_input_device(settings.input_device).name


def _list_microphones() -> list[AudioDevice]:
    # imports sounddevice (PortAudio, ~60 ms): a worker thread only
    from interviewer.speech.devices import list_input_devices

    return list_input_devices()


def _make_recorder(path: Path, **options: object) -> Recorder:
    from interviewer.speech.recorder import Recorder

    return Recorder(path, **options)  # type: ignore[arg-type]


def _load_synthesizer() -> Synthesizer:
    # piper + onnxruntime + the 63 MB voice: ~0.5 s, ~110 MB loaded and ~150 MB once it has spoken (measured by
    # benchmarks/spoken_round_rss.py; recording frees it, Voice.rest); a worker thread only.
    from interviewer.speech.tts import load_synthesizer

    return load_synthesizer()


def _make_player() -> Player:
    from interviewer.speech.playback import Player

    return Player()  # the default output device


@dataclass
class Services:
    """The app's dependencies. Every callable that loads something runs in a worker thread."""

    settings: Settings
    store: Store
    load_embedder: Callable[[], Embedder] | None = None
    load_stance: Callable[[Embedder], StanceModel | None] | None = None
    """The stance model for an embedder (None: the grader's similarity-only stance, for fake embedders)."""
    load_transcriber: Callable[[], Transcriber] | None = None
    check_microphone: Callable[[], str] | None = None
    list_microphones: Callable[[], list[AudioDevice]] = _list_microphones
    """The input devices to choose from (``AudioDeviceError`` when PortAudio is missing)."""
    make_recorder: Callable[..., Recorder] = _make_recorder
    """``Recorder(path, device=…, max_seconds=…, on_level=…, on_audio=…)``: answers and the microphone test."""
    load_synthesizer: Callable[[], Synthesizer] = _load_synthesizer
    """The interviewer's voice (Piper); ``ModelNotAvailableError`` when it is not installed."""
    make_player: Callable[[], Player] = _make_player
    """What plays the voice (a ``Player`` on the default output; tests pass a fake)."""
    recordings_dir: Callable[[], Path] | None = None
    """The folder recordings go in, one subfolder per session (default: the settings' ``recordings_dir()``)."""
    clock: Callable[[], float] = time.monotonic
    """Seconds, for the answer timer and elapsed times (tests freeze it)."""
    now: Callable[[], datetime] = datetime.now
    models: Models = field(init=False)
    """The models these loaders load, each once (``Models``)."""
    voice: Voice = field(init=False)
    """The interviewer's voice: reads questions aloud (``Voice``)."""

    def __post_init__(self) -> None:
        settings = self.settings
        if self.load_embedder is None:
            self.load_embedder = lambda: _load_embedder(settings)
        if self.load_stance is None:
            self.load_stance = lambda embedder: _load_stance(embedder, settings)
        if self.load_transcriber is None:
            self.load_transcriber = lambda: _load_transcriber(settings)
        if self.recordings_dir is None:
            self.recordings_dir = lambda: self.settings.recordings_dir()
        if self.check_microphone is None:
            self.check_microphone = lambda: _check_microphone(self.settings)  # the microphone chosen by then
        self.models = Models(self)
        self.voice = Voice(self.load_synthesizer, self.make_player, settings.speak_questions)

    def recordings_root(self) -> Path:
        """The folder of recordings (one subfolder per session); not created here."""
        assert self.recordings_dir is not None  # set in __post_init__
        return self.recordings_dir()

    def recording_path(self, session_id: int | None = None) -> Path:
        """A new take's file, in the session's folder (created here: a worker thread calls this)."""
        from interviewer import locations

        folder = locations.session_recordings_dir(self.recordings_root(), session_id)
        locations.make_recordings_folder(folder, "pass --recordings DIR")
        return folder / f"answer-{self.now():%Y%m%d-%H%M%S-%f}.wav"

    def choose_microphone(self, device: str | None) -> str | None:
        """Record from ``device`` (a name; None: the system's default input) from now on, and remember it in
        the config file. Returns why it will not be remembered, or None."""
        self.settings = replace(self.settings, input_device=device)
        try:
            path = save_setting("input_device", device)
        except InputError as exc:
            return f"used for this run only: {exc.message}"
        variable = ENV_VARS["input_device"]
        if os.environ.get(variable):
            return f"saved in {path}, but ${variable} chooses another microphone when the app starts"
        return None
