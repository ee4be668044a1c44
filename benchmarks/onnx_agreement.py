"""Do the ONNX Runtime models give the torch models' numbers? Measured on the dev set only.

    .venv/bin/python benchmarks/onnx_agreement.py [--reference float32|auto]

For every distinct answer unit of ``benchmarks/data/devset.jsonl`` (never the test set), the cosine between
the torch and the ONNX sentence vector, and between their content-token vectors (same tokens kept, in
order); for every (unit, statement) pair the grader sends to the stance model while grading the dev set,
the largest absolute difference of the four probabilities; and each dev-set answer's grade from both
graders (``scoring.factory.make_grader``, inference "torch" and "onnx"). Bounds: sentence cosine >= 0.99
for every unit, grades within 0.1 points. ``--reference auto`` compares with the torch path as users had
it (bfloat16 where the CPU has it natively); the default compares with torch in float32.
The ONNX files are exported into the user cache first if they are not there. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from _grading import DEVSET, grade, read

from interviewer import locations
from interviewer.config import Settings
from interviewer.rubrics import load_bank
from interviewer.scoring import factory
from interviewer.scoring.concepts import split_answer

COSINE_BOUND = 0.99
GRADE_BOUND = 0.1


class RecordingStance:
    """A stance model that remembers every pair it was asked about."""

    def __init__(self, model: Any) -> None:
        self.model, self.name, self.pairs = model, model.name, {}

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        self.pairs.update(dict.fromkeys(pairs))
        return self.model.predict(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", choices=["float32", "auto"], default="float32",
                        help="the torch precision compared with (default %(default)s)")
    args = parser.parse_args()
    records = read(DEVSET)
    bank = load_bank(locations.bundled_bank_dir())
    units = list(dict.fromkeys(u.text for r in records for u in split_answer(r["answer"], 5000).units))

    out: dict[str, Any] = {}
    for backend in ("torch", "onnx"):
        settings = replace(Settings(), inference=backend, embedding_precision=args.reference)
        started = time.perf_counter()
        embedder = factory.load_embedder(settings)
        stance = RecordingStance(factory.load_stance(settings, embedder))
        grader = factory.make_grader(settings, bank, embedder=embedder, stance=stance)
        loaded = time.perf_counter()
        vectors, tokens = embedder.encode_tokens(units)
        graded = grade(grader, records, backend)
        out[backend] = {"embedder": embedder, "stance": stance, "vectors": vectors, "tokens": tokens,
                        "scores": np.array([g["predicted_score"] for g in graded]), "records": graded,
                        "precision": getattr(embedder, "precision", "?"),
                        "load_s": loaded - started, "run_s": time.perf_counter() - loaded}
        print(f"{backend} ({out[backend]['precision']}): load {loaded - started:.1f} s, encode {len(units)} units "
              f"and grade {len(records)} answers {out[backend]['run_s']:.1f} s", file=sys.stderr)

    torch_, onnx = out["torch"], out["onnx"]
    cosines = (torch_["vectors"] * onnx["vectors"]).sum(axis=1)
    same_tokens = all(a.shape == b.shape for a, b in zip(torch_["tokens"], onnx["tokens"], strict=True))
    token_cosines = np.concatenate([(a * b).sum(axis=1) for a, b in zip(torch_["tokens"], onnx["tokens"], strict=True)
                                    if a.shape == b.shape])
    pairs = list(dict.fromkeys([*torch_["stance"].pairs, *onnx["stance"].pairs]))
    p_torch, p_onnx = torch_["stance"].model.predict(pairs), onnx["stance"].model.predict(pairs)
    stance_diff = np.abs(p_torch - p_onnx).max(axis=1)
    grade_diff = np.abs(torch_["scores"] - onnx["scores"])

    figures = {
        "benchmark": "onnx_agreement",
        "data": "benchmarks/data/devset.jsonl",
        "reference": f"torch {torch_['precision']}",
        "units": len(units),
        "sentence_cosine_min": round(float(cosines.min()), 6),
        "sentence_cosine_median": round(float(np.median(cosines)), 6),
        "units_below_bound": int((cosines < COSINE_BOUND).sum()),
        "same_content_tokens": same_tokens,
        "token_cosine_min": round(float(token_cosines.min()), 6),
        "token_cosine_median": round(float(np.median(token_cosines)), 6),
        "stance_pairs": len(pairs),
        "stance_max_abs_diff": round(float(stance_diff.max()), 6),
        "stance_median_abs_diff": round(float(statistics.median(stance_diff.tolist())), 7),
        "stance_argmax_agreement": round(float((p_torch.argmax(1) == p_onnx.argmax(1)).mean()), 4),
        "answers": len(records),
        "grade_max_abs_diff": round(float(grade_diff.max()), 4),
        "grade_mean_abs_diff": round(float(grade_diff.mean()), 5),
        "grades_over_bound": int((grade_diff > GRADE_BOUND).sum()),
        "over_bound": [{"id": r.get("id"), "human": r.get("score"), "torch": float(torch_["scores"][i]),
                        "onnx": float(onnx["scores"][i])}
                       for i, r in enumerate(torch_["records"]) if grade_diff[i] > GRADE_BOUND],
        "mean_abs_error_vs_human": {
            name: round(float(np.mean([abs(s - r["score"]) for s, r in zip(run["scores"], run["records"], strict=True)
                                       if r.get("score") is not None])), 4)
            for name, run in (("torch", torch_), ("onnx", onnx))},
        "torch_load_s": round(torch_["load_s"], 2),
        "onnx_load_s": round(onnx["load_s"], 2),
        "bounds": {"sentence_cosine_min": COSINE_BOUND, "grade_max_abs_diff": GRADE_BOUND},
    }
    figures["agrees"] = bool(figures["units_below_bound"] == 0 and same_tokens and figures["grades_over_bound"] == 0)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
