"""Transcribe while recording, so the full transcript is ready moments after the candidate stops.

Audio is fed in as it is recorded (``feed``, e.g. as the recorder's ``on_audio``). A worker thread cuts the
untranscribed audio at a pause once there is at least ``MIN_CHUNK_SECONDS`` of it, and transcribes that
chunk while the candidate keeps talking. When recording stops, ``finish()`` transcribes only the last
stretch, so the wait after stopping is one short chunk, not the whole answer. Each chunk goes through the
same voice check as a whole file, so a silent stretch never turns into invented text.
"""

from __future__ import annotations

import threading

import numpy as np

from interviewer.errors import InterviewerError
from interviewer.speech.audio import FRAME_SECONDS, SAMPLE_RATE, frame_levels_dbfs
from interviewer.speech.engine import Transcriber
from interviewer.speech.transcriber import transcribe_samples
from interviewer.speech.transcript import Dropped, Segment, Transcript, join_segments

MIN_CHUNK_SECONDS = 8.0  # transcribe a chunk once this much new audio has arrived (~1 s of work on 2 cores)
MAX_CHUNK_SECONDS = 28.0  # never more than one Whisper window
CUT_SEARCH_SECONDS = 3.0  # cut at the quietest frame in the last seconds of the chunk: between words
LIVE_MARGIN_SECONDS = 0.3  # never cut closer than this to the newest audio (a word may be under way)


def cut_point(samples: np.ndarray, start: int, end: int) -> int:
    """A sample index in (start, end] to cut at: the quietest 30 ms frame in the last seconds before ``end``."""
    frame = int(FRAME_SECONDS * SAMPLE_RATE)
    window_start = max(start + frame, end - int(CUT_SEARCH_SECONDS * SAMPLE_RATE))
    if end - window_start < frame:
        return end
    levels = frame_levels_dbfs(samples[window_start:end])
    return window_start + int(np.argmin(levels)) * frame + frame // 2


class LiveTranscriber:
    """Chunked transcription of a growing recording. ``feed`` from any one thread; ``finish`` once at the end."""

    def __init__(self, transcriber: Transcriber) -> None:
        self._transcriber = transcriber
        self._buffer = np.zeros(SAMPLE_RATE * 30, dtype=np.float32)  # grows by doubling: appends stay O(block)
        self._length = 0
        self._done = 0  # samples already transcribed (or being transcribed)
        self._segments: list[Segment] = []
        self._dropped: list[Dropped] = []
        self._voiced: list[tuple[float, float]] = []
        self._languages: list[str] = []
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._closing = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="live-transcriber")
        self._thread.start()

    def feed(self, samples: np.ndarray) -> None:
        """Append 16 kHz mono float32 samples (the recorder's ``on_audio``)."""
        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._wake:
            needed = self._length + len(block)
            if needed > len(self._buffer):
                grown = np.zeros(max(needed, 2 * len(self._buffer)), dtype=np.float32)
                grown[: self._length] = self._buffer[: self._length]
                self._buffer = grown
            self._buffer[self._length : needed] = block
            self._length = needed
            self._wake.notify()

    @property
    def transcribed_seconds(self) -> float:
        return self._done / SAMPLE_RATE

    def _audio(self) -> np.ndarray:
        """All audio so far (under the lock), as a view: no copy of the recording per wake-up."""
        return self._buffer[: self._length]

    def _next_chunk(self) -> tuple[int, int] | None:
        """(start, end) of the next chunk to transcribe now, or None to wait for more audio."""
        audio = self._audio()
        available = len(audio) - int(LIVE_MARGIN_SECONDS * SAMPLE_RATE) - self._done
        if available < MIN_CHUNK_SECONDS * SAMPLE_RATE:
            return None
        end = self._done + min(available, int(MAX_CHUNK_SECONDS * SAMPLE_RATE))
        return self._done, cut_point(audio, self._done, end)

    def _transcribe(self, audio: np.ndarray, start: int, end: int) -> None:
        result = transcribe_samples(self._transcriber, audio[start:end])
        self._dropped.extend(d.shifted(start / SAMPLE_RATE) for d in result.dropped)
        self._voiced.extend((round(a + start / SAMPLE_RATE, 3), round(b + start / SAMPLE_RATE, 3)) for a, b in result.voiced)
        if not result.no_speech:
            self._segments.extend(s.shifted(start / SAMPLE_RATE) for s in result.segments)
            self._languages.append(result.language)

    def _run(self) -> None:
        try:
            while True:
                with self._wake:
                    chunk = self._next_chunk()
                    while chunk is None and not self._closing:
                        self._wake.wait()
                        chunk = self._next_chunk()
                    if chunk is None:
                        return
                    audio = self._audio()
                    self._done = chunk[1]
                self._transcribe(audio, *chunk)  # outside the lock: feeding goes on meanwhile
        except BaseException as exc:  # re-raised in the caller's thread by finish()
            self._error = exc

    def finish(self) -> Transcript:
        """Wait for the chunk under way, transcribe the rest, and return the whole transcript."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join()
        if self._error is not None:
            if isinstance(self._error, InterviewerError):
                raise self._error
            raise InterviewerError(f"live transcription failed: {self._error}") from self._error
        with self._lock:
            audio = self._audio()
        if len(audio) > self._done:
            self._transcribe(audio, self._done, len(audio))
            self._done = len(audio)
        duration = round(len(audio) / SAMPLE_RATE, 3)
        engine, model = self._transcriber.engine, self._transcriber.model
        if not self._segments:
            return Transcript.silent(duration, engine, model, tuple(self._dropped), tuple(self._voiced))
        return Transcript(text=join_segments(self._segments), segments=tuple(self._segments),
                          language=self._languages[0] if self._languages else "", duration=duration,
                          engine=engine, model=model, dropped=tuple(self._dropped), voiced=tuple(self._voiced))
