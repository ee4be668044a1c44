"""faster-whisper's temperature fallback, as the engine drives it (issue 12: ten minutes of one sentence took 347 s).

A window is decoded at temperature 0 first; the whole schedule runs again only when faster-whisper's own rule
would have fallen back, except for text that compresses well only because a whole sentence is said again. A
fake WhisperModel stands in for the real one: it returns prepared windows and records each call's temperature.
"""

from __future__ import annotations

import threading
import types
from typing import Any

import numpy as np
import pytest

from interviewer.speech import faster
from interviewer.speech.audio import SAMPLE_RATE
from interviewer.speech.engine import TranscriptionCancelled
from interviewer.speech.hallucination import repeated_sentences
from interviewer.speech.transcript import Segment, Word

SENTENCE = "Data leakage is when information from outside the training data sneaks into the model during training."
LOOP = "so the model, so the model, so the model, so the model overfits the data it was trained on."


def raw(text: str, start: float, *, seek: int = 0, logprob: float = -0.2, ratio: float = 1.4, no_speech: float = 0.01,
        probability: float = 0.9) -> types.SimpleNamespace:
    """One segment as faster-whisper yields it (its window's figures on every segment)."""
    words = [types.SimpleNamespace(word=" " + w, start=start + 0.3 * i, end=start + 0.3 * (i + 1),
                                   probability=probability) for i, w in enumerate(text.split())]
    return types.SimpleNamespace(seek=seek, start=start, end=words[-1].end, text=" " + text, words=words,
                                 avg_logprob=logprob, compression_ratio=ratio, no_speech_prob=no_speech)


class FakeModel:
    """``transcribe`` returns the windows of the first call for temperature 0 and ``retried`` for the schedule
    (times and seeks counted from the start of the audio it is given, as faster-whisper does); ``seconds`` and
    ``languages`` keep each call's audio length and language. ``log`` is shared with the test: "decoded" is
    written as a window's first segment is handed over (faster-whisper decodes a window, then yields it)."""

    def __init__(self, first: list[types.SimpleNamespace], retried: list[types.SimpleNamespace] | None = None,
                 log: list[str] | None = None) -> None:
        self.first, self.retried = first, retried or []
        self.temperatures: list[Any] = []
        self.seconds: list[float] = []
        self.languages: list[str | None] = []
        self.options: dict[str, Any] = {}
        self.log = log if log is not None else []

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[Any, Any]:
        self.temperatures.append(options["temperature"])
        self.seconds.append(len(audio) / SAMPLE_RATE)
        self.languages.append(options["language"])
        self.options = options
        segments = self.first if options["temperature"] == 0.0 else self.retried

        def windows() -> Any:
            for i, segment in enumerate(segments):
                if i == 0 or segment.seek != segments[i - 1].seek:
                    self.log.append(f"decoded {segment.seek}")
                yield segment

        return windows(), types.SimpleNamespace(language="en", language_probability=0.99)


def engine(model: FakeModel) -> faster.FasterWhisperTranscriber:
    transcriber = object.__new__(faster.FasterWhisperTranscriber)
    transcriber.model, transcriber.beam_size, transcriber.language = "base", 5, "en"
    transcriber._model = model  # type: ignore[assignment]
    return transcriber


AUDIO = np.zeros(28 * SAMPLE_RATE, np.float32)


def test_one_sentence_repeated_is_decoded_once_not_at_six_temperatures() -> None:
    """The issue's case: each 28 s chunk compresses past 2.4 (4.4 measured) only because the sentence repeats."""
    model = FakeModel([raw(SENTENCE, 6.0 * i, ratio=4.42) for i in range(4)], retried=[raw("wrong", 0.0)])
    progress: list[float] = []
    transcript = engine(model).transcribe(AUDIO, on_segment=lambda s, done: progress.append(done))
    assert model.temperatures == [0.0]
    assert transcript.text == " ".join([SENTENCE] * 4) and len(transcript.segments) == 4
    assert len(progress) == 4 and progress == sorted(progress)
    assert model.options["compression_ratio_threshold"] == 2.4 and model.options["log_prob_threshold"] == -1.0


def test_ordinary_speech_is_the_temperature_zero_decode_as_before() -> None:
    model = FakeModel([raw("I would use cross validation.", 0.0), raw("Then check for leakage.", 3.0)])
    transcript = engine(model).transcribe(AUDIO)
    assert model.temperatures == [0.0]
    assert transcript.text == "I would use cross validation. Then check for leakage."


@pytest.mark.parametrize("first", [
    [raw(LOOP, 0.0, ratio=2.9)],  # a loop inside a segment: faster-whisper's fallback, as before
    [raw(SENTENCE, 0.0, ratio=2.6), raw("the data the data", 6.0, ratio=2.6)],  # compresses, no sentence repeated
    [raw(SENTENCE, 6.0 * i, ratio=4.4, probability=0.4) for i in range(4)],  # repeated, but heard unclearly
    [raw(SENTENCE, 0.0, logprob=-1.3)],  # the decoder guessed
])
def test_a_window_faster_whisper_would_redo_is_decoded_with_the_whole_schedule(first: list[Any]) -> None:
    model = FakeModel(first, retried=[raw("What was said.", 0.0, ratio=1.2)])
    reported: list[str] = []
    transcript = engine(model).transcribe(AUDIO, on_segment=lambda s, done: reported.append(s.text))
    assert model.temperatures == [0.0, faster.TEMPERATURES]
    assert transcript.text == "What was said." and reported == ["What was said."]  # nothing of the failed window


def test_a_silent_window_is_not_redone() -> None:
    """faster-whisper's own exception: a low log-probability with a high no-speech probability is silence."""
    model = FakeModel([raw("you", 0.0, logprob=-1.5, no_speech=0.8)])
    assert engine(model).transcribe(AUDIO).text == "you" and model.temperatures == [0.0]


def test_windows_before_the_failing_one_are_reported_once() -> None:
    first = [raw("First window.", 0.0, seek=0), raw(LOOP, 27.5, seek=2750, ratio=3.0)]
    retried = [raw("Second window.", 0.5, seek=0)]  # the schedule decodes from 27.5 s: its clock starts there
    model = FakeModel(first, retried)
    reported: list[tuple[str, float]] = []
    transcript = engine(model).transcribe(np.zeros(40 * SAMPLE_RATE, np.float32),
                                          on_segment=lambda s, done: reported.append((s.text, done)))
    assert [text for text, _ in reported] == ["First window.", "Second window."]
    assert transcript.text == "First window. Second window."
    assert model.seconds == [40.0, 12.5]  # the failed window's start (seek 2750 frames: 27.5 s) to the end
    second = transcript.segments[1]
    assert (second.start, second.end) == (28.0, 28.6) and (second.words[0].start, second.words[-1].end) == (28.0, 28.6)
    assert reported[1][1] == pytest.approx(28.6 / 40)


def test_the_schedule_samples_from_a_fixed_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above temperature 0 Whisper samples: the same recording must give the same transcript every run."""
    import ctranslate2

    seeds: list[int] = []
    monkeypatch.setattr(ctranslate2, "set_random_seed", seeds.append)
    model = FakeModel([raw(LOOP, 0.0, ratio=3.0)], [raw("Retried.", 0.0)])
    engine(model).transcribe(np.zeros(20 * SAMPLE_RATE, np.float32))
    assert seeds == [faster.SAMPLING_SEED] and model.temperatures[-1] == faster.TEMPERATURES
    seeds.clear()
    engine(FakeModel([raw("Fine at zero.", 0.0)])).transcribe(np.zeros(20 * SAMPLE_RATE, np.float32))
    assert seeds == []  # a decode at temperature 0 does not sample


def test_the_retry_keeps_the_language_the_first_pass_found() -> None:
    transcriber = engine(FakeModel([raw("First window.", 0.0), raw(LOOP, 30.0, seek=3000, ratio=3.0)],
                                   [raw("Second window.", 0.0)]))
    transcriber.language = None  # detect it: faster-whisper does so once, on the first window
    transcript = transcriber.transcribe(np.zeros(40 * SAMPLE_RATE, np.float32))
    assert transcriber._model.languages == [None, "en"]  # type: ignore[attr-defined]
    assert (transcript.language, transcript.language_probability) == ("en", 0.99)


def test_a_window_is_reported_as_soon_as_it_is_accepted_not_one_window_late() -> None:
    log: list[str] = []
    first = [raw("First window.", 0.0), raw("Still the first.", 3.0), raw("Second window.", 30.0, seek=3000)]
    engine(FakeModel(first, log=log)).transcribe(np.zeros(40 * SAMPLE_RATE, np.float32),
                                                 on_segment=lambda s, done: log.append(s.text))
    assert log == ["decoded 0", "First window.", "Still the first.", "decoded 3000", "Second window."]


def test_a_window_its_text_decides_is_reported_once_complete_and_accepted() -> None:
    """A window compressing past 2.4 is accepted only on its whole text (a sentence said again): it is held
    until the next window shows it complete; a window that then fails is never reported."""
    log: list[str] = []
    first = [raw(SENTENCE, 6.0 * i, ratio=4.4) for i in range(2)] + [raw("Then a loop.", 30.0, seek=3000, ratio=3.0)]
    model = FakeModel(first, [raw("What was said.", 0.0)], log=log)
    engine(model).transcribe(np.zeros(40 * SAMPLE_RATE, np.float32), on_segment=lambda s, done: log.append(s.text))
    assert log == ["decoded 0", "decoded 3000", SENTENCE, SENTENCE, "decoded 0", "What was said."]
    assert model.seconds == [40.0, 10.0]


def test_cancel_is_honoured_in_the_first_pass() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(TranscriptionCancelled):
        engine(FakeModel([raw(SENTENCE, 0.0)])).transcribe(AUDIO, cancel=cancel)


def ours(text: str, start: float = 0.0, probability: float = 0.9) -> Segment:
    words = tuple(Word(" " + w, start + 0.3 * i, start + 0.3 * (i + 1), probability)
                  for i, w in enumerate(text.split()))
    return Segment(start, words[-1].end, text, words)


def test_repeated_sentences() -> None:
    assert repeated_sentences([ours(SENTENCE, 6.0 * i) for i in range(4)], "en")
    assert repeated_sentences([ours(SENTENCE), ours(SENTENCE.lower().rstrip("."), 6.0)], "en")  # case, punctuation
    assert not repeated_sentences([ours(SENTENCE), ours("Then I would check it.", 6.0)], "en")  # nothing repeated
    assert not repeated_sentences([ours(SENTENCE, 6.0 * i, probability=0.5) for i in range(4)], "en")
    assert not repeated_sentences([ours(LOOP, 8.0 * i) for i in range(3)], "en")  # loops inside the segment
    assert not repeated_sentences([ours("数据泄漏 " + SENTENCE, 6.0 * i) for i in range(3)], "en")  # another script
    # each segment passes its own checks (too short to judge alone) and one repeats, but said once the text
    # still compresses to 3.4: a loop across segments, not a sentence said again
    near = [ours(f"we split the data by time so the model {w}", 4.0 * i)
            for i, w in enumerate(("first", "again", "twice", "later", "today", "early", "first"))]
    assert not repeated_sentences(near, "en")
    assert repeated_sentences(near[:1] + near[-1:], "en")


def test_no_text_at_temperature_zero_tries_the_whole_schedule() -> None:
    """faster-whisper yields no segment for a window with no text; alone, it would have decoded it again."""
    model = FakeModel([], [raw(SENTENCE, 0.0)])
    assert engine(model).transcribe(AUDIO).text == SENTENCE
    assert model.temperatures == [0.0, faster.TEMPERATURES]
    assert model.seconds == [28.0, 28.0]  # all of it, from 0


def test_cancel_is_honoured_before_the_retry() -> None:
    cancel = threading.Event()

    class CancelAfterFirst(FakeModel):
        def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[Any, Any]:
            segments, info = super().transcribe(audio, **options)

            def then_cancel() -> Any:
                yield from segments
                cancel.set()  # the candidate cancels as the first pass ends, before any retry starts

            return then_cancel(), info

    model = CancelAfterFirst([raw(LOOP, 0.0, ratio=3.0)], [raw(SENTENCE, 0.0)])
    with pytest.raises(TranscriptionCancelled):
        engine(model).transcribe(AUDIO, cancel=cancel)
    assert model.temperatures == [0.0]

