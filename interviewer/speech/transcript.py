"""Typed transcription results: words with times, segments, and the whole transcript.

Every engine returns a ``Transcript``; everything downstream (delivery metrics, grading, rendering,
``--json``) reads only these types. Times are seconds from the start of the audio.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Word:
    """One recognised word. ``text`` keeps Whisper's leading space and punctuation stripped of nothing."""

    text: str
    start: float
    end: float
    probability: float

    @property
    def bare(self) -> str:
        """The word without surrounding spaces and punctuation, lower-cased ("Country," -> "country")."""
        return self.text.strip().strip(".,!?;:\"'“”‘’()[]-—…").lower()


@dataclass(frozen=True)
class Segment:
    """A stretch of speech as the engine cut it: ``text`` is ``"".join(w.text for w in words)`` when words exist."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    def shifted(self, offset: float) -> Segment:
        """The same segment ``offset`` seconds later (for a chunk cut from a longer recording)."""
        if not offset:
            return self
        words = tuple(Word(w.text, round(w.start + offset, 3), round(w.end + offset, 3), w.probability) for w in self.words)
        return Segment(round(self.start + offset, 3), round(self.end + offset, 3), self.text, words)


@dataclass(frozen=True)
class Transcript:
    """The result of transcribing one recording.

    ``text`` is empty exactly when ``no_speech`` is true: silence or noise gives no text, never text the
    model invented. ``duration`` is the length of the audio (not of the speech).
    """

    text: str
    segments: tuple[Segment, ...]
    language: str
    duration: float
    engine: str
    model: str
    no_speech: bool = False
    language_probability: float = 0.0

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(word for segment in self.segments for word in segment.words)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def silent(cls, duration: float, engine: str, model: str) -> Transcript:
        """The transcript of a recording with no voice in it."""
        return cls(text="", segments=(), language="", duration=duration, engine=engine, model=model, no_speech=True)


def join_segments(segments: tuple[Segment, ...] | list[Segment]) -> str:
    """The transcript text: segment texts joined with single spaces."""
    return " ".join(" ".join(segment.text.split()) for segment in segments if segment.text.strip())
