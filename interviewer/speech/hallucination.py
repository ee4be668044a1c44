"""Checks for text Whisper invented, so feedback never grades words nobody said.

Whisper hallucinates on long, repetitive or unclear audio: a phrase looped ("the data, the data, the data"),
characters of another script (stray CJK in an English answer), a window the decoder only guessed at. Each
check here looks at one segment's own text and timings, names a reason, and says what it measured; the
transcript keeps the dropped text in ``Transcript.dropped`` so the app can tell the candidate.

The thresholds follow Whisper's own (compression ratio 2.4, log-probability -1.0, no-speech 0.6, from
``openai/whisper`` ``transcribe.py``), applied per segment rather than per 30 s window, so a real sentence
said twice is kept while a looped one is not.
"""

from __future__ import annotations

import unicodedata
import zlib
from dataclasses import replace

from interviewer.speech.transcript import Dropped, DropReason, Segment

COMPRESSION_RATIO_MAX = 2.4  # Whisper's threshold: text that compresses this well is a loop
COMPRESSION_MIN_CHARS = 60  # shorter text compresses badly whatever it says: no verdict from it
NO_SPEECH_PROB_MIN = 0.6  # Whisper's "this window was silence" rule needs both of these
SILENT_LOGPROB_MAX = -1.0
GUESS_LOGPROB_MAX = -1.0  # the decoder guessed: the window's log-probability is this low ...
GUESS_WORD_PROB_MAX = 0.35  # ... and so is this segment's mean word probability
MAX_LETTERS_PER_SECOND = 40.0  # fast speech is ~20 letters a second; far more words than time is invented
RATE_MIN_LETTERS = 12  # too few letters to judge a rate from timings that are rounded to 20 ms
REPEATS_OF_ONE_WORD = 4  # "the the the the": a word said four times running
REPEATS_OF_A_PHRASE = 3  # "so the model, so the model, so the model": a 2-5 word phrase three times running
LONGEST_LOOPED_PHRASE = 5  # a whole sentence said again is speech (people do), not a decoder loop
REPEAT_WORD_PROB_MIN = 0.7  # whole segments said again count as speech only if their words were heard clearly

# The script each language is written in (Unicode names start with it). A language not listed is not checked.
SCRIPTS = {
    **dict.fromkeys(("en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "nn", "fi", "pl", "cs", "sk", "ro",
                     "hu", "hr", "sl", "et", "lv", "lt", "tr", "id", "ms", "ca", "eu", "gl", "cy", "ga", "is", "sq",
                     "vi", "af", "sw", "tl", "la", "mt", "bs", "lb", "oc", "br", "haw", "mi", "jw", "su", "so",
                     "yo", "ln", "sn", "az", "uz", "tk", "fo", "ht"), "LATIN"),
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "kk", "mn", "tt", "ba", "tg"), "CYRILLIC"),
    "el": "GREEK", "he": "HEBREW", "yi": "HEBREW", "ar": "ARABIC", "fa": "ARABIC", "ur": "ARABIC", "ps": "ARABIC",
    "hi": "DEVANAGARI", "mr": "DEVANAGARI", "ne": "DEVANAGARI", "th": "THAI", "ka": "GEORGIAN", "hy": "ARMENIAN",
}


def compression_ratio(text: str) -> float:
    """UTF-8 length over zlib-compressed length (Whisper's measure; about 1-1.5 for ordinary sentences)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def find_loop(tokens: list[str]) -> tuple[int, int, int] | None:
    """(n, repeats, start) of a phrase of 1..LONGEST_LOOPED_PHRASE tokens said back to back too often, or None.

    ``tokens[start:start + n]`` is the phrase: a word said ``REPEATS_OF_ONE_WORD`` times running, or a
    longer phrase ``REPEATS_OF_A_PHRASE`` times. The shortest such phrase, first in the text, is returned.
    """
    for n in range(1, LONGEST_LOOPED_PHRASE + 1):
        limit = REPEATS_OF_ONE_WORD if n == 1 else REPEATS_OF_A_PHRASE
        for start in range(len(tokens) - n * (limit - 1)):
            repeats = 1
            while tokens[start + repeats * n : start + (repeats + 1) * n] == tokens[start : start + n]:
                repeats += 1
            if repeats >= limit:
                return n, repeats, start
    return None


def _bare(token: str) -> str:
    return "".join(ch for ch in token.lower() if ch.isalnum() or ch == "'")


def _foreign_letters(text: str, script: str) -> int:
    """How many letters of ``text`` are not of ``script`` (digits and punctuation are not letters)."""
    return sum(1 for ch in text if unicodedata.category(ch).startswith("L")
               and not unicodedata.name(ch, "").startswith(script))


def check_segment(segment: Segment, language: str | None) -> tuple[Segment | None, list[Dropped]]:
    """The segment as kept (None: dropped whole) and what was dropped from it, with reasons."""

    def drop(reason: DropReason, detail: str, text: str | None = None) -> tuple[None, list[Dropped]]:
        return None, [Dropped(segment.start, segment.end, segment.text if text is None else text, reason, detail)]

    text = " ".join(segment.text.split())
    if not text:
        return segment, []
    tokens = [t for t in (_bare(w) for w in text.split()) if t]
    loop = find_loop(tokens)
    if loop is not None:
        n, repeats, start = loop
        return drop("repetition", f"{' '.join(tokens[start : start + n])!r} {repeats} times in a row")
    ratio = compression_ratio(text)
    if len(text) >= COMPRESSION_MIN_CHARS and ratio > COMPRESSION_RATIO_MAX:
        return drop("compression", f"compression ratio {ratio:.1f} > {COMPRESSION_RATIO_MAX} (the text loops)")
    if segment.no_speech_prob is not None and segment.avg_logprob is not None \
            and segment.no_speech_prob > NO_SPEECH_PROB_MIN and segment.avg_logprob < SILENT_LOGPROB_MAX:
        return drop("no_speech", f"no-speech probability {segment.no_speech_prob:.2f}, "
                                 f"log-probability {segment.avg_logprob:.2f}")
    if segment.words and segment.avg_logprob is not None and segment.avg_logprob < GUESS_LOGPROB_MAX:
        mean_probability = sum(w.probability for w in segment.words) / len(segment.words)
        if mean_probability < GUESS_WORD_PROB_MAX:
            return drop("low_confidence", f"log-probability {segment.avg_logprob:.2f}, "
                                          f"mean word probability {mean_probability:.2f}")
    letters = sum(1 for ch in text if ch.isalpha())
    if segment.words and letters >= RATE_MIN_LETTERS:
        spoken = max(segment.words[-1].end - segment.words[0].start, 0.02)
        if letters / spoken > MAX_LETTERS_PER_SECOND:
            return drop("too_fast", f"{letters} letters in {spoken:.2f} s: more words than the audio holds")
    script = SCRIPTS.get((language or "").lower())
    if script is None or not _foreign_letters(text, script):
        return segment, []
    foreign = _foreign_letters(text, script)
    if foreign * 2 >= letters or not segment.words:
        return drop("script", f"{foreign} of {letters} letters are not {script.title()} ({language})")
    kept = tuple(w for w in segment.words if not _foreign_letters(w.text, script))
    removed = [w for w in segment.words if _foreign_letters(w.text, script)]
    if not kept:
        return drop("script", f"no word in {script.title()} script ({language})")
    detail = f"{len(removed)} word(s) not in {script.title()} script ({language})"
    dropped = [Dropped(removed[0].start, removed[-1].end, "".join(w.text for w in removed).strip(), "script", detail)]
    kept_segment = replace(segment, start=kept[0].start, end=kept[-1].end,
                           text="".join(w.text for w in kept).strip(), words=kept)
    return kept_segment, dropped


def filter_segments(segments: tuple[Segment, ...] | list[Segment],
                    language: str | None) -> tuple[tuple[Segment, ...], tuple[Dropped, ...]]:
    """(segments kept, text dropped) after every check; segments that pass are returned unchanged."""
    kept: list[Segment] = []
    dropped: list[Dropped] = []
    for segment in segments:
        result, removed = check_segment(segment, language)
        if result is not None:
            kept.append(result)
        dropped.extend(removed)
    return tuple(kept), tuple(dropped)


def repeated_sentences(segments: tuple[Segment, ...] | list[Segment], language: str | None) -> bool:
    """Whether text that compresses too well does so only because whole segments are said again (a sentence
    repeated, as people do), and is otherwise ordinary speech.

    True when some segment's words (case and punctuation aside) repeat an earlier segment's, the text with each
    such repeat said once compresses no better than ``COMPRESSION_RATIO_MAX``, the words were heard with a mean
    probability of at least ``REPEAT_WORD_PROB_MIN``, and every segment passes ``check_segment`` untouched (so
    a loop inside a segment, another script or a guessed window is never accepted).
    """
    said_once: dict[str, str] = {}  # each segment's words -> its first text
    keyed = 0
    for segment in segments:
        key = " ".join(part for part in (_bare(w) for w in segment.text.split()) if part)
        if key:  # a segment of punctuation alone ("…") repeats nothing
            keyed += 1
            said_once.setdefault(key, " ".join(segment.text.split()))
    if len(said_once) == keyed or compression_ratio(" ".join(said_once.values())) > COMPRESSION_RATIO_MAX:
        return False
    words = [w for segment in segments for w in segment.words]
    if not words or sum(w.probability for w in words) / len(words) < REPEAT_WORD_PROB_MIN:
        return False
    return all(check_segment(segment, language) == (segment, []) for segment in segments)
