"""The score follows the checklist: its invariants hold for every combination of statuses and wrong claims."""

from __future__ import annotations

import itertools
import random

import pytest

from interviewer.scoring import checklist
from interviewer.scoring.calibration import (
    Calibration,
    CalibrationSet,
    load_calibration,
)
from interviewer.scoring.feedback import _band
from interviewer.scoring.fit import fit_checklist_profile
from interviewer.scoring.grader import Grader, final_score
from interviewer.scoring.result import ConceptResult, Evidence, MisconceptionHit
from interviewer.session.round import follow_up_rubric

STATUS_CREDIT = {"covered": 1.0, "partial": 0.5, "missed": 0.0}


def _concepts(rubric, statuses):  # type: ignore[no-untyped-def]
    return [ConceptResult(c.id, c.label, s, STATUS_CREDIT[s], c.weight, 0.7, (), None, c.statement, c.follow_up)
            for c, s in zip(rubric.concepts, statuses, strict=True)]


def _hit(concept_id: str | None, penalty: float = 1.5) -> MisconceptionHit:
    return MisconceptionHit("m", "claim", "correction", penalty, Evidence("x", 0, 1), 0.9, concept_id)


def _score(rubric, statuses, wrong=(), off_topic=False, calibration=None):  # type: ignore[no-untyped-def]
    features = checklist.ceiling_features(rubric, _concepts(rubric, statuses), list(wrong), off_topic)
    return final_score(calibration or load_calibration(), features)


def test_checklist_points_are_the_weighted_share_of_credit(scaling_rubric) -> None:
    # weights: definition 2, methods 1, when-needed 1, trees 1, fit-on-train 1.5 (total 6.5)
    concepts = _concepts(scaling_rubric, ["covered", "partial", "missed", "missed", "covered"])
    assert checklist.checklist_points(concepts) == pytest.approx(10 * (2 + 0.5 + 1.5) / 6.5)


def test_every_combination_keeps_the_invariants(scaling_rubric) -> None:
    """Exhaustive over the 3^5 status combinations, with and without wrong claims, on the shipped calibration."""
    concept_ids = [c.id for c in scaling_rubric.concepts]
    weights = {c.id: c.weight for c in scaling_rubric.concepts}
    for statuses in itertools.product(("covered", "partial", "missed"), repeat=5):
        covered = [cid for cid, s in zip(concept_ids, statuses, strict=True) if s == "covered"]
        for wrong in ((), (_hit("trees"),), (_hit("fit-on-train", 2.0),), (_hit(None), _hit("definition"))):
            score = _score(scaling_rubric, statuses, wrong)
            assert 0.0 <= score <= 10.0
            if len(covered) <= len(concept_ids) / 3:
                assert score < 7.5, (statuses, wrong, score)
            if any(h.concept_id and weights[h.concept_id] >= 1.5 for h in wrong):
                assert score <= 6.5, (statuses, wrong, score)
            if not covered:
                assert score <= 2.0, (statuses, wrong, score)
            if wrong:  # a wrong claim never raises the score
                assert score <= _score(scaling_rubric, statuses), (statuses, wrong)


def test_more_covered_never_scores_less(scaling_rubric) -> None:
    rng = random.Random(3)
    order = {"missed": 0, "partial": 1, "covered": 2}
    for _ in range(300):
        low = [rng.choice(list(order)) for _ in range(5)]
        high = [max(s, rng.choice(list(order)), key=order.get) for s in low]
        assert _score(scaling_rubric, high) >= _score(scaling_rubric, low)


def test_off_topic_is_capped(scaling_rubric) -> None:
    assert _score(scaling_rubric, ["covered"] * 5, off_topic=True) <= checklist.OFF_TOPIC_CAP


@pytest.mark.parametrize("score", [x / 10 for x in range(0, 101)])
def test_the_label_follows_the_score(score: float) -> None:
    bands = ["Needs work", "Partial answer", "Good start", "Strong answer", "Excellent answer"]
    assert _band(score) in bands
    assert bands.index(_band(score)) >= bands.index(_band(max(0.0, score - 0.1)))


def test_a_follow_up_score_agrees_with_its_one_concept(scaling_rubric) -> None:
    rubric = follow_up_rubric(scaling_rubric, "trees")
    assert _score(rubric, ["covered"]) >= 7.5
    assert _score(rubric, ["missed"]) == 0.0
    assert _score(rubric, ["partial"]) <= 2.0  # nothing covered


def test_the_breakdown_shows_each_deduction_and_the_cap(fake_embedder, scaling_rubric) -> None:
    grade = Grader(fake_embedder).grade(
        scaling_rubric, "Feature scaling puts features on comparable ranges. Fit the scaler on all the data before splitting.")
    assert [m.misconception_id for m in grade.misconceptions] == ["fit-on-all"]
    assert grade.misconceptions[0].points_off > 0
    assert f"−{grade.misconceptions[0].points_off:.1f} points" in grade.feedback.corrections[0]
    assert grade.breakdown is not None and grade.breakdown.deducted == grade.misconceptions[0].points_off
    assert grade.score <= 7.0  # one of five key points covered


def test_fitting_recovers_a_known_curve_and_scale() -> None:
    rng = random.Random(0)
    features, scores = [], []
    for _ in range(200):
        points, penalty = rng.uniform(0, 10), rng.choice([0.0, 0.0, 1.5, 2.0])
        features.append({"checklist": points, "penalty": penalty, "cap": 10.0})
        scores.append(max(0.0, min(10.0, points - 1.25 * penalty)))
    fitted = fit_checklist_profile(features, scores, "synthetic")
    assert fitted.deduction_scale == 1.25
    assert all(b >= a for a, b in zip(fitted.isotonic[1], fitted.isotonic[1][1:]))  # monotone
    assert fitted.curve(5.0) == pytest.approx(5.0, abs=0.2)
    round_trip = CalibrationSet({"rubric": fitted})
    assert final_score(round_trip, {"checklist": 10.0, "penalty": 0.0, "cap": 10.0}) == 10.0  # the ends are fixed
    assert final_score(round_trip, {"checklist": 0.0, "penalty": 0.0, "cap": 10.0}) == 0.0


def test_a_linear_rubric_profile_still_works(fake_embedder, scaling_rubric) -> None:
    flat = CalibrationSet({"rubric": Calibration({"coverage": 0.0}, intercept=4.2)})
    assert Grader(fake_embedder, flat).grade(scaling_rubric, "Feature scaling puts features on comparable ranges.").score == 4.2


def test_the_frozen_test_split_is_unchanged() -> None:
    """benchmarks/data/testset.jsonl is frozen: its SHA-256 is the one in the README."""
    import hashlib
    import re

    from tests.conftest import REPO

    digest = hashlib.sha256((REPO / "benchmarks" / "data" / "testset.jsonl").read_bytes()).hexdigest()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    frozen = re.search(r"frozen test split.*?SHA-256\s+`([0-9a-f]{64})`", readme, re.S | re.I)
    assert frozen is not None, "the README gives the frozen test split's SHA-256"
    assert digest == frozen.group(1)
