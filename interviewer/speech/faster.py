"""The default engine: faster-whisper (CTranslate2) with int8 weights on the CPU.

Whisper base int8 transcribes a 30 s answer in about a tenth of its length on two cores. Segments come
from a generator, window by 30 s window (their ``seek``); the cancel event is checked between segments. A
segment is reported as it comes once its window's figures pass the fallback rule; a window whose text
compresses too well waits until the next window's first segment (or the end) shows it is complete, and its
text is checked (answers come in chunks of at most 28 s, one window each).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from interviewer.errors import ModelNotAvailableError
from interviewer.speech.audio import SAMPLE_RATE, seconds
from interviewer.speech.engine import ProgressCallback, check_cancel
from interviewer.speech.hallucination import (
    COMPRESSION_RATIO_MAX,
    NO_SPEECH_PROB_MIN,
    SILENT_LOGPROB_MAX,
    repeated_sentences,
)
from interviewer.speech.models import resolve_faster_whisper_model
from interviewer.speech.transcript import Segment, Transcript, Word, join_segments

ENGINE = "faster-whisper"
COMPUTE_TYPE = "int8"  # 8-bit weights: ~2x faster than float32 on CPU, same words on our clips
WARM_SAMPLES = 16000  # the warm-up decodes one second of noise ...
WARM_TOKENS = 8  # ... and at most this many tokens of it
# faster-whisper's (and Whisper's) fallback: a window whose text compresses past 2.4 or whose mean token
# log-probability is below -1.0 is decoded again at each higher temperature (unless it looks silent); the
# thresholds are Whisper's own, as ``hallucination`` names them.
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
SAMPLES_PER_FRAME = 160  # faster-whisper's ``seek`` counts mel frames: a hop of 160 samples (if the model has none)


def needs_fallback(window: Any, segments: list[Segment], language: str | None) -> bool:
    """Whether faster-whisper's fallback rule would decode this window again, judged on its temperature-0
    decode (``window``: any of its raw segments; they share the window's figures), except that text which
    compresses past the threshold only because whole sentences are said again is kept (``repeated_sentences``).
    """
    verdict = _figures_verdict(window)
    return verdict if verdict is not None else not repeated_sentences(segments, language)


def _figures_verdict(window: Any) -> bool | None:
    """``needs_fallback`` from the window's figures alone (any one of its segments), or None when it turns on
    the window's whole text (it compresses past the threshold: a sentence said again, or a loop)."""
    if window.avg_logprob < SILENT_LOGPROB_MAX:
        return window.no_speech_prob <= NO_SPEECH_PROB_MIN  # silence is kept (and skipped) as it is
    return None if window.compression_ratio > COMPRESSION_RATIO_MAX else False


def _cpu_threads() -> int:
    """One CTranslate2 thread per core (its default of 4 oversubscribes a 2-core laptop)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class FasterWhisperTranscriber:
    """Whisper through faster-whisper. ``model`` is the ``whisper_model`` setting (None: packaged base)."""

    engine = ENGINE

    def __init__(self, model: str | None = None, *, beam_size: int = 5, language: str | None = "en",
                 cpu_threads: int | None = None) -> None:
        location, self.model = resolve_faster_whisper_model(model)
        self.beam_size = beam_size
        self.language = language
        # faster_whisper imports ctranslate2, tokenizers and onnxruntime (~0.5 s): only here.
        from faster_whisper import WhisperModel

        try:
            self._model = WhisperModel(location, device="cpu", compute_type=COMPUTE_TYPE,
                                       cpu_threads=cpu_threads or _cpu_threads(), local_files_only=True)
        except (RuntimeError, OSError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelNotAvailableError(
                f"Whisper model {location!r} could not be loaded offline ({first}); set whisper_model to a "
                "CTranslate2 Whisper folder, or unset it to use the packaged base model"
            ) from None

    def warm_up(self) -> None:
        """Decode a second of faint noise once, with word timings, so the first real take pays no first-call costs.

        CTranslate2 allocates its buffers and faster-whisper builds its feature extractor and alignment
        heads on the first call. One greedy pass at temperature 0 and a few tokens (no fallback loop: noise
        would otherwise be decoded up to six times); the encoder always runs a whole 30 s window, so it costs
        about 1-1.5 s on two cores, paid while loading instead of on the first take.
        """
        noise = (0.01 * np.random.default_rng(0).standard_normal(WARM_SAMPLES)).astype(np.float32)
        generator, _ = self._model.transcribe(noise, language=self.language or "en", beam_size=self.beam_size,
                                              word_timestamps=True, vad_filter=False, temperature=0.0,
                                              condition_on_previous_text=False, max_new_tokens=WARM_TOKENS)
        for _ in generator:
            pass

    def transcribe(self, samples: np.ndarray, *, on_segment: ProgressCallback | None = None,
                   cancel: threading.Event | None = None) -> Transcript:
        """Decode at temperature 0 first; only if a window fails faster-whisper's fallback rule (bar a repeated
        sentence, see ``needs_fallback``) decode again with the whole temperature schedule, as faster-whisper
        alone would. A window that passes is the same decode either way, so normal speech is unchanged, and
        one sentence said over and over is decoded once instead of at all six temperatures. The schedule decodes
        from the failed window's start only (the windows before it would come out the same), its segments
        shifted back to the recording's clock."""
        duration = seconds(samples)
        audio = np.ascontiguousarray(samples, dtype=np.float32)
        segments: list[Segment] = []

        def report(segment: Segment) -> None:
            segments.append(segment)
            if on_segment is not None:
                on_segment(segment, min(1.0, segment.end / duration) if duration else 1.0)

        generator, info = self._decode(audio, 0.0, self.language)
        language = self.language or info.language
        retry_from = _first_pass(generator, language, report, cancel)
        if retry_from is None and not segments:
            retry_from = 0  # no text at temperature 0 (faster-whisper yields none): it would have tried the schedule
        if retry_from is not None:
            check_cancel(cancel)
            # ``seek`` counts mel frames: hop_length samples each (160 at 16 kHz for every Whisper model so far)
            hop = int(getattr(getattr(self._model, "feature_extractor", None), "hop_length", SAMPLES_PER_FRAME))
            start = retry_from * hop
            # Above temperature 0 Whisper samples. CTranslate2 seeds each decoding thread's sampler once, at its
            # first sampled decode, from this seed: so the first sampled decode of a loaded model is the same run
            # after run (a `grade --audio` or `transcribe` of the same file gives the same transcript); later ones
            # in the same process (the app's next answers) continue that sampler's sequence.
            _seed_sampling()
            # the language the first pass found (as faster-whisper detects it once, on the first window)
            generator, _ = self._decode(audio[start:], TEMPERATURES, language)
            for raw in generator:
                check_cancel(cancel)
                report(_segment(raw).shifted(start / SAMPLE_RATE))
        return Transcript(
            text=join_segments(segments),
            segments=tuple(segments),
            language=info.language,
            language_probability=round(float(info.language_probability), 4),
            duration=round(duration, 3),
            engine=self.engine,
            model=self.model,
        )

    def _decode(self, audio: np.ndarray, temperature: float | tuple[float, ...],
                language: str | None) -> tuple[Iterator[Any], Any]:
        return self._model.transcribe(
            audio,
            language=language,
            beam_size=self.beam_size,
            word_timestamps=True,
            vad_filter=False,  # voice is checked before the model runs; pauses must keep their length
            condition_on_previous_text=False,  # avoids the repetition loops long answers can fall into
            temperature=temperature,
            compression_ratio_threshold=COMPRESSION_RATIO_MAX,
            log_prob_threshold=SILENT_LOGPROB_MAX,
            no_speech_threshold=NO_SPEECH_PROB_MIN,
        )


SAMPLING_SEED = 0


def _seed_sampling() -> None:
    """Seed CTranslate2's sampler (process-wide) before a decode that may sample."""
    import ctranslate2  # already imported by faster_whisper

    ctranslate2.set_random_seed(SAMPLING_SEED)


def _first_pass(generator: Iterable[Any], language: str | None, report: Callable[[Segment], None],
                cancel: threading.Event | None) -> int | None:
    """Report the temperature-0 segments, each once and only once its window is accepted; the ``seek`` of the
    first window ``needs_fallback`` rejects (None: all accepted). A window its figures accept (the usual case)
    is reported segment by segment as decoded; one whose text decides is held until the next window's first
    segment, or the end, shows it complete (faster-whisper decodes the next window before yielding that).
    """
    window: Any = None  # the current window's first raw segment
    verdict: bool | None = False
    held: list[Segment] = []  # the current window's segments, while its whole text decides

    def settled() -> bool:
        """The held window, now complete: reported if its text passes (True), else left for the fallback."""
        if held and needs_fallback(window, held, language):
            return False
        for segment in held:
            report(segment)
        return True

    for raw in generator:
        check_cancel(cancel)
        if window is None or raw.seek != window.seek:  # a new window: the one before is complete
            if not settled():
                return int(window.seek)
            held, window, verdict = [], raw, _figures_verdict(raw)
            if verdict:
                return int(window.seek)
        if verdict is None:
            held.append(_segment(raw))
        else:
            report(_segment(raw))
    return None if settled() else int(window.seek)


def _segment(raw: Any) -> Segment:
    words = tuple(Word(w.word, round(float(w.start), 3), round(float(w.end), 3), round(float(w.probability), 4))
                  for w in (raw.words or ()))
    return Segment(round(float(raw.start), 3), round(float(raw.end), 3), raw.text.strip(), words,
                   avg_logprob=round(float(raw.avg_logprob), 4),
                   compression_ratio=round(float(raw.compression_ratio), 4),
                   no_speech_prob=round(float(raw.no_speech_prob), 4))
