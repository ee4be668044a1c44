"""Grading speed on this machine: warm latency of one ~150-word answer, and batch throughput.

    .venv/bin/python benchmarks/grade_latency.py [--runs 60] [--batch 300] [--repeats 3] [--bank DIR]
                                                 [--inference onnx|torch] [--precision auto|float32|bfloat16]

The models load through ``scoring.factory`` on the chosen backend (default: ONNX Runtime, as grading runs;
``--precision`` applies to torch only). Model load (import + load) is reported apart. Answers are the
bank's model answers cut to 150 words, so every rubric is exercised. Targets (2-core laptop): p50 <= 50 ms per answer, batch >= 20 answers/s.
The last line of output is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interviewer.locations import bundled_bank_dir  # noqa: E402
from interviewer.rubrics import load_bank  # noqa: E402
from interviewer.scoring.text import truncate_words  # noqa: E402

ANSWER_WORDS = 150


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60, help="timed single-answer gradings (default %(default)s)")
    parser.add_argument("--batch", type=int, default=300, help="answers per batch run (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="batch runs; the median is reported")
    parser.add_argument("--bank", type=Path, default=bundled_bank_dir())
    parser.add_argument("--precision", default="auto", choices=["auto", "float32", "bfloat16"],
                        help="embedding precision (default: auto, bfloat16 where the CPU has it natively)")
    parser.add_argument("--inference", default="onnx", choices=["onnx", "torch"],
                        help="where the models run (default %(default)s)")
    args = parser.parse_args()

    bank = load_bank(args.bank)
    answers = [(r, truncate_words(r.model_answer, ANSWER_WORDS)[0]) for r in bank.values()]

    from interviewer.config import Settings
    from interviewer.scoring import factory
    from interviewer.scoring.embedder import _QUIET_OFFLINE_ENV
    from interviewer.scoring.grader import Grader

    os.environ.update(_QUIET_OFFLINE_ENV)
    settings = Settings(inference=args.inference, embedding_precision=args.precision)
    started = time.perf_counter()
    if args.inference == "torch":
        import sentence_transformers  # noqa: F401  (the import is most of the start-up cost)
    else:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401

    imported = time.perf_counter()
    embedder = factory.load_embedder(settings)
    grader = Grader(embedder, stance=factory.load_stance(settings, embedder), bank=bank)
    loaded = time.perf_counter()
    for rubric in bank.values():
        grader.prepare(rubric)
    prepared = time.perf_counter()
    print(f"{args.inference}, precision {embedder.precision}; import {imported - started:.2f} s, model load (embedder and stance) {loaded - imported:.2f} s, "
          f"embed {len(bank)} rubrics {prepared - loaded:.2f} s")

    for rubric, answer in answers[:3]:  # warm-up
        grader.grade(rubric, answer)
    latencies = []
    for i in range(args.runs):
        rubric, answer = answers[i % len(answers)]
        t0 = time.perf_counter()
        grader.grade(rubric, answer)
        latencies.append((time.perf_counter() - t0) * 1000)
    p50, p95 = statistics.median(latencies), percentile(latencies, 95)
    print(f"single answer ({ANSWER_WORDS} words), {args.runs} runs: p50 {p50:.1f} ms, p95 {p95:.1f} ms")

    items = [answers[i % len(answers)] for i in range(args.batch)]
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        grader.grade_many(items)
        rates.append(len(items) / (time.perf_counter() - t0))
    rate = statistics.median(rates)
    print(f"batch of {args.batch}: {rate:.1f} answers/s (median of {args.repeats}: {', '.join(f'{r:.1f}' for r in rates)})")

    figures = {
        "benchmark": "grade_latency",
        "inference": args.inference,
        "precision": embedder.precision,
        "import_s": round(imported - started, 3),
        "model_load_s": round(loaded - imported, 3),
        "rubric_embed_s": round(prepared - loaded, 3),
        "answer_words": ANSWER_WORDS,
        "runs": args.runs,
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "batch_answers_per_s": round(rate, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets": {"p50_ms": 100, "p95_ms": 250, "batch_answers_per_s": 40},  # with the stance model
        "meets_targets": p50 <= 100 and p95 <= 250 and rate >= 40,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
