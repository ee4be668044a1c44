"""Is a key point stated, partly stated or missing? A small multinomial logistic regression over a
handful of question-agnostic signals, fitted on the human judgements of each key point in the team's dev
set (``points`` in ``benchmarks/data/devset.jsonl``), stored as readable JSON in ``calibration.json``.

The signals (``concepts.concept_signals``) say what the closest units *claim* about the point, not
which words they share with it: the stance model's support for it, the closeness in meaning of the
units that do not deny it, how much of the statement's own content (beyond the question's words) the
tokens of the answer's ordered units recall, whether the closest unit only restates the question or
only names terms, and whether its words are in the order of a sentence at all (``word_order.py``:
shuffled words claim nothing, so their tokens count for no point).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from interviewer.errors import InputError

CLASSES = ("covered", "partial", "missed")
SIGNALS = ("closeness", "second", "support", "touch", "contradict", "cue", "token_recall", "qd_token_recall",
           "question", "explains", "order", "ordered_token_recall", "ordered_qd_recall")
"""Every signal ``concepts.match_concept`` computes (a saved model may use any of them)."""
FIT_SIGNALS = ("closeness", "second", "support", "touch", "contradict", "cue", "ordered_token_recall",
               "ordered_qd_recall", "question", "explains", "order")
"""The signals a newly fitted model uses. Not the token recalls by every word of the answer: they credit a
point for its words scattered in no order (the model answer's words shuffled got 5.5 of 10 on the dev
split); ``ordered_token_recall`` and ``ordered_qd_recall`` are the same recalls by the units whose words
are in an order that can make a claim."""
LOGIT = ("support", "touch", "contradict")
"""Probabilities enter as log-odds: 0.01 and 0.05 differ a lot."""
HUMAN = {"stated": "covered", "partial": "partial", "missing": "missed"}
C = 1.0  # inverse regularisation strength of the logistic regression


@dataclass(frozen=True)
class ConceptModel:
    """``proba(signals)[k]`` is the probability of ``CLASSES[k]``."""

    features: tuple[str, ...]
    coef: tuple[tuple[float, ...], ...]
    """(classes, features), on standardised signals."""
    intercept: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    source: str = ""

    def proba(self, signals: Mapping[str, float]) -> np.ndarray:
        x = (_vector(signals, self.features) - np.array(self.mean)) / np.array(self.scale)
        logits = np.array(self.coef) @ x + np.array(self.intercept)
        logits -= logits.max()
        p = np.exp(logits)
        return p / p.sum()

    def status(self, signals: Mapping[str, float]) -> str:
        return CLASSES[int(np.argmax(self.proba(signals)))]

    def to_dict(self) -> dict[str, Any]:
        return {"classes": list(CLASSES), "features": list(self.features),
                "coef": [list(row) for row in self.coef], "intercept": list(self.intercept),
                "mean": list(self.mean), "scale": list(self.scale), "source": self.source}

    @classmethod
    def from_dict(cls, data: object, where: str) -> ConceptModel:
        try:
            assert isinstance(data, dict) and data.get("classes") == list(CLASSES)
            features = tuple(str(f) for f in data["features"])
            coef = tuple(tuple(float(v) for v in row) for row in data["coef"])
            intercept = tuple(float(v) for v in data["intercept"])
            mean = tuple(float(v) for v in data["mean"])
            scale = tuple(float(v) for v in data["scale"])
            assert len(coef) == len(CLASSES) == len(intercept)
            assert all(len(row) == len(features) for row in coef) and len(mean) == len(scale) == len(features)
            assert all(s > 0 for s in scale) and set(features) <= set(SIGNALS)
        except (AssertionError, KeyError, TypeError, ValueError):
            raise InputError(f"{where}: field 'concept_model': expected classes {list(CLASSES)}, features from "
                             f"{list(SIGNALS)}, and coef/intercept/mean/scale of matching sizes") from None
        return cls(features, coef, intercept, mean, scale, str(data.get("source", "")))


def _vector(signals: Mapping[str, float], features: Sequence[str]) -> np.ndarray:
    values = []
    for name in features:
        value = float(signals.get(name, 0.0))
        if name in LOGIT:
            value = float(np.log((value + 1e-3) / (1.0 - value + 1e-3)))
        values.append(value)
    return np.array(values)


def fit_concept_model(signals: Sequence[Mapping[str, float]], labels: Sequence[str], source: str,
                      features: Sequence[str] = FIT_SIGNALS) -> ConceptModel:
    """Multinomial logistic regression of the human label (covered / partial / missed) on the signals."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([_vector(s, features) for s in signals], dtype=float)
    mean = x.mean(axis=0)
    scale = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    model = LogisticRegression(C=C, max_iter=5000).fit((x - mean) / scale, list(labels))
    order = [list(model.classes_).index(c) for c in CLASSES]
    coef = tuple(tuple(round(float(v), 5) for v in model.coef_[k]) for k in order)
    intercept = tuple(round(float(model.intercept_[k]), 5) for k in order)
    return ConceptModel(tuple(features), coef, intercept, tuple(round(float(v), 5) for v in mean),
                        tuple(round(float(v), 5) for v in scale), source)
