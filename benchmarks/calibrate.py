"""Refit the grader's calibration (interviewer/scoring/calibration.json) on training data only.

    .venv/bin/python benchmarks/calibrate.py ../shared/data [--out FILE]

* the concept model (is each key point covered, partial or missed: ``concept_model.py``), fitted on the
  human judgement of every key point of the dev split of the team's dev set
  (``benchmarks/data/devset.jsonl``); then the ``rubric`` profile: the checklist curve and deduction
  scale (``checklist.py``), least squares on the same answers graded with that concept model. The
  frozen test split (``testset.jsonl``) is never read here.
* ``reference`` profile (rubric derived from one reference answer): logistic regression on the
  ``train`` splits of SemEval-2013 Beetle and SciEntsBank; never on their test splits.

Features come from the grader itself; the map is small, readable JSON, never a pickle.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _grading import DEVSET, SEMEVAL, grade, make_grader, read, semeval_path

from interviewer.scoring.calibration import DEFAULT_CALIBRATION, CalibrationSet
from interviewer.scoring.crossval import fit_rubric_calibration, with_calibration
from interviewer.scoring.evaluation import gold_score, is_correct_label
from interviewer.scoring.fit import fit_reference_profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared_data", type=Path, help="folder with the SemEval-2013 JSONL files (../shared/data)")
    parser.add_argument("--out", type=Path, default=DEFAULT_CALIBRATION)
    args = parser.parse_args()
    started = time.perf_counter()
    grader = make_grader()

    dev = read(DEVSET)
    source = f"{DEVSET.name} ({len(dev)} answers, {len({r['rubric'] for r in dev})} questions)"
    concept_model, rubric = fit_rubric_calibration(
        grader, [(grader.bank[r["rubric"]], r["answer"]) for r in dev], [r["points"] for r in dev],
        [gold_score(r) for r in dev], source)
    grader = with_calibration(grader, CalibrationSet({**grader.calibration.profiles, "rubric": rubric}, concept_model))

    train = []
    for name in SEMEVAL:
        train += grade(grader, read(semeval_path(args.shared_data, name), ["train"]), name)
    correct = [bool(is_correct_label(r)) for r in train]
    reference = fit_reference_profile(
        [r["grade"]["features"] for r in train], correct,
        f"logistic regression on the train splits of {' and '.join(SEMEVAL)} ({len(train)} answers)",
    )
    args.out.write_text(CalibrationSet({"rubric": rubric, "reference": reference}, concept_model).to_json(),
                        encoding="utf-8")
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")
    print(f"rubric profile: curve {rubric.isotonic}, deduction scale {rubric.deduction_scale}")
    print(f"reference profile: {reference.coef}, threshold {reference.threshold}")


if __name__ == "__main__":
    main()
