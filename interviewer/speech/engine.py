"""The interface every transcription engine implements, and nothing else.

An engine (``faster.py``, ``openai_engine.py``) imports only this module and the result types in
``transcript.py``; it never imports the registry that loads it (``registry.py``) or the checks that wrap it
(``transcriber.py``), so no speech module imports another in a circle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

from interviewer.errors import InterviewerError
from interviewer.speech.transcript import Segment, Transcript

ProgressCallback = Callable[[Segment, float], None]
"""Called after each segment with the segment and the share of the audio done so far (0–1)."""


class TranscriptionCancelled(InterviewerError):
    """The caller set the cancel event; the partial result is discarded."""


class Transcriber(Protocol):
    """A loaded speech-to-text engine. ``engine`` and ``model`` name it in results."""

    engine: str
    model: str

    def transcribe(self, samples: np.ndarray, *, on_segment: ProgressCallback | None = None,
                   cancel: threading.Event | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 samples that hold speech. Checks ``cancel`` between segments."""
        ...


class EngineLoader(Protocol):
    """Builds an engine offline (``ModelNotAvailableError`` says what to install or set)."""

    def __call__(self, model: str | None, *, beam_size: int, language: str | None) -> Transcriber: ...


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise ``TranscriptionCancelled`` if the event is set (engines call this between segments)."""
    if cancel is not None and cancel.is_set():
        raise TranscriptionCancelled("transcription cancelled")
