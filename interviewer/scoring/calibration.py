"""The map from interpretable features to the 0–10 score, read from a small JSON file (never a pickle).

``calibration.json`` beside this module is the shipped one. It holds one *profile* per kind of grading:

* ``rubric``: answers graded against a hand-written rubric (the bank);
* ``reference``: answers graded against a rubric derived on the fly from one reference answer.

Each profile is a linear model, optionally through a logistic link, clipped to 0–10, or the checklist::

    linear:    score = clip(intercept + sum(coef[f] * features[f]), 0, 10)
    logistic:  score = 10 * sigmoid(intercept + sum(coef[f] * features[f]))
    checklist: score = min(cap, clip(curve(checklist) - coef["deduction_scale"] * penalty, 0, 10))

(the checklist profile: ``checklist.py``; its ``isotonic`` points are the curve).

An optional monotone ``isotonic`` map (``{"x": [...], "y": [...]}``, piecewise linear between the
points) is applied last: it spreads the linear score over the human scale without reordering answers.

``threshold`` is the score at or above which an answer counts as correct (chosen on training data).
``benchmarks/calibrate.py`` refits the file; ``source`` says on what.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from interviewer.errors import InputError
from interviewer.scoring.concept_model import ConceptModel

DEFAULT_CALIBRATION = Path(__file__).with_name("calibration.json")
PROFILES = ("rubric", "reference")


@dataclass(frozen=True)
class Calibration:
    coef: Mapping[str, float]
    intercept: float
    kind: Literal["linear", "logistic", "checklist"] = "linear"
    threshold: float = 5.0
    source: str = ""
    deduct_penalties: bool = True
    """Subtract the wrong claims' penalties after this map (False when ``penalty`` is one of its features)."""
    isotonic: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    """Monotone map applied last, as increasing x points and their y values."""

    def linear(self, features: Mapping[str, float]) -> float:
        total = self.intercept + sum(weight * features.get(name, 0.0) for name, weight in self.coef.items())
        if self.kind == "logistic":
            total = 10.0 / (1.0 + math.exp(-max(-60.0, min(60.0, total))))
        return total

    def curve(self, value: float) -> float:
        """The monotone map applied last (identity without one)."""
        return _interpolate(value, *self.isotonic) if self.isotonic is not None else value

    @property
    def deduction_scale(self) -> float:
        return self.coef.get("deduction_scale", 1.0)

    def score(self, features: Mapping[str, float]) -> float:
        if self.kind == "checklist":
            from interviewer.scoring.checklist import apply

            return round(apply(self.curve(features.get("checklist", 0.0)), self.deduction_scale, features), 2)
        total = self.curve(self.linear(features))
        return round(min(10.0, max(0.0, total)), 2)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "coef": dict(self.coef), "intercept": self.intercept,
                                "threshold": self.threshold, "deduct_penalties": self.deduct_penalties,
                                "source": self.source}
        if self.isotonic is not None:
            data["isotonic"] = {"x": list(self.isotonic[0]), "y": list(self.isotonic[1])}
        return data


def _interpolate(value: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    """Piecewise-linear interpolation, flat beyond the ends (as numpy.interp)."""
    if value <= xs[0]:
        return ys[0]
    for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:]):
        if value <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return ys[-1]


@dataclass(frozen=True)
class CalibrationSet:
    """The calibrations by profile name, and the model that decides each key point's status."""

    profiles: Mapping[str, Calibration] = field(default_factory=dict)
    concept_model: ConceptModel | None = None

    def __getitem__(self, profile: str) -> Calibration:
        try:
            return self.profiles[profile]
        except KeyError:
            return self.profiles["rubric"]

    def to_json(self) -> str:
        data: dict[str, Any] = {"profiles": {name: c.to_dict() for name, c in self.profiles.items()}}
        if self.concept_model is not None:
            data["concept_model"] = self.concept_model.to_dict()
        return json.dumps(data, indent=2) + "\n"


def _parse_profile(data: object, where: str) -> Calibration:
    if not isinstance(data, dict) or data.get("kind") not in ("linear", "logistic", "checklist"):
        raise InputError(f"{where}: field 'kind': expected \"linear\", \"logistic\" or \"checklist\"")
    coef = data.get("coef")
    if not isinstance(coef, dict) or not all(isinstance(v, (int, float)) for v in coef.values()):
        raise InputError(f"{where}: field 'coef': expected a mapping of feature name to number")
    intercept = data.get("intercept")
    if not isinstance(intercept, (int, float)):
        raise InputError(f"{where}: field 'intercept': expected a number")
    threshold = data.get("threshold", 5.0)
    if not isinstance(threshold, (int, float)):
        raise InputError(f"{where}: field 'threshold': expected a number")
    isotonic = data.get("isotonic")
    points = None
    if isotonic is not None:
        xs, ys = (isotonic.get("x"), isotonic.get("y")) if isinstance(isotonic, dict) else (None, None)
        if (not isinstance(xs, list) or not isinstance(ys, list) or len(xs) != len(ys) or len(xs) < 2
                or not all(isinstance(v, (int, float)) for v in xs + ys) or xs != sorted(xs)):
            raise InputError(f"{where}: field 'isotonic': expected {{\"x\": [...], \"y\": [...]}}, "
                             "equal lengths, x increasing")
        points = (tuple(float(v) for v in xs), tuple(float(v) for v in ys))
    return Calibration({str(k): float(v) for k, v in coef.items()}, float(intercept), data["kind"],
                       float(threshold), str(data.get("source", "")), bool(data.get("deduct_penalties", True)), points)


def load_calibration(path: Path = DEFAULT_CALIBRATION) -> CalibrationSet:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: calibration file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise InputError(f"{path}: not valid JSON (nested too deeply)") from None
    except (OSError, ValueError) as exc:  # a folder, a device, an unreadable file, a huge integer
        raise InputError(f"{path}: cannot read the calibration file ({exc.strerror or exc})"
                         if isinstance(exc, OSError) else f"{path}: not valid JSON ({exc})") from None
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, dict) or "rubric" not in profiles:
        raise InputError(f"{path}: field 'profiles': expected a mapping with at least a \"rubric\" profile")
    concept_model = data.get("concept_model")
    return CalibrationSet({name: _parse_profile(p, f"{path}: profiles.{name}") for name, p in profiles.items()},
                          ConceptModel.from_dict(concept_model, str(path)) if concept_model is not None else None)
