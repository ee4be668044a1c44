"""The checks every transcription, whatever the engine, goes through.

An engine (see ``engine.py`` for the interface, ``registry.py`` to load one by name) turns 16 kHz mono
samples into a ``Transcript``. ``transcribe_samples`` wraps it: it refuses to run the model on a recording
with no voice (``no speech detected`` instead of the "Thank you." Whisper invents on silence), decodes long
recordings in chunks cut at pauses the voice-activity model found (each at most one Whisper window, so
nothing slides or loops across windows, and long silences are never decoded), drops words Whisper wrote
into silences and segments that look invented (``hallucination.py``; kept in ``Transcript.dropped``),
reports progress per segment, and honours a cancel event between segments.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np

from interviewer.speech.audio import SAMPLE_RATE, load_audio, seconds
from interviewer.speech.engine import ProgressCallback, Transcriber, check_cancel
from interviewer.speech.hallucination import filter_segments
from interviewer.speech.transcript import Dropped, Segment, Transcript, join_segments
from interviewer.speech.voice import detect_voice, quiet_cuts

MIN_AUDIO_SECONDS = 0.1  # anything shorter cannot hold a word
VOICE_PAD_SECONDS = 0.3  # word times and voice spans disagree by up to this much at the edges
CHUNK_SECONDS = 28.0  # at most one Whisper window (30 s) per decode, with room for the padding
CHUNK_PAD_SECONDS = 0.5  # audio kept before and after a chunk's voice: the first and last words' edges
WARM_SECONDS = 1.0  # the warm-up decodes this much noise


def voice_chunks(spans: tuple[tuple[float, float], ...], duration: float, samples: np.ndarray | None = None,
                 max_seconds: float = CHUNK_SECONDS) -> list[tuple[float, float]]:
    """(start, end) seconds of the stretches to decode: voiced spans grouped into chunks of at most
    ``max_seconds``, each cut in a pause, padded by ``CHUNK_PAD_SECONDS`` (never into the next chunk).

    Audio between chunks is silence by the voice-activity model and is not decoded. A single voiced
    stretch longer than ``max_seconds`` (no pause to cut at) is cut at its quietest moments.
    """
    limit = max_seconds - 2 * CHUNK_PAD_SECONDS
    pieces: list[tuple[float, float]] = []
    for start, end in spans:
        if end - start <= limit or samples is None:
            pieces.append((start, end))
            continue
        first, last = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
        cuts = quiet_cuts(samples[first:last], max_seconds=limit)
        pieces.extend(((first + a) / SAMPLE_RATE, (first + b) / SAMPLE_RATE) for a, b in itertools.pairwise(cuts))
    groups: list[tuple[float, float]] = []
    for start, end in pieces:
        if groups and end - groups[-1][0] <= limit:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    chunks = []
    for index, (start, end) in enumerate(groups):
        before = (groups[index - 1][1] + start) / 2 if index else 0.0
        after = (end + groups[index + 1][0]) / 2 if index + 1 < len(groups) else duration
        chunks.append((round(max(before, start - CHUNK_PAD_SECONDS, 0.0), 3),
                       round(min(after, end + CHUNK_PAD_SECONDS, duration), 3)))
    return chunks


def transcribe_samples(transcriber: Transcriber, samples: np.ndarray, *, on_segment: ProgressCallback | None = None,
                       cancel: threading.Event | None = None) -> Transcript:
    """The transcript of the samples, or ``Transcript.silent`` when there is no voice in them."""
    duration = seconds(samples)
    activity = detect_voice(samples) if duration >= MIN_AUDIO_SECONDS else None
    if activity is None or not activity.speech:
        return Transcript.silent(round(duration, 3), transcriber.engine, transcriber.model)
    check_cancel(cancel)
    if duration <= CHUNK_SECONDS:  # one window: the engine sees the whole recording, as it always did
        result = transcriber.transcribe(samples, on_segment=on_segment, cancel=cancel)
        segments, dropped, language, probability = result.segments, result.dropped, result.language, \
            result.language_probability
    else:
        segments, dropped, language, probability = _transcribe_chunks(
            transcriber, samples, voice_chunks(activity.spans, duration, samples), on_segment, cancel)
    segments, in_silence = voiced_segments(segments, activity.spans)
    segments, invented = filter_segments(segments, language or transcriber_language(transcriber))
    dropped = dropped + in_silence + invented
    if not join_segments(segments).strip():
        return Transcript.silent(round(duration, 3), transcriber.engine, transcriber.model, dropped, activity.spans)
    return Transcript(text=join_segments(segments), segments=segments, language=language,
                      duration=round(duration, 3), engine=transcriber.engine, model=transcriber.model,
                      language_probability=probability, dropped=dropped, voiced=activity.spans)


def transcriber_language(transcriber: Transcriber) -> str | None:
    """The language the engine was told to expect, if any (engines keep it as ``language``)."""
    language = getattr(transcriber, "language", None)
    return language if isinstance(language, str) else None


def _transcribe_chunks(transcriber: Transcriber, samples: np.ndarray, chunks: list[tuple[float, float]],
                       on_segment: ProgressCallback | None, cancel: threading.Event | None,
                       ) -> tuple[tuple[Segment, ...], tuple[Dropped, ...], str, float]:
    """Each chunk decoded on its own; segments and dropped text shifted back to the recording's clock."""
    duration = seconds(samples)
    segments: list[Segment] = []
    dropped: list[Dropped] = []
    languages: list[tuple[str, float]] = []
    for start, end in chunks:
        check_cancel(cancel)
        offset = start

        def progress(segment: Segment, done: float, offset: float = offset, length: float = end - start) -> None:
            if on_segment is not None:
                on_segment(segment.shifted(offset), min(1.0, (offset + done * length) / duration))

        result = transcriber.transcribe(samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)],
                                        on_segment=progress if on_segment is not None else None, cancel=cancel)
        segments.extend(s.shifted(offset) for s in result.segments)
        dropped.extend(d.shifted(offset) for d in result.dropped)
        if result.language:
            languages.append((result.language, result.language_probability))
    language, probability = languages[0] if languages else ("", 0.0)
    return tuple(segments), tuple(dropped), language, probability


def keep_voiced(transcript: Transcript, spans: tuple[tuple[float, float], ...]) -> Transcript:
    """The transcript without words (and segments) that lie wholly outside the voiced spans (the same object
    when nothing is removed)."""
    segments, _ = voiced_segments(transcript.segments, spans)
    if len(segments) == len(transcript.segments) and all(a is b for a, b in zip(segments, transcript.segments)):
        return transcript
    return replace(transcript, segments=segments, text=join_segments(segments))


def voiced_segments(segments: tuple[Segment, ...], spans: tuple[tuple[float, float], ...],
                    ) -> tuple[tuple[Segment, ...], tuple[Dropped, ...]]:
    """(segments kept, text dropped): words (and segments) that lie wholly outside the voiced spans go.

    Whisper writes "You" or "Thank you." into long silences even inside a recording that has speech; a
    word the voice-activity check heard nothing under is such an invention.
    """
    padded = [(start - VOICE_PAD_SECONDS, end + VOICE_PAD_SECONDS) for start, end in spans]

    def voiced(start: float, end: float) -> bool:
        return any(start < span_end and end > span_start for span_start, span_end in padded)

    def silence(start: float, end: float, text: str) -> Dropped:
        return Dropped(start, end, text, "silence", "no voice was heard under it")

    kept: list[Segment] = []
    dropped: list[Dropped] = []
    for segment in segments:
        if segment.words:
            words = tuple(w for w in segment.words if voiced(w.start, w.end))
            removed = [w for w in segment.words if w not in words]
            if removed:
                dropped.append(silence(removed[0].start, removed[-1].end, "".join(w.text for w in removed).strip()))
            if len(words) == len(segment.words):
                kept.append(segment)
            elif words:
                kept.append(replace(segment, start=words[0].start, end=words[-1].end,
                                    text="".join(w.text for w in words).strip(), words=words))
        elif voiced(segment.start, segment.end):
            kept.append(segment)
        elif segment.text.strip():
            dropped.append(silence(segment.start, segment.end, segment.text.strip()))
    return tuple(kept), tuple(dropped)


def transcribe_file(transcriber: Transcriber, path: Path, *, on_segment: ProgressCallback | None = None,
                    cancel: threading.Event | None = None) -> Transcript:
    """Decode any audio file to 16 kHz mono and transcribe it (``InputError`` for a corrupt file)."""
    return transcribe_samples(transcriber, load_audio(path), on_segment=on_segment, cancel=cancel)


def warm_up(transcriber: Transcriber) -> None:
    """Run every model a first transcription needs once, so the first take is as fast as later ones.

    Loads the voice-activity model (Silero, through onnxruntime) and lets the engine run its decoder once
    (``warm_up()``, if it has one) on a second of faint noise. About 0.3-1 s on two cores; nothing is kept.
    """
    noise = (0.01 * np.random.default_rng(0).standard_normal(int(WARM_SECONDS * SAMPLE_RATE))).astype(np.float32)
    detect_voice(noise)
    engine_warm_up = getattr(transcriber, "warm_up", None)
    if callable(engine_warm_up):
        engine_warm_up()
