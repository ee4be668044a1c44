"""Fitting calibration profiles with scikit-learn, from graded answers' features.

* ``rubric`` profile: the checklist (``checklist.py``): a monotone piecewise-linear curve of the
  checklist points with a few fixed knots, and the scale of the wrong claims' deductions, by least
  squares against the human 0–10 score (non-negative steps keep the curve monotone).
* ``reference`` profile: logistic regression of correct / not correct, its probability × 10 the score.

Both return a :class:`Calibration` ready to be written to ``calibration.json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from interviewer.scoring.calibration import Calibration

REFERENCE_FEATURES = (
    "best_concept_similarity",
    "concept_similarity",
    "soft_coverage",
    "question_similarity",
    "negation_mismatch",
    "coverage",
    "similarity_f1",
    "similarity_recall",
    "similarity_precision",
    "lexical_recall",
    "lexical_precision",
    "penalty",
    "contradicted",
    "log_words",
    "token_coverage",
    "best_token_recall",
    "token_recall",
    "token_precision",
    "token_f1",
    "short_answer",
    "qd_token_recall",
    "qd_token_precision",
    "stance_coverage",
    "stance_best",
)
CURVE_KNOTS = (0.0, 2.5, 5.0, 7.5, 10.0)  # checklist points where the curve may bend
DEDUCTION_SCALES = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)  # rubric penalty → points, chosen by least squares
SMOOTHNESS = 0.5  # weight of the penalty on differences between consecutive segments' slopes
ANCHOR_WEIGHT = 1e4  # makes "all steps add up to 10" all but exact
LOGISTIC_C = 1.0


def matrix(features: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    """(answers, len(names)): ``m[i, j] = features[i][names[j]]`` (0 when absent)."""
    return np.array([[f.get(n, 0.0) for n in names] for f in features], dtype=float)


def _ramps(x: np.ndarray) -> np.ndarray:
    """(answers, segments): per segment how far ``x`` has climbed it (0–1). The curve starts at 0: no
    key point earned is no score."""
    columns = []
    for low, high in zip(CURVE_KNOTS, CURVE_KNOTS[1:]):
        columns.append(np.clip((x - low) / (high - low), 0.0, 1.0))
    return np.stack(columns, axis=1)


def fit_checklist_profile(features: Sequence[Mapping[str, float]], scores: Sequence[float], source: str) -> Calibration:
    """The checklist curve and deduction scale that best reproduce the human scores.

    For each candidate deduction scale, the curve's knot values are fitted by non-negative least squares
    on the segment ramps (so each step up is ≥ 0: monotone, no cliffs), with a penalty on the difference
    between consecutive steps (smooth: no flat run followed by a jump) and the ends fixed at 0 and 10,
    against the human score plus the
    scaled penalties; the scale whose capped, clipped scores have the least squared error wins.
    """
    from scipy.optimize import nnls

    from interviewer.scoring.checklist import apply

    x = np.array([f.get("checklist", 0.0) for f in features], dtype=float)
    y = np.asarray(scores, dtype=float)
    design = _ramps(x)
    # Smoothness: consecutive segments' steps are pulled towards each other (no flat runs then jumps).
    smooth = np.zeros((len(CURVE_KNOTS) - 2, design.shape[1]))
    for k in range(len(CURVE_KNOTS) - 2):
        smooth[k, k], smooth[k, k + 1] = 1.0, -1.0
    smooth *= SMOOTHNESS * np.sqrt(len(y))
    # Answers held down by a ceiling say little about the curve: leave them out of its fit.
    free = np.array([f.get("cap", 10.0) >= 10.0 for f in features])
    penalty = np.array([f.get("penalty", 0.0) for f in features])
    # The ends are fixed, as in the human procedure: nothing earned is 0, everything earned is 10.
    anchor = np.full((1, design.shape[1]), ANCHOR_WEIGHT)
    system = np.vstack([design[free], smooth, anchor])
    best: tuple[float, Calibration] | None = None
    for scale in DEDUCTION_SCALES:
        target = y + scale * penalty
        steps, _ = nnls(system, np.concatenate([target[free], np.zeros(len(smooth)), [10.0 * ANCHOR_WEIGHT]]))
        ys = np.minimum(10.0, np.concatenate([[0.0], np.cumsum(steps)]))
        calibration = Calibration({"deduction_scale": scale}, 0.0, "checklist", 5.0, source,
                                  deduct_penalties=False,
                                  isotonic=(CURVE_KNOTS, tuple(round(float(v), 4) for v in ys)))
        predicted = np.array([apply(calibration.curve(v), scale, f) for v, f in zip(x, features, strict=True)])
        error = float(((predicted - y) ** 2).mean())
        if best is None or error < best[0]:
            best = (error, calibration)
    assert best is not None
    return best[1]


def fit_reference_profile(features: Sequence[Mapping[str, float]], correct: Sequence[bool], source: str,
                          names: Sequence[str] = REFERENCE_FEATURES) -> Calibration:
    """Logistic regression of correctness; the threshold maximises macro-F1 on the training data."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    x = matrix(features, names)
    y = np.asarray(correct, dtype=bool)
    model = LogisticRegression(C=LOGISTIC_C, max_iter=2000).fit(x, y)
    coef = {n: round(float(c), 5) for n, c in zip(names, model.coef_[0], strict=True)}
    calibration = Calibration(coef, round(float(model.intercept_[0]), 5), "logistic", 5.0, source,
                              deduct_penalties=False)
    predicted = np.array([calibration.score(f) for f in features])
    thresholds = np.arange(1.0, 9.01, 0.25)
    best = max(thresholds, key=lambda t: f1_score(y, predicted >= t, average="macro"))
    return Calibration(coef, calibration.intercept, "logistic", round(float(best), 2), source, deduct_penalties=False)


def cross_validated_scores(
    features: Sequence[Mapping[str, float]],
    gold: Sequence[float],
    groups: Sequence[str],
    profile: str,
    correct: Sequence[bool] | None = None,
) -> list[float]:
    """Each answer's score from a calibration fitted without its group (leave one question out).

    ``gold`` is on 0–10; ``correct`` (for the reference profile) defaults to gold >= 5.
    """
    from interviewer.errors import InputError
    from interviewer.scoring.calibration import CalibrationSet
    from interviewer.scoring.grader import final_score

    labels = list(correct) if correct is not None else [g >= 5.0 for g in gold]
    if len(set(groups)) < 3:
        raise InputError(f"--cross-validate needs answers to at least 3 questions, got {len(set(groups))}")
    if profile == "reference" and len(set(labels)) < 2:
        raise InputError("--cross-validate needs both correct and incorrect answers")
    predicted = [0.0] * len(features)
    for held_out in sorted(set(groups)):
        train = [i for i, g in enumerate(groups) if g != held_out]
        test = [i for i, g in enumerate(groups) if g == held_out]
        if profile == "reference" and len({labels[i] for i in train}) < 2:
            raise InputError(f"--cross-validate: without question {held_out}, only one class is left to fit on")
        if profile == "reference":
            calibration = fit_reference_profile([features[i] for i in train], [labels[i] for i in train], "cv")
        else:
            calibration = fit_checklist_profile([features[i] for i in train], [gold[i] for i in train], "cv")
        fitted = CalibrationSet({profile: calibration, "rubric": calibration})
        for i in test:
            predicted[i] = final_score(fitted, features[i], profile)
    return predicted
