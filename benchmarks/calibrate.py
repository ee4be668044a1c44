"""Refit the grader's calibration (interviewer/scoring/calibration.json) on training data only.

    .venv/bin/python benchmarks/calibrate.py ../shared/data [--out FILE]

* ``rubric`` profile (answers graded against a bank rubric): ridge regression + isotonic map on the
  team's dev set, ``benchmarks/data/devset.jsonl`` (its out-of-fold predictions leave one question out).
* ``reference`` profile (rubric derived from one reference answer): logistic regression on the
  ``train`` splits of SemEval-2013 Beetle and SciEntsBank; never on their test splits.

Features come from the grader itself; the map is small, readable JSON, never a pickle.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _grading import DEVSET, SEMEVAL, grade, make_grader, read, semeval_path

from interviewer.evaluation import gold_score, is_correct_label
from interviewer.scoring.calibration import DEFAULT_CALIBRATION, CalibrationSet
from interviewer.scoring.fit import fit_reference_profile, fit_rubric_profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared_data", type=Path, help="folder with the SemEval-2013 JSONL files (../shared/data)")
    parser.add_argument("--out", type=Path, default=DEFAULT_CALIBRATION)
    args = parser.parse_args()
    started = time.perf_counter()
    grader = make_grader()

    dev = grade(grader, read(DEVSET), "devset")
    rubric = fit_rubric_profile(
        [r["grade"]["features"] for r in dev], [gold_score(r) for r in dev],
        f"ridge + isotonic on {DEVSET.name} ({len(dev)} answers, {len({r['rubric'] for r in dev})} questions)",
        groups=[r["rubric"] for r in dev],
    )

    train = []
    for name in SEMEVAL:
        train += grade(grader, read(semeval_path(args.shared_data, name), ["train"]), name)
    correct = [bool(is_correct_label(r)) for r in train]
    reference = fit_reference_profile(
        [r["grade"]["features"] for r in train], correct,
        f"logistic regression on the train splits of {' and '.join(SEMEVAL)} ({len(train)} answers)",
    )
    args.out.write_text(CalibrationSet({"rubric": rubric, "reference": reference}).to_json(), encoding="utf-8")
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")
    print(f"rubric profile: {rubric.coef}")
    print(f"reference profile: {reference.coef}, threshold {reference.threshold}")


if __name__ == "__main__":
    main()
