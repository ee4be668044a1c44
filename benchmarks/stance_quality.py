"""How well the stance model tells support, contradiction and the rest apart, on data it never saw.

    .venv/bin/python benchmarks/stance_quality.py ../shared/data [--model DIR]

* SemEval-2013 Beetle test splits, unseen answers (UA) and unseen questions (UQ), 3-way (correct /
  contradictory / incorrect), the task's official measure (the best 2013 system: 73.1% accuracy on UA).
  Each answer is paired with every BEST reference answer of its question; the reference it best
  supports is the one that counts. The four classes fold to three: support → correct, contradict →
  contradictory, partial + unrelated → incorrect.
* The team's held-out pairs (``benchmarks/data/stance/heldout_pairs.jsonl``: 24 topics outside the bank,
  never trained on): 4-way accuracy, and precision / recall of "contradict". Their supports mostly share
  few words with the statement and their contradictions many; ``heldout_close_pairs.jsonl`` (the same
  statements, never trained on either) runs the other way: close restatements and parts in the
  statement's own words, wrong claims in other words. A model that reads word overlap instead of
  meaning fails one set or the other.

The last line is one JSON object with ``beetle_ua_accuracy`` and ``beetle_uq_accuracy``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interviewer.scoring.stance import CONTRADICT, LABELS, PARTIAL, SUPPORT, UNRELATED, load_stance  # noqa: E402

HELDOUT = Path(__file__).resolve().parent / "data" / "stance" / "heldout_pairs.jsonl"
HELDOUT_CLOSE = HELDOUT.with_name("heldout_close_pairs.jsonl")
"""The same held-out topics' statements, against premises whose word overlap runs the other way: close
restatements and parts in the statement's own words, wrong claims in other words (never trained on)."""
THREE_WAY = ("correct", "contradictory", "incorrect")


def fold(probs: np.ndarray) -> np.ndarray:
    """(n, 4) → (n, 3): correct, contradictory, incorrect."""
    return np.stack([probs[:, SUPPORT], probs[:, CONTRADICT], probs[:, PARTIAL] + probs[:, UNRELATED]], axis=1)


def macro_f1(truth: list[str], guess: list[str], classes: tuple[str, ...]) -> float:
    scores = []
    for c in classes:
        tp = sum(t == c and g == c for t, g in zip(truth, guess, strict=True))
        fp = sum(t != c and g == c for t, g in zip(truth, guess, strict=True))
        fn = sum(t == c and g != c for t, g in zip(truth, guess, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(scores))


def beetle(model, path: Path, split: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["split"] == split]
    pairs, owner = [], []
    for index, r in enumerate(rows):
        for reference in r.get("reference_answers_best") or [r["reference_answer_first_best"]]:
            pairs.append((r["answer"], reference))
            owner.append(index)
    probs = model.predict(pairs)
    best: dict[int, np.ndarray] = {}
    for row, index in zip(probs, owner, strict=True):
        if index not in best or row[SUPPORT] > best[index][SUPPORT]:
            best[index] = row
    folded = fold(np.vstack([best[i] for i in range(len(rows))]))
    guess = [THREE_WAY[int(k)] for k in folded.argmax(axis=1)]
    truth = [r["label_3way"] for r in rows]
    return {"n": len(rows), "accuracy": round(float(np.mean([t == g for t, g in zip(truth, guess, strict=True)])), 4),
            "macro_f1": round(macro_f1(truth, guess, THREE_WAY), 4)}


def heldout(model, path: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    probs = model.predict([(r["premise"], r["hypothesis"]) for r in rows])
    guess = [LABELS[int(k)] for k in probs.argmax(axis=1)]
    truth = [r["label"] for r in rows]
    tp = sum(t == g == "contradict" for t, g in zip(truth, guess, strict=True))
    said = sum(g == "contradict" for g in guess)
    real = sum(t == "contradict" for t in truth)
    by_note: dict[str, list[bool]] = {}
    for r, g in zip(rows, guess, strict=True):
        by_note.setdefault(r.get("note", ""), []).append(r["label"] == g)
    return {"n": len(rows), "accuracy": round(float(np.mean([t == g for t, g in zip(truth, guess, strict=True)])), 4),
            "macro_f1": round(macro_f1(truth, guess, LABELS), 4),
            "contradict_precision": round(tp / said, 4) if said else 0.0,
            "contradict_recall": round(tp / real, 4) if real else 0.0,
            "labels": dict(Counter(truth)),
            "accuracy_by_note": {k: round(float(np.mean(v)), 3) for k, v in sorted(by_note.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared_data", type=Path, help="folder with semeval2013_beetle.jsonl (../shared/data)")
    parser.add_argument("--model", type=Path, default=None, help="a stance model folder (default: the shipped one)")
    args = parser.parse_args()
    path = args.shared_data / "semeval2013_beetle.jsonl"
    if not path.is_file():
        raise SystemExit(f"{path}: not found; pass the folder holding the SemEval-2013 JSONL files")
    started = time.perf_counter()
    model = load_stance(args.model)
    figures: dict[str, object] = {}
    for split, key in (("test_unseen_answers", "beetle_ua"), ("test_unseen_questions", "beetle_uq")):
        result = beetle(model, path, split)
        figures[key] = result
        print(f"Beetle {split}: n={result['n']} 3-way accuracy {result['accuracy']:.3f}, "
              f"macro-F1 {result['macro_f1']:.3f}")
    for name, key, source in (("held-out pairs", "heldout_pairs", HELDOUT),
                              ("held-out close pairs", "heldout_close_pairs", HELDOUT_CLOSE)):
        if not source.is_file():
            continue
        result = heldout(model, source)
        figures[key] = result
        print(f"{name}: n={result['n']} 4-way accuracy {result['accuracy']:.3f}, macro-F1 "
              f"{result['macro_f1']:.3f}; contradict precision {result['contradict_precision']:.3f}, "
              f"recall {result['contradict_recall']:.3f}")
        print("  accuracy by kind of pair: " + ", ".join(f"{k} {v:.2f}" for k, v in result["accuracy_by_note"].items()))
    print(f"took {time.perf_counter() - started:.0f} s")
    print(json.dumps({"benchmark": "stance_quality", "beetle_ua_accuracy": figures["beetle_ua"]["accuracy"],  # type: ignore[index]
                      "beetle_uq_accuracy": figures["beetle_uq"]["accuracy"], **figures}))  # type: ignore[index]


if __name__ == "__main__":
    main()
