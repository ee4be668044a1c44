"""How the answer was said: pace, fillers and long pauses, from the transcript's word timings.

What this can and cannot see: Whisper leaves out most "um" and "uh" by design, so they are counted only
when they appear in the transcript, and hesitation is measured where it survives, as silences between
words (where the voice-activity model heard no voice: a drawn-out "ummm" Whisper left out is voice, so it
counts neither as a pause nor as a filler). Lexical fillers ("like", "you know", "basically", "sort of")
do survive and are counted, with simple rules that leave alone "models like KNN" and "what sort of model".
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Literal

from interviewer.speech.transcript import Transcript, Word

# Conversational pace, words per minute: slower sounds hesitant, faster is hard to follow.
PACE_LOW_WPM = 130
PACE_HIGH_WPM = 170
# Below this much speech a words-per-minute figure means little.
MIN_SECONDS_FOR_PACE = 5.0
MIN_WORDS_FOR_PACE = 12
# A silent gap between two words longer than this is a long pause.
LONG_PAUSE_SECONDS = 1.5
# More fillers than this per 100 words is worth working on (fluent speakers use 1-2).
FILLERS_PER_100_LIMIT = 3.0
# More long pauses than this per minute of speech is worth working on.
PAUSES_PER_MINUTE_LIMIT = 2.0

Pace = Literal["slow", "good", "fast", "unknown"]

HESITATIONS = frozenset({"um", "umm", "uh", "uhm", "erm", "er", "ah", "hmm", "mm"})
SINGLE_FILLERS = frozenset({"basically", "literally"})
# Two-word fillers, and words that, just before them, make them ordinary words ("what sort of model").
PHRASE_FILLERS = {("you", "know"): frozenset({"do", "did", "don't", "if", "would", "to", "what", "you"}),
                  ("i", "mean"): frozenset({"do", "did", "what"}),
                  ("sort", "of"): frozenset({"what", "which", "this", "that", "the", "a", "any", "some", "one", "every", "same"}),
                  ("kind", "of"): frozenset({"what", "which", "this", "that", "the", "a", "any", "some", "one", "every", "same"})}
# "like" is a filler after these words ("and like", "was like"), or next to a comma, or opening a sentence.
LIKE_AFTER = frozenset({"and", "so", "but", "was", "were", "um", "uh", "really"})
# Opening a sentence or clause, "like" followed by one of these (no comma) introduces an example or a
# comparison ("Like a refund flag…", ", like the churn model"): it means "such as", not a filler.
LIKE_EXAMPLE_BEFORE = frozenset({"a", "an", "the", "this", "that", "these", "those", "when", "in", "with", "for", "any",
                                 "some", "each", "every", "our", "my", "your", "their", "one", "two", "three"})
LIKE_NOT_AFTER = frozenset({"would", "looks", "look", "seems", "feel", "feels", "something", "things", "more", "much",
                            "just", "i", "you", "we", "they", "don't", "didn't", "not"})


@dataclass(frozen=True)
class FillerCount:
    filler: str
    count: int


@dataclass(frozen=True)
class Pause:
    """A silence between two words: ``after`` is the word before it, ``before`` the word after it. ``start`` and
    ``end`` are the silence's edges (the words' own times when the voice-activity spans are not known)."""

    start: float
    end: float
    seconds: float
    after: str
    before: str


@dataclass(frozen=True)
class Delivery:
    duration: float
    """Length of the recording, seconds."""
    speaking_seconds: float
    """From the first word's start to the last word's end."""
    word_count: int
    words_per_minute: float | None
    """Words over speaking time; None when there is too little speech to say."""
    pace: Pace
    fillers: tuple[FillerCount, ...]
    filler_count: int
    fillers_per_100_words: float
    pauses: tuple[Pause, ...]
    """Silences between words longer than ``LONG_PAUSE_SECONDS`` (``find_pauses``)."""
    longest_pause: float
    suggestions: tuple[str, ...]
    """One short suggestion per thing worth working on (or one saying it went well)."""
    notes: tuple[str, ...]
    """What the figures cannot see (e.g. that Whisper drops "um")."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _tokens(words: tuple[Word, ...]) -> list[tuple[str, bool, bool]]:
    """(bare lower-case word, comma/stop right before it, comma/stop right after it) for each word."""
    out = []
    previous_ends_clause = True  # the start of the answer behaves like the start of a sentence
    for word in words:
        text = word.text.strip()
        ends_clause = bool(re.search(r"[,.;:!?…—-]$", text))
        out.append((word.bare, previous_ends_clause or bool(re.match(r"^[,—-]", text)), ends_clause))
        previous_ends_clause = ends_clause
    return out


def count_fillers(words: tuple[Word, ...]) -> Counter[str]:
    """Filler words and phrases in the transcript, by filler."""
    tokens = _tokens(words)
    found: Counter[str] = Counter()
    skip = 0
    for i, (word, comma_before, comma_after) in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        previous = tokens[i - 1][0] if i > 0 and not comma_before else ""
        following = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        if word in HESITATIONS:
            found["um/uh"] += 1
        elif word in SINGLE_FILLERS:
            found[word] += 1
        elif (word, following) in PHRASE_FILLERS and previous not in PHRASE_FILLERS[(word, following)]:
            found[f"{word} {following}".replace("i mean", "I mean")] += 1
            skip = 1
        elif word == "like" and previous not in LIKE_NOT_AFTER and (comma_before or comma_after or previous in LIKE_AFTER):
            example = comma_before and not comma_after and previous not in LIKE_AFTER and following in LIKE_EXAMPLE_BEFORE
            if not example:
                found["like"] += 1
    return found


def silent_stretches(start: float, end: float, voiced: tuple[tuple[float, float], ...]) -> list[tuple[float, float]]:
    """The stretches of ``[start, end]`` that no voiced span covers, in order."""
    stretches, cursor = [], start
    for span_start, span_end in sorted(voiced):
        if span_end <= cursor:
            continue
        if span_start >= end:
            break
        if span_start > cursor:
            stretches.append((cursor, span_start))
        cursor = max(cursor, span_end)
    if cursor < end:
        stretches.append((cursor, end))
    return stretches


def find_pauses(words: tuple[Word, ...], threshold: float = LONG_PAUSE_SECONDS,
                voiced: tuple[tuple[float, float], ...] = ()) -> tuple[Pause, ...]:
    """Gaps longer than ``threshold`` seconds between consecutive words. With ``voiced`` (the voice-activity
    spans), only the silent part of a gap counts: a gap the voice-activity model heard speech in is words
    Whisper left out or misplaced, not a pause."""
    pauses = []
    for left, right in itertools.pairwise(words):
        if right.start - left.end <= threshold:
            continue
        stretches = silent_stretches(left.end, right.start, voiced) if voiced else [(left.end, right.start)]
        for start, end in stretches:
            if end - start > threshold:
                pauses.append(Pause(round(start, 2), round(end, 2), round(end - start, 2), left.text.strip(),
                                    right.text.strip()))
    return tuple(pauses)


def _pace(wpm: float | None) -> Pace:
    if wpm is None:
        return "unknown"
    return "slow" if wpm < PACE_LOW_WPM else "fast" if wpm > PACE_HIGH_WPM else "good"


def dropped_notice(transcript: Transcript) -> str | None:
    """One line for the candidate when text was left out of the transcript as likely invented, else None."""
    if not transcript.dropped:
        return None
    seconds = transcript.dropped_seconds
    return (f"{seconds:.1f} s of audio were dropped as likely invented text (not graded): check the transcript "
            "against what you said, and add anything that is missing.")


def measure_delivery(transcript: Transcript) -> Delivery:
    """Pace, fillers and long pauses of a transcript, each with a suggestion when worth one."""
    words = tuple(w for w in transcript.words if w.bare)
    speaking = round(words[-1].end - words[0].start, 2) if words else 0.0
    wpm = round(len(words) / speaking * 60, 1) if speaking >= MIN_SECONDS_FOR_PACE and len(words) >= MIN_WORDS_FOR_PACE else None
    fillers = count_fillers(words)
    filler_total = sum(fillers.values())
    per_100 = round(100 * filler_total / len(words), 1) if words else 0.0
    pauses = find_pauses(words, voiced=transcript.voiced)
    pace = _pace(wpm)
    suggestions: list[str] = []
    notes = ['Whisper leaves most "um" and "uh" out of the transcript, so silent hesitations show up as pauses '
             'here, not as filler counts (a drawn-out "ummm" shows up as neither).']
    dropped = dropped_notice(transcript)
    if not words:
        suggestions.append("No speech was detected: check that the right microphone is selected and not muted.")
        if dropped:
            suggestions.append(dropped)
        return Delivery(transcript.duration, 0.0, 0, None, "unknown", (), 0, 0.0, (), 0.0, tuple(suggestions), tuple(notes))
    if pace == "slow":
        suggestions.append(f"Your pace was {wpm:.0f} words per minute, slower than the {PACE_LOW_WPM}-{PACE_HIGH_WPM} of "
                           "conversation: plan the two or three points before you start, then keep talking through them.")
    elif pace == "fast":
        suggestions.append(f"Your pace was {wpm:.0f} words per minute, faster than the {PACE_LOW_WPM}-{PACE_HIGH_WPM} of "
                           "conversation: slow down and pause briefly after each key point.")
    elif pace == "unknown":
        notes.append(f"The answer was too short to measure pace (under {MIN_SECONDS_FOR_PACE:.0f} s or {MIN_WORDS_FOR_PACE} words).")
    if per_100 > FILLERS_PER_100_LIMIT:
        top = ", ".join(f'"{f}" ({n})' for f, n in fillers.most_common(3))
        suggestions.append(f"{filler_total} filler words ({per_100:.1f} per 100 words; most: {top}): replace them with a "
                           "short silent pause.")
    minutes = max(speaking / 60, 1 / 6)
    if pauses and len(pauses) / minutes > PAUSES_PER_MINUTE_LIMIT:
        suggestions.append(f"{len(pauses)} long pause{'s' if len(pauses) != 1 else ''} (over {LONG_PAUSE_SECONDS:g} s; longest {max(p.seconds for p in pauses):.1f} s): "
                           "outline your answer first (definition, example, trade-off) so the next point is ready.")
    elif pauses and max(p.seconds for p in pauses) > 2 * LONG_PAUSE_SECONDS:
        longest = max(pauses, key=lambda p: p.seconds)
        suggestions.append(f"A {longest.seconds:.1f} s pause at {longest.start:.0f} s (after \"{longest.after}\"): if you need "
                           "time to think, say so briefly (\"let me think about the trade-off\").")
    if not suggestions:
        steady = "steady pace, " if pace == "good" else ""
        suggestions.append(f"Clear delivery: {steady}few fillers, no long pauses.")
    if dropped:
        suggestions.insert(0, dropped)
    return Delivery(
        duration=transcript.duration,
        speaking_seconds=speaking,
        word_count=len(words),
        words_per_minute=wpm,
        pace=pace,
        fillers=tuple(FillerCount(f, n) for f, n in fillers.most_common()),
        filler_count=filler_total,
        fillers_per_100_words=per_100,
        pauses=pauses,
        longest_pause=max((p.seconds for p in pauses), default=0.0),
        suggestions=tuple(suggestions),
        notes=tuple(notes),
    )
