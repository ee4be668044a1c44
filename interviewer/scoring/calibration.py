"""The map from interpretable features to the 0–10 score, read from a small JSON file (never a pickle).

``calibration.json`` beside this module is the shipped one. It is a linear model with clipping::

    score = clip(intercept + sum(coef[f] * features[f]), 0, 10)

The file says how it was made (``source``); a calibration script refits it on training data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from interviewer.errors import InputError

DEFAULT_CALIBRATION = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class Calibration:
    coef: Mapping[str, float]
    intercept: float
    source: str = ""

    def score(self, features: Mapping[str, float]) -> float:
        total = self.intercept + sum(weight * features.get(name, 0.0) for name, weight in self.coef.items())
        return round(min(10.0, max(0.0, total)), 1)

    def to_json(self) -> str:
        data = {"kind": "linear", "coef": dict(self.coef), "intercept": self.intercept, "source": self.source}
        return json.dumps(data, indent=2) + "\n"


def load_calibration(path: Path = DEFAULT_CALIBRATION) -> Calibration:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: calibration file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") != "linear":
        raise InputError(f"{path}: field 'kind': expected \"linear\"")
    coef = data.get("coef")
    if not isinstance(coef, dict) or not all(isinstance(v, (int, float)) for v in coef.values()):
        raise InputError(f"{path}: field 'coef': expected a mapping of feature name to number")
    intercept = data.get("intercept")
    if not isinstance(intercept, (int, float)):
        raise InputError(f"{path}: field 'intercept': expected a number")
    return Calibration({str(k): float(v) for k, v in coef.items()}, float(intercept), str(data.get("source", "")))
