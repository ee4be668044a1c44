"""Typed transcription results: words with times, segments, and the whole transcript.

Every engine returns a ``Transcript``; everything downstream (delivery metrics, grading, rendering,
``--json``) reads only these types. Times are seconds from the start of the audio.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal


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
    avg_logprob: float | None = None
    """The decoder's mean log-probability per token over its window (None when the engine does not say)."""
    compression_ratio: float | None = None
    """The engine's compression ratio of its decoding window's text (shared by the window's segments)."""
    no_speech_prob: float | None = None
    """The model's probability that the window held no speech (None when the engine does not say)."""

    def shifted(self, offset: float) -> Segment:
        """The same segment ``offset`` seconds later (for a chunk cut from a longer recording)."""
        if not offset:
            return self
        words = tuple(Word(w.text, round(w.start + offset, 3), round(w.end + offset, 3), w.probability) for w in self.words)
        return replace(self, start=round(self.start + offset, 3), end=round(self.end + offset, 3), words=words)


DropReason = Literal["silence", "repetition", "compression", "no_speech", "low_confidence", "script", "too_fast"]


@dataclass(frozen=True)
class Dropped:
    """Text the engine wrote that was left out of the transcript because it looked invented.

    ``reason`` is the check that caught it; ``detail`` says what it measured, for a person to read.
    """

    start: float
    end: float
    text: str
    reason: DropReason
    detail: str

    def shifted(self, offset: float) -> Dropped:
        if not offset:
            return self
        return replace(self, start=round(self.start + offset, 3), end=round(self.end + offset, 3))


@dataclass(frozen=True)
class Transcript:
    """The result of transcribing one recording.

    ``text`` is empty exactly when ``no_speech`` is true: silence or noise gives no text, never text the
    model invented. ``duration`` is the length of the audio (not of the speech). ``dropped`` is what the
    engine wrote but the checks left out as invented (repetition loops, text in another script, decoder
    guesses): feedback can say "n passages could not be transcribed" instead of grading them.
    """

    text: str
    segments: tuple[Segment, ...]
    language: str
    duration: float
    engine: str
    model: str
    no_speech: bool = False
    language_probability: float = 0.0
    dropped: tuple[Dropped, ...] = ()
    voiced: tuple[tuple[float, float], ...] = ()
    """(start, end) seconds of the stretches the voice-activity model heard speech in (empty: not known).
    A gap between two words is a pause only where no voice was heard: Whisper's word times can leave a gap
    where words were spoken (a dropped passage, a misplaced timestamp)."""

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(word for segment in self.segments for word in segment.words)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def dropped_seconds(self) -> float:
        """How much audio the dropped text covered (0 when nothing was dropped)."""
        return round(sum(max(0.0, d.end - d.start) for d in self.dropped), 3)

    @classmethod
    def silent(cls, duration: float, engine: str, model: str, dropped: tuple[Dropped, ...] = (),
               voiced: tuple[tuple[float, float], ...] = ()) -> Transcript:
        """The transcript of a recording with no voice in it (or none that was not invented: then ``voiced``
        still says where voice was heard, so a live transcript does not read that stretch as a pause)."""
        return cls(text="", segments=(), language="", duration=duration, engine=engine, model=model, no_speech=True,
                   dropped=dropped, voiced=voiced)


def join_segments(segments: tuple[Segment, ...] | list[Segment]) -> str:
    """The transcript text: segment texts joined with single spaces."""
    return " ".join(" ".join(segment.text.split()) for segment in segments if segment.text.strip())
