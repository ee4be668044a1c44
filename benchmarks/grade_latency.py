"""Grading speed on this machine: warm latency of one ~150-word answer, and batch throughput.

    .venv/bin/python benchmarks/grade_latency.py [--runs 60] [--batch 191] [--repeats 3] [--bank DIR]
                                                 [--inference onnx|torch] [--precision auto|float32|bfloat16]

The models load through ``scoring.factory`` on the chosen backend (default: ONNX Runtime, as grading runs;
``--precision`` applies to torch only). Model load (import + load) is reported apart.

* **New answer** (``p50_ms``, ``p95_ms``): the bank's model answers cut to 150 words, so every rubric is
  exercised, each graded with the stance model's pair cache emptied first: what a candidate's answer,
  never graded before, costs. (Grading the same 15 answers over and over would answer most stance pairs
  from the cache; earlier versions of this script did, and reported that.)
* **Regrade** (``regrade_p50_ms``): the same answers again with the cache kept (the app regrading an answer).
* **Batch** (``batch_answers_per_s``): the dev set's distinct answers (``benchmarks/data/devset.jsonl``,
  written for the bundled bank; ``--batch`` of them) in one ``grade_many`` call, the cache emptied before each
  run.

Targets (issue 9, 2-core laptop, stance model in the loop): p50 <= 100 ms, p95 <= 250 ms, batch >= 40
answers/s. The last line of output is one JSON object with the figures.
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


def batch_items(bank: dict, count: int) -> list[tuple[object, str]]:
    """The first ``count`` dev-set answers whose rubric is in ``bank`` (all distinct answers)."""
    from _grading import DEVSET, read

    items = [(bank[r["rubric"]], r["answer"]) for r in read(DEVSET) if r["rubric"] in bank][:count]
    if not items:
        raise SystemExit(f"{DEVSET}: no answers for this bank's rubrics")
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60, help="timed single-answer gradings (default %(default)s)")
    parser.add_argument("--batch", type=int, default=191, help="dev-set answers per batch run (default: all 191)")
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

    forget = grader.stance.forget  # every timed answer is new to the stance model (no cache hits)
    for rubric, answer in answers[:3]:  # warm-up
        grader.grade(rubric, answer)
    latencies, regrades = [], []
    for i in range(args.runs):
        rubric, answer = answers[i % len(answers)]
        forget()
        t0 = time.perf_counter()
        grader.grade(rubric, answer)
        latencies.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        grader.grade(rubric, answer)
        regrades.append((time.perf_counter() - t0) * 1000)
    p50, p95 = statistics.median(latencies), percentile(latencies, 95)
    regrade_p50 = statistics.median(regrades)
    print(f"new answer ({ANSWER_WORDS} words), {args.runs} runs: p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
          f"regrade p50 {regrade_p50:.1f} ms")

    items = batch_items(bank, args.batch)
    rates = []
    for _ in range(args.repeats):
        forget()
        t0 = time.perf_counter()
        grader.grade_many(items)
        rates.append(len(items) / (time.perf_counter() - t0))
    rate = statistics.median(rates)
    print(f"batch of {len(items)} dev-set answers: {rate:.1f} answers/s (median of {args.repeats}: "
          f"{', '.join(f'{r:.1f}' for r in rates)})")

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
        "regrade_p50_ms": round(regrade_p50, 2),
        "batch_answers": len(items),
        "batch_answers_per_s": round(rate, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets": {"p50_ms": 100, "p95_ms": 250, "batch_answers_per_s": 40},  # with the stance model
        "meets_targets": p50 <= 100 and p95 <= 250 and rate >= 40,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
