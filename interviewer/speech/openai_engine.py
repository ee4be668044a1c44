"""The second engine: OpenAI's reference ``openai-whisper`` (PyTorch), for users who already have its weights.

It is an optional extra (``pip install 'interviewer[openai]'``; it pulls in a large triton it does not need
on the CPU), and its weights normally come from a download at first use, which cannot happen offline. So
this engine never asks it to download: ``whisper_model`` must be a ``.pt`` checkpoint file, or a model
name ("base", "small.en", …) whose checkpoint is already in the openai-whisper cache folder. Anything else
is one message saying what to do. Audio is fed in chunks of at most 30 s cut at pauses, so progress is
reported and the cancel event checked between them.
"""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.errors import ModelNotAvailableError
from interviewer.speech.audio import SAMPLE_RATE, seconds
from interviewer.speech.engine import ProgressCallback, check_cancel
from interviewer.speech.transcript import Segment, Transcript, Word, join_segments
from interviewer.speech.voice import quiet_cuts

ENGINE = "openai-whisper"
DEFAULT_MODEL = "base"
CHUNK_SECONDS = 30.0  # Whisper's window: one chunk is one decoding pass
USE_INSTEAD = 'or set transcriber = "faster-whisper" (its Whisper base model ships with interviewer)'
NOT_INSTALLED = ("the openai-whisper engine is not installed: run `pip install 'interviewer[openai]'`, " + USE_INSTEAD)


def whisper_cache_dir() -> Path:
    """Where openai-whisper keeps downloaded checkpoints (``$XDG_CACHE_HOME/whisper``, else ``~/.cache/whisper``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whisper"


def _import_whisper() -> Any:
    try:
        # openai-whisper imports torch, numba and tiktoken (~3 s): only when this engine is chosen.
        import whisper
    except ImportError:
        raise ModelNotAvailableError(NOT_INSTALLED) from None
    return whisper


def resolve_checkpoint(whisper: Any, setting: str | None) -> Path:
    """The ``.pt`` file for the setting: a path to one, or a known name already in the cache (never downloaded)."""
    name = setting or DEFAULT_MODEL
    path = Path(name).expanduser()
    if path.is_file():
        return path
    models: dict[str, str] = getattr(whisper, "_MODELS", {})
    if name in models:
        cached = whisper_cache_dir() / os.path.basename(models[name])
        if cached.is_file():
            return cached
        raise ModelNotAvailableError(
            f"{cached}: the openai-whisper weights for {name!r} are not on this machine and cannot be downloaded "
            f"offline: copy the checkpoint there, or set whisper_model to a .pt file, {USE_INSTEAD}"
        )
    if path.suffix == ".pt" or "/" in name:
        raise ModelNotAvailableError(f"{path}: no such openai-whisper checkpoint; set whisper_model to a .pt file, {USE_INSTEAD}")
    known = ", ".join(sorted(models)) or "base, small, …"
    raise ModelNotAvailableError(f"whisper_model {name!r}: not an openai-whisper model name ({known}) or .pt file; {USE_INSTEAD}")


class OpenAIWhisperTranscriber:
    """Whisper through the ``openai-whisper`` package, on the CPU in float32."""

    engine = ENGINE

    def __init__(self, model: str | None = None, *, beam_size: int = 5, language: str | None = "en") -> None:
        whisper = _import_whisper()
        checkpoint = resolve_checkpoint(whisper, model)
        self.model = str(model or DEFAULT_MODEL)
        self.beam_size = beam_size
        self.language = language
        try:
            self._model = whisper.load_model(str(checkpoint), device="cpu")
        except (RuntimeError, OSError, KeyError, ValueError, EOFError, pickle.UnpicklingError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelNotAvailableError(f"{checkpoint}: not a loadable openai-whisper checkpoint ({first}); "
                                         f"set whisper_model to another .pt file, {USE_INSTEAD}") from None

    def transcribe(self, samples: np.ndarray, *, on_segment: ProgressCallback | None = None,
                   cancel: threading.Event | None = None) -> Transcript:
        duration = seconds(samples)
        cuts = quiet_cuts(samples, CHUNK_SECONDS)
        segments: list[Segment] = []
        language = self.language or ""
        for begin, end in zip(cuts, cuts[1:]):
            check_cancel(cancel)
            offset = begin / SAMPLE_RATE
            result = self._model.transcribe(
                np.ascontiguousarray(samples[begin:end], dtype=np.float32), language=self.language,
                beam_size=self.beam_size, word_timestamps=True, fp16=False, condition_on_previous_text=False,
                verbose=None,
            )
            language = language or str(result.get("language") or "")
            for raw in result.get("segments", []):
                segment = _segment(raw).shifted(offset)
                segments.append(segment)
                if on_segment is not None:
                    on_segment(segment, min(1.0, segment.end / duration) if duration else 1.0)
        return Transcript(text=join_segments(segments), segments=tuple(segments), language=language,
                          duration=round(duration, 3), engine=self.engine, model=self.model)


def _segment(raw: dict[str, Any]) -> Segment:
    """openai-whisper's segment dict -> ``Segment``."""
    words = tuple(Word(str(w["word"]), round(float(w["start"]), 3), round(float(w["end"]), 3),
                       round(float(w.get("probability", 0.0)), 4)) for w in raw.get("words", ()))
    def metric(name: str) -> float | None:
        value = raw.get(name)
        return round(float(value), 4) if isinstance(value, (int, float)) else None

    return Segment(round(float(raw["start"]), 3), round(float(raw["end"]), 3), str(raw["text"]).strip(), words,
                   avg_logprob=metric("avg_logprob"), compression_ratio=metric("compression_ratio"),
                   no_speech_prob=metric("no_speech_prob"))
