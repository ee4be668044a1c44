"""Agreement between the grader and human grades: the figures ``interviewer eval`` reports.

Gold scores are ``score / max_score`` scaled to 0–10. Reported: Pearson and Spearman r, RMSE and
quadratic weighted kappa (both scores rounded to whole points); for labelled data (``label`` /
``label_2way``) also accuracy and macro-F1 of correct-vs-not at the calibration's threshold; and the
mean gold and predicted score per group (``kind``, ``style`` or ``label``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interviewer.errors import InputError

GROUP_FIELDS = ("kind", "style", "label")


@dataclass
class Evaluation:
    n: int
    pearson: float
    spearman: float
    rmse: float
    qwk: float
    accuracy: float | None = None
    macro_f1: float | None = None
    threshold: float | None = None
    groups: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data; a figure that cannot be computed (NaN, e.g. r of one answer) becomes None."""
        return {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in self.__dict__.items() if v is not None}


def gold_score(record: Mapping[str, Any]) -> float:
    """The human grade on 0–10: ``score / max_score * 10`` (max_score defaults to 10)."""
    score, top = record.get("score"), record.get("max_score", 10)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not isinstance(top, (int, float)) or top <= 0:
        raise InputError("fields 'score' and 'max_score': expected numbers (max_score > 0) for evaluation")
    if not 0 <= score <= top:
        raise InputError(f"field 'score': expected a number from 0 to max_score ({top:g}), got {score:g}")
    return 10.0 * float(score) / float(top)


def is_correct_label(record: Mapping[str, Any]) -> bool | None:
    label = record.get("label_2way", record.get("label"))
    return None if not isinstance(label, str) else label == "correct"


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    for value in np.unique(values):  # ties share their mean rank
        mask = values == value
        ranks[mask] = ranks[mask].mean()
    return ranks


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int], categories: int = 11) -> float:
    observed = np.zeros((categories, categories))
    for x, y in zip(a, b, strict=True):
        observed[x, y] += 1
    weights = np.array([[(i - j) ** 2 for j in range(categories)] for i in range(categories)]) / (categories - 1) ** 2
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / max(1, observed.sum())
    denominator = (weights * expected).sum()
    return float(1 - (weights * observed).sum() / denominator) if denominator else float("nan")


def evaluate(predicted: Sequence[float], gold: Sequence[float], records: Sequence[Mapping[str, Any]] = (),
             threshold: float | None = None) -> Evaluation:
    p, g = np.asarray(predicted, dtype=float), np.asarray(gold, dtype=float)
    result = Evaluation(
        n=len(p),
        pearson=round(_pearson(p, g), 4),
        spearman=round(_pearson(_ranks(p), _ranks(g)), 4),
        rmse=round(float(math.sqrt(((p - g) ** 2).mean())) if len(p) else float("nan"), 4),
        qwk=round(quadratic_weighted_kappa(np.rint(p).astype(int).tolist(), np.rint(g).astype(int).tolist()), 4),
    )
    labels = [is_correct_label(r) for r in records]
    if records and threshold is not None and all(label is not None for label in labels):
        truth = np.array(labels, dtype=bool)
        guess = p >= threshold
        result.accuracy = round(float((truth == guess).mean()), 4)
        result.macro_f1 = round(_macro_f1(truth, guess), 4)
        result.threshold = threshold
    for name in GROUP_FIELDS:
        values = [r.get(name) for r in records]
        if records and any(isinstance(v, str) for v in values):
            buckets: dict[str, list[int]] = defaultdict(list)
            for index, value in enumerate(values):
                buckets[str(value) if isinstance(value, str) else "(none)"].append(index)
            result.groups[name] = {
                key: {"n": len(idx), "gold": round(float(g[idx].mean()), 2), "predicted": round(float(p[idx].mean()), 2)}
                for key, idx in sorted(buckets.items())
            }
    return result


def _macro_f1(truth: np.ndarray, guess: np.ndarray) -> float:
    scores = []
    for positive in (True, False):
        tp = float(((guess == positive) & (truth == positive)).sum())
        fp = float(((guess == positive) & (truth != positive)).sum())
        fn = float(((guess != positive) & (truth == positive)).sum())
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(scores) / 2


def render(result: Evaluation, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"answers: {result.n}")
    lines.append(f"Pearson r {result.pearson:.3f}   Spearman r {result.spearman:.3f}   "
                 f"RMSE {result.rmse:.2f}   QWK {result.qwk:.3f}" + ("   (too few answers for r)" if result.n < 3 else ""))
    if result.accuracy is not None:
        lines.append(f"correct vs not at score >= {result.threshold:g}: accuracy {result.accuracy:.3f}, "
                     f"macro-F1 {result.macro_f1:.3f}")
    for name, groups in result.groups.items():
        lines.append(f"by {name}:")
        for key, g in groups.items():
            lines.append(f"  {key:<32} n={g['n']:<5} human {g['gold']:5.2f}   grader {g['predicted']:5.2f}")
    return "\n".join(lines)
