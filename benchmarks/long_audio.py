"""Issue 12's failure case, measured: one sentence spoken over and over for ten minutes, through the real Whisper.

    .venv/bin/python benchmarks/long_audio.py [--seconds 600] [--gap-min 0.3] [--gap-max 2.0] [--path file|live|both]

The issue: ten minutes of one sentence repeated came back with about 80% of the words dropped, stray CJK
characters and invented pauses of 90-209 s, with no warning. Here the Piper voice says ``--sentence`` once;
that audio is repeated, with silences drawn uniformly from ``--gap-min``..``--gap-max`` seconds between the
repetitions (``--seed``), to at least ``--seconds``, and transcribed with the packaged Whisper base (int8,
faster-whisper, the settings' defaults) through the product's own code:
- ``file``: ``transcribe_file`` (voice-activity chunks of at most 28 s, hallucination checks), as ``transcribe``
  and a recording without live transcription are;
- ``live``: ``LiveTranscriber`` (as the app and ``record --transcribe`` are), fed in 0.1 s blocks with the
  worker never behind (each chunk is cut as soon as 8 s are waiting, as when Whisper keeps pace with a
  speaker); faster than real time, so the wall time is not the wait a candidate would see.

Reported per path: recall of the reference words (jiwer hits / reference words, case and punctuation
normalised), WER, words kept vs reference, inserted words (text nobody said), what was dropped and why, letters
outside the Latin script, the longest pauses ``measure_delivery`` found (every real gap is at most
``--gap-max``), the delivery suggestions, and the transcription wall time. The machine is shared (2 cores):
other work running meanwhile lengthens the times. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SENTENCE = "Data leakage is when information from outside the training data sneaks into the model during training."
BLOCK_SECONDS = 0.1  # the recorder's block


def repeated(one: np.ndarray, seconds: float, gap_min: float, gap_max: float, seed: int) -> tuple[np.ndarray, int, float]:
    """(samples, repetitions, longest gap): ``one`` again and again with random silences, to ``seconds``."""
    from interviewer.speech.audio import SAMPLE_RATE

    rng = np.random.default_rng(seed)
    parts: list[np.ndarray] = []
    total, count, longest = 0, 0, 0.0
    while total < seconds * SAMPLE_RATE:
        gap = float(rng.uniform(gap_min, gap_max))
        longest = max(longest, gap)
        silence = np.zeros(int(gap * SAMPLE_RATE), np.float32)
        parts += [one, silence]
        total += len(one) + len(silence)
        count += 1
    return np.concatenate(parts), count, longest


def live_transcript(transcriber: Any, samples: np.ndarray) -> Any:
    """The samples through ``LiveTranscriber`` in recorder-sized blocks, never ahead of its worker: a block is
    fed only when no chunk is due or being transcribed, so every chunk is cut as soon as it is due."""
    from interviewer.speech import live
    from interviewer.speech.audio import SAMPLE_RATE

    class Paced(live.LiveTranscriber):
        idle = threading.Event()

        def _transcribe(self, audio: np.ndarray, start: int, end: int) -> None:
            self.idle.clear()
            try:
                super()._transcribe(audio, start, end)
            finally:
                self.idle.set()

    Paced.idle.set()
    transcriber_live = Paced(transcriber)
    block = int(BLOCK_SECONDS * SAMPLE_RATE)
    margin, due = int(live.LIVE_MARGIN_SECONDS * SAMPLE_RATE), live.MIN_CHUNK_SECONDS * SAMPLE_RATE
    for offset in range(0, len(samples), block):
        deadline = time.monotonic() + 60.0  # never hang the benchmark on a miscount
        while time.monotonic() < deadline and (not Paced.idle.is_set() or offset - margin - round(
                transcriber_live.transcribed_seconds * SAMPLE_RATE) >= due):
            time.sleep(0.002)
        transcriber_live.feed(samples[offset : offset + block])
    return transcriber_live.finish()


def figures_of(transcript: Any, reference: str, took: float, audio_seconds: float) -> dict[str, Any]:
    from interviewer.speech.delivery import measure_delivery
    from tests.speech_support import inserted_phrases, normalise, recall, wer

    delivery = measure_delivery(transcript)
    pauses = sorted(p.seconds for p in delivery.pauses)
    return {
        "transcribe_s": round(took, 1),
        "rtf": round(took / audio_seconds, 3),
        "recall": round(recall(reference, transcript.text), 4),
        "wer": round(wer(reference, transcript.text), 4),
        "words": len(normalise(transcript.text).split()),
        "inserted_words": sum(len(p.split()) for p in inserted_phrases(reference, transcript.text)),
        "segments": len(transcript.segments),
        "dropped": len(transcript.dropped),
        "dropped_reasons": dict(Counter(d.reason for d in transcript.dropped)),
        "dropped_seconds": transcript.dropped_seconds,
        "dropped_examples": [f"{d.start:.1f}-{d.end:.1f} s {d.reason}: {d.text[:60]!r} ({d.detail})"
                             for d in transcript.dropped[:5]],
        "non_latin": "".join(ch for ch in transcript.text
                             if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN")),
        "long_pauses": len(pauses),
        "longest_pauses_s": pauses[-5:],
        "suggestions": list(delivery.suggestions),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600.0, help="length of the recording (at least)")
    parser.add_argument("--gap-min", type=float, default=0.3, help="shortest silence between repetitions, s")
    parser.add_argument("--gap-max", type=float, default=2.0, help="longest silence between repetitions, s")
    parser.add_argument("--seed", type=int, default=3, help="seed of the silences' lengths")
    parser.add_argument("--sentence", default=SENTENCE, help="what the voice says, again and again")
    parser.add_argument("--path", choices=("file", "live", "both"), default="file",
                        help="transcribe_file, the live transcriber, or both")
    parser.add_argument("--keep", type=Path, help="keep the recording (WAV) and transcripts (JSON) in this folder")
    args = parser.parse_args()

    from interviewer.config import Settings
    from interviewer.speech.audio import SAMPLE_RATE
    from interviewer.speech.registry import load_configured_transcriber
    from interviewer.speech.transcriber import transcribe_file
    from interviewer.speech.tts import load_synthesizer
    from tests.speech_support import piper_samples, write_wav

    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        one = piper_samples(load_synthesizer(disk_cache=False), args.sentence, folder)
        samples, count, longest_gap = repeated(one, args.seconds, args.gap_min, args.gap_max, args.seed)
        path = write_wav(folder / "repeated.wav", samples)
        audio_seconds = len(samples) / SAMPLE_RATE
        reference = " ".join([args.sentence] * count)
        figures: dict[str, Any] = {
            "audio_s": round(audio_seconds, 1), "repetitions": count, "sentence_s": round(len(one) / SAMPLE_RATE, 2),
            "longest_real_gap_s": round(longest_gap, 2), "reference_words": len(reference.split()),
        }
        print(f"{audio_seconds:.0f} s: {count} repetitions of a {len(one) / SAMPLE_RATE:.1f} s sentence, "
              f"gaps {args.gap_min}-{args.gap_max} s (longest {longest_gap:.2f} s), {len(reference.split())} words")
        whisper = load_configured_transcriber(Settings())
        for name in ("file", "live") if args.path == "both" else (args.path,):
            started = time.perf_counter()
            transcript = transcribe_file(whisper, path) if name == "file" else live_transcript(whisper, samples)
            took = time.perf_counter() - started
            if args.keep:
                (folder / f"transcript-{name}.json").write_text(json.dumps(transcript.to_dict()), encoding="utf-8")
            result = figures_of(transcript, reference, took, audio_seconds)
            figures[name] = result
            print(f"{name}: transcribed in {result['transcribe_s']} s (RTF {result['rtf']}); recall {result['recall']:.3f}, "
                  f"WER {result['wer']:.3f}; words {result['words']}/{len(reference.split())}, inserted "
                  f"{result['inserted_words']}; dropped {result['dropped']} {result['dropped_reasons']} "
                  f"({result['dropped_seconds']} s); non-Latin {result['non_latin']!r}; longest pauses "
                  f"{result['longest_pauses_s']}")
            for line in result["dropped_examples"] + result["suggestions"]:
                print(f"  {line}")
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
