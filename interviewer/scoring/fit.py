"""Fitting calibration profiles with scikit-learn, from graded answers' features.

* ``rubric`` profile: ridge regression of the human 0–10 score (plus the wrong-claim penalties the
  grader deducts afterwards) on the features below: interpretable coefficients, no pickle.
* ``reference`` profile: logistic regression of correct / not correct, its probability × 10 the score.

Both return a :class:`Calibration` ready to be written to ``calibration.json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from interviewer.scoring.calibration import Calibration

RUBRIC_FEATURES = (
    "coverage",
    "covered_share",
    "soft_coverage",
    "concept_similarity",
    "best_concept_similarity",
    "similarity",
    "similarity_f1",
    "similarity_recall",
    "similarity_precision",
    "lexical_recall",
    "lexical_precision",
    "explained_share",
    "relevance",
    "relevance_margin",
    "off_topic",
    "log_words",
    "penalty",
    "wrong_claims",
    "contradicted",
    "token_coverage",
    "best_token_recall",
    "token_recall",
    "token_precision",
    "token_f1",
    "claim_margin",
    "claim_contrast",
)
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
)
RIDGE_ALPHA = 1.0
# The ridge penalty is chosen among these by leave-one-question-out Pearson r on the training answers
# (when they come from at least 3 questions); RIDGE_ALPHA otherwise.
RIDGE_ALPHAS = (0.3, 1.0, 3.0)
LOGISTIC_C = 1.0


def matrix(features: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    """(answers, len(names)): ``m[i, j] = features[i][names[j]]`` (0 when absent)."""
    return np.array([[f.get(n, 0.0) for n in names] for f in features], dtype=float)


def fit_rubric_profile(features: Sequence[Mapping[str, float]], scores: Sequence[float], source: str,
                       names: Sequence[str] = RUBRIC_FEATURES, groups: Sequence[str] | None = None) -> Calibration:
    """Ridge regression of the human score, then an isotonic map fitted on out-of-fold predictions.

    Wrong claims enter as features, so their weight is learned. ``groups`` (the question of each
    answer) makes the out-of-fold predictions leave one question out, and picks the ridge penalty
    among ``RIDGE_ALPHAS`` by the Pearson r of those predictions; without them, five folds and
    ``RIDGE_ALPHA``. Under ``cross_validated_scores`` this choice is made again inside each fold, so the
    held-out question never informs it.
    """
    from sklearn.isotonic import IsotonicRegression  # scikit-learn costs ~0.5 s to import
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GroupKFold, KFold, cross_val_predict

    x = matrix(features, names)
    y = np.asarray(scores, dtype=float)
    distinct = len(set(groups)) if groups is not None else 0
    folds = GroupKFold(n_splits=distinct) if distinct >= 3 else KFold(n_splits=min(5, len(y)))
    alpha = RIDGE_ALPHA
    if distinct >= 3:
        alpha = max(RIDGE_ALPHAS, key=lambda a: _pearson(cross_val_predict(Ridge(alpha=a), x, y, groups=groups,
                                                                           cv=folds), y))
    model = Ridge(alpha=alpha).fit(x, y)
    held_out = cross_val_predict(Ridge(alpha=alpha), x, y, groups=groups, cv=folds)
    iso = IsotonicRegression(y_min=0.0, y_max=10.0, out_of_bounds="clip").fit(held_out, y)
    xs = [round(float(v), 4) for v in iso.X_thresholds_]
    ys = [round(float(v), 4) for v in iso.y_thresholds_]
    coef = {n: round(float(c), 5) for n, c in zip(names, model.coef_, strict=True)}
    if distinct >= 3:
        source = f"{source}; ridge alpha {alpha:g} chosen by leave-one-question-out CV"
    return Calibration(coef, round(float(model.intercept_), 5), "linear", 5.0, source, deduct_penalties=False,
                       isotonic=(tuple(xs), tuple(ys)) if len(xs) >= 2 else None)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if np.std(a) == 0 or np.std(b) == 0:
        return -1.0
    return float(np.corrcoef(a, b)[0, 1])


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
    from interviewer.scoring.calibration import CalibrationSet
    from interviewer.scoring.grader import final_score

    from interviewer.errors import InputError

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
            calibration = fit_rubric_profile([features[i] for i in train], [gold[i] for i in train], "cv",
                                             groups=[groups[i] for i in train])
        fitted = CalibrationSet({profile: calibration, "rubric": calibration})
        for i in test:
            predicted[i] = final_score(fitted, features[i], profile)
    return predicted
