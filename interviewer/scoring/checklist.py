"""The score follows the checklist: key points covered (weighted), minus wrong claims, under a few ceilings.

    checklist = 10 × Σ weight × credit / Σ weight      (covered 1, partial ½, missed or contradicted 0)
    score     = curve(checklist) − scale × Σ penalty     (clipped to 0–10)
    score     = min(score, the ceilings below)

``curve`` is the calibration's monotone, piecewise-linear map with a handful of knots (fitted by
``fit.fit_checklist_profile``); ``scale`` turns the rubric's penalties into points. The ceilings are
invariants, not learned:

* no key point covered: at most 2.0;
* a third or less of the key points covered (by count or by weight): at most 7.0;
* a wrong claim about a core key point (weight ≥ 1.5): at most 6.5;
* off-topic: at most 1.0.

So the headline never contradicts the checklist beside it, the label words follow the score, and every
point taken off is a wrong claim the feedback shows with its cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from interviewer.rubrics.model import Rubric
from interviewer.scoring.result import ConceptResult, MisconceptionHit, ScoreBreakdown

CORE_WEIGHT = 1.5  # a key point this heavy is core: a wrong claim about it caps the score
WRONG_CORE_CAP = 6.5
FEW_COVERED_SHARE = 1 / 3  # covering this share of the key points or less ...
FEW_COVERED_CAP = 7.0  # ... caps the score here
NONE_COVERED_CAP = 2.0
OFF_TOPIC_CAP = 1.0


def checklist_points(concepts: Sequence[ConceptResult]) -> float:
    """10 × the weighted share of key points earned (covered 1, partial ½)."""
    total = sum(c.weight for c in concepts)
    return 10.0 * sum(c.weight * c.credit for c in concepts) / total if total else 0.0


def ceiling(rubric: Rubric, concepts: Sequence[ConceptResult], wrong: Sequence[MisconceptionHit],
            off_topic: bool) -> tuple[float, str]:
    """The lowest ceiling that applies, and why (10.0 and "" when none does)."""
    weights = {c.id: c.weight for c in rubric.concepts}
    covered = [c for c in concepts if c.status == "covered"]
    options = [(10.0, "")]
    if off_topic:
        options.append((OFF_TOPIC_CAP, "the answer is about another question"))
    if not covered:
        options.append((NONE_COVERED_CAP, "no key point was covered"))
    elif (len(covered) <= FEW_COVERED_SHARE * len(concepts)
          or sum(c.weight for c in covered) <= FEW_COVERED_SHARE * sum(c.weight for c in concepts)):
        options.append((FEW_COVERED_CAP, f"only {len(covered)} of {len(concepts)} key points were covered"))
    core = [h for h in wrong if h.concept_id is not None and weights.get(h.concept_id, 0.0) >= CORE_WEIGHT]
    if core:
        options.append((WRONG_CORE_CAP, "a wrong claim about a core key point"))
    return min(options, key=lambda o: o[0])


def ceiling_features(rubric: Rubric, concepts: Sequence[ConceptResult], wrong: Sequence[MisconceptionHit],
                     off_topic: bool) -> dict[str, float]:
    """The features the checklist score is computed from (so a refitted curve can be applied to them)."""
    cap, _ = ceiling(rubric, concepts, wrong, off_topic)
    return {"checklist": round(checklist_points(concepts), 4), "penalty": round(sum(h.penalty for h in wrong), 4),
            "cap": cap}


def apply(curve_score: float, scale: float, features: Mapping[str, float]) -> float:
    """The score from the curved checklist points, the deductions and the ceiling (0–10)."""
    score = max(0.0, min(10.0, curve_score - scale * features.get("penalty", 0.0)))
    return min(score, features.get("cap", 10.0))


def breakdown(rubric: Rubric, concepts: Sequence[ConceptResult], wrong: Sequence[MisconceptionHit],
              off_topic: bool, curved: float, scale: float) -> tuple[ScoreBreakdown, tuple[MisconceptionHit, ...]]:
    """What the feedback shows: the checklist points, the curve, each claim's cost and the ceiling."""
    cap, reason = ceiling(rubric, concepts, wrong, off_topic)
    hits = tuple(replace(h, points_off=round(scale * h.penalty, 1)) for h in wrong)
    deducted = round(sum(h.points_off for h in hits), 1)
    return ScoreBreakdown(round(checklist_points(concepts), 1), round(curved, 1), deducted,
                          cap if cap < 10.0 and curved - deducted > cap else None,
                          reason if cap < 10.0 and curved - deducted > cap else ""), hits
