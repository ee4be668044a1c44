"""Transcription speed, memory and accuracy on this machine, with the packaged Whisper base (int8, faster-whisper).

    .venv/bin/python benchmarks/transcribe_speed.py ../shared/audio [--runs 3] [--live-runs 3]

AUDIO_DIR holds real speech clips and ``transcripts.tsv`` (``file<TAB>transcript``). The ~30 s and ~60 s
answers are made by joining those clips with 0.6 s pauses. Reported:
- import and model load time (the cache assembly, once per machine, apart);
- real-time factor (transcription time / audio length, median of ``--runs``) at beam 1 and 5;
- word error rate per clip and on the joined answers (case and punctuation normalised);
- live transcription: the 60 s answer fed in real time in 100 ms blocks, as the recorder does; the figure is
  the wait from the last block to the full transcript (the stretch target is <= 2 s);
- peak RSS of the process.
Targets (2 cores): RTF <= 0.10 at beam 5, peak RSS <= 600 MB. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interviewer.speech.audio import SAMPLE_RATE, load_audio  # noqa: E402

GAP_SECONDS = 0.6
BLOCK_SECONDS = 0.1


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(normalise(reference), normalise(hypothesis)))


def references(folder: Path) -> dict[str, str]:
    lines = (folder / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return dict(line.split("\t", 1) for line in lines if "\t" in line)


def joined_answer(clips: list[tuple[np.ndarray, str]], target_seconds: float) -> tuple[np.ndarray, str]:
    """Clips one after another with short pauses, to about ``target_seconds``: (samples, reference text).

    Takes the clips in turn, skipping one that would overshoot the target by more than a second.
    """
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    limit = (target_seconds + 1.0) * SAMPLE_RATE
    parts: list[np.ndarray] = []
    texts: list[str] = []
    total = 0
    i = 0
    while True:
        fitting = [k for k in range(len(clips)) if total + len(clips[(i + k) % len(clips)][0]) + len(gap) <= limit]
        if not fitting:
            break
        samples, text = clips[(i + fitting[0]) % len(clips)]
        parts += [samples, gap]
        texts.append(text)
        total += len(samples) + len(gap)
        i += fitting[0] + 1
    return np.concatenate(parts), " ".join(texts)


def timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def live_latency(transcriber, samples: np.ndarray) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    """Feed ``samples`` in real time; seconds from the last block to the finished transcript, and its text."""
    from interviewer.speech.live import LiveTranscriber

    live = LiveTranscriber(transcriber)
    block = int(BLOCK_SECONDS * SAMPLE_RATE)
    started = time.perf_counter()
    for i, offset in enumerate(range(0, len(samples), block)):
        live.feed(samples[offset : offset + block])
        delay = started + (i + 1) * BLOCK_SECONDS - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    stopped = time.perf_counter()
    transcript = live.finish()
    return time.perf_counter() - stopped, transcript.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("audio_dir", type=Path, help="folder of clips with transcripts.tsv (e.g. ../shared/audio)")
    parser.add_argument("--runs", type=int, default=3, help="timed transcriptions per answer and beam (median reported)")
    parser.add_argument("--live-runs", type=int, default=3, help="real-time live runs of the 60 s answer (0 to skip)")
    args = parser.parse_args()
    refs = references(args.audio_dir)

    from interviewer.speech.models import packaged_model_dir

    with tempfile.TemporaryDirectory() as cache:
        _, assemble_s = timed(packaged_model_dir, Path(cache))
    model_dir, _ = timed(packaged_model_dir)  # the real cache: assembled once per machine
    started = time.perf_counter()
    import faster_whisper  # noqa: F401

    import_s = time.perf_counter() - started
    from interviewer.speech.faster import FasterWhisperTranscriber
    from interviewer.speech.transcriber import transcribe_samples

    transcriber, load_s = timed(FasterWhisperTranscriber, beam_size=5)
    print(f"assemble model from packages {assemble_s:.2f} s (once); import faster-whisper {import_s:.2f} s; "
          f"load Whisper base int8 {load_s:.2f} s")

    clips = {name: load_audio(args.audio_dir / name) for name in refs}
    clip_wer = {}
    for name, samples in clips.items():
        transcript = transcribe_samples(transcriber, samples)
        clip_wer[name] = round(wer(refs[name], transcript.text), 4)
        print(f"WER {name}: {clip_wer[name]:.3f}  ({transcript.text!r})")
    distinct = [(clips[n], refs[n]) for n in refs if n != "jfk.flac"]  # jfk.wav and jfk.flac are the same speech
    figures: dict[str, object] = {"model": "whisper-base int8 (faster-whisper)", "assemble_s": round(assemble_s, 3),
                                  "import_s": round(import_s, 3), "load_s": round(load_s, 3), "wer": clip_wer,
                                  "wer_mean": round(statistics.mean(clip_wer.values()), 4)}
    transcribe_samples(transcriber, clips[next(iter(clips))])  # warm-up
    for target in (30, 60):
        samples, text = joined_answer(distinct, target)
        seconds = len(samples) / SAMPLE_RATE
        for beam in (1, 5):
            transcriber.beam_size = beam  # one model in memory; the beam is a decoding option
            times, words = [], ""
            for _ in range(args.runs):
                transcript, took = timed(transcribe_samples, transcriber, samples)
                times.append(took)
                words = transcript.text
            rtf = statistics.median(times) / seconds
            answer_wer = wer(text, words)
            print(f"{seconds:.1f} s answer, beam {beam}: median {statistics.median(times):.2f} s, RTF {rtf:.3f}, WER {answer_wer:.3f}")
            if answer_wer > 0.1:
                print(f"  reference:  {normalise(text)}\n  transcript: {normalise(words)}")
            figures[f"rtf_{target}s_beam{beam}"] = round(rtf, 4)
            figures[f"wer_{target}s_beam{beam}"] = round(answer_wer, 4)
        figures[f"answer_{target}s_seconds"] = round(seconds, 2)
    transcriber.beam_size = 5
    if args.live_runs:
        samples, text = joined_answer(distinct, 60)
        waits = []
        for _ in range(args.live_runs):
            wait, words = live_latency(transcriber, samples)
            waits.append(wait)
            print(f"live, {len(samples) / SAMPLE_RATE:.1f} s answer fed in real time: transcript ready {wait:.2f} s after "
                  f"the last block, WER {wer(text, words):.3f}")
        figures["live_60s_ready_after_stop_s"] = round(statistics.median(waits), 3)
        figures["live_60s_wer"] = round(wer(text, words), 4)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"peak RSS {figures['peak_rss_mb']} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
