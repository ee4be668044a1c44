"""The checks every transcription, whatever the engine, goes through.

An engine (see ``engine.py`` for the interface, ``registry.py`` to load one by name) turns 16 kHz mono
samples into a ``Transcript``. ``transcribe_samples`` wraps it: it refuses to run the model on a recording
with no voice (``no speech detected`` instead of the "Thank you." Whisper invents on silence), drops words
Whisper wrote into silences, reports progress per segment, and honours a cancel event between segments.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np

from interviewer.speech.audio import load_audio, seconds
from interviewer.speech.engine import ProgressCallback, Transcriber, check_cancel
from interviewer.speech.transcript import Segment, Transcript, join_segments
from interviewer.speech.voice import detect_voice

MIN_AUDIO_SECONDS = 0.1  # anything shorter cannot hold a word
VOICE_PAD_SECONDS = 0.3  # word times and voice spans disagree by up to this much at the edges


def transcribe_samples(transcriber: Transcriber, samples: np.ndarray, *, on_segment: ProgressCallback | None = None,
                       cancel: threading.Event | None = None) -> Transcript:
    """The transcript of the samples, or ``Transcript.silent`` when there is no voice in them."""
    duration = seconds(samples)
    activity = detect_voice(samples) if duration >= MIN_AUDIO_SECONDS else None
    if activity is None or not activity.speech:
        return Transcript.silent(round(duration, 3), transcriber.engine, transcriber.model)
    check_cancel(cancel)
    result = keep_voiced(transcriber.transcribe(samples, on_segment=on_segment, cancel=cancel), activity.spans)
    if not result.text.strip():
        return Transcript.silent(round(duration, 3), transcriber.engine, transcriber.model)
    return result


def keep_voiced(transcript: Transcript, spans: tuple[tuple[float, float], ...]) -> Transcript:
    """The transcript without words (and segments) that lie wholly outside the voiced spans.

    Whisper writes "You" or "Thank you." into long silences even inside a recording that has speech; a
    word the voice-activity check heard nothing under is such an invention.
    """
    padded = [(start - VOICE_PAD_SECONDS, end + VOICE_PAD_SECONDS) for start, end in spans]

    def voiced(start: float, end: float) -> bool:
        return any(start < span_end and end > span_start for span_start, span_end in padded)

    segments = []
    for segment in transcript.segments:
        if segment.words:
            words = tuple(w for w in segment.words if voiced(w.start, w.end))
            if len(words) == len(segment.words):
                segments.append(segment)
            elif words:
                segments.append(Segment(words[0].start, words[-1].end, "".join(w.text for w in words).strip(), words))
        elif voiced(segment.start, segment.end):
            segments.append(segment)
    if len(segments) == len(transcript.segments) and all(a is b for a, b in zip(segments, transcript.segments)):
        return transcript
    return replace(transcript, segments=tuple(segments), text=join_segments(segments))


def transcribe_file(transcriber: Transcriber, path: Path, *, on_segment: ProgressCallback | None = None,
                    cancel: threading.Event | None = None) -> Transcript:
    """Decode any audio file to 16 kHz mono and transcribe it (``InputError`` for a corrupt file)."""
    return transcribe_samples(transcriber, load_audio(path), on_segment=on_segment, cancel=cancel)
