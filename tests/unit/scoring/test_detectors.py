"""The detectors' logic with the deterministic test embedder and on plain text (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.scoring import text as T
from interviewer.scoring.detectors import (
    OFF_TOPIC_FLOOR,
    answers_own_points,
    contradictions,
    own_points,
    own_share,
    relevance,
)
from interviewer.scoring.grader import Grader
from interviewer.scoring.result import ConceptResult, Evidence, MisconceptionHit


@pytest.mark.parametrize(
    ("unit", "statement", "conflict"),
    [
        ("Trees need scaling too.", "Tree models such as random forests don't need rescaled inputs.", True),
        ("Random forests do not need scaling at all.", "Tree models such as random forests don't need scaling.", False),
        ("Never shuffle a time series before splitting.", "You can randomly shuffle time series data.", True),
        ("To prevent leakage, fit the scaler on the training data only.", "Fit the scaler on the training data only.", False),
        # a negation about something else does not flip the statement
        ("XGBoost handles missing values natively.",
         "XGBoost handles missing values natively, so imputation is not always needed.", False),
        ("Trees are invariant to scaling.", "Trees don't need scaling.", False),  # negation in other words: not seen
        ("Randomize at the request level.", "Randomize per user rather than per request.", True),
        ("Typically user level, not request level.", "Randomize per user rather than per request.", False),
        # "not always" / "not necessarily" hedge a claim, they do not reverse it
        ("You always need a strategy for missing data.",
         "Some models handle missing values natively, so imputation is not always needed.", False),
        ("Imputation is needed.", "Imputation is not needed.", True),
        ("Scaling is not necessarily needed for trees.", "Scaling is needed for trees.", False),
        # "non-" negates: "without ML" and "a non-ML baseline" agree
        ("First try to solve it without ML.", "Start with a non-ML baseline such as rules.", False),
        ("Start with an ML baseline.", "Start with a non-ML baseline such as rules.", True),
    ],
)
def test_polarity_conflict(unit: str, statement: str, conflict: bool) -> None:
    assert T.polarity_conflict(unit, statement) is conflict


def test_negation_scope_is_local() -> None:
    flags, heads = T.negation_flags("Trees don't need scaling, but KNN needs it")
    assert flags["need"] == {True, False} and flags["tree"] == {False}
    assert flags["knn"] == {False} and flags["scale"] == {True}
    assert heads == {"need"}


@pytest.mark.parametrize(
    ("unit", "explains"),
    [
        ("Standardization, min-max, robust scaler, KNN, SVM, trees, leakage.", False),
        ("- robust scaling", False),
        ("z-score, min-max and robust scaling", False),
        ("Use standardization.", False),
        ("Feature scaling puts features on comparable ranges.", True),
        ("KNN, SVM, neural nets need it", True),
        ("Trees don't need it.", True),
        ("Trees split on thresholds, so scaling does not change them.", True),
        # a note relates its head to its items (a colon or an arrow): it says what they are for
        ("- Categoricals: one-hot, target/frequency encoding", True),
        ("- Min-max -> [0,1], wrecked by outliers", True),
        ("Models: ARIMA, Prophet, or GBM on lags", True),
        ("ARIMA, Prophet, GBM on lags", False),
        (": one-hot, target, frequency", False),  # nothing before the colon
    ],
)
def test_explains_versus_names(unit: str, explains: bool) -> None:
    assert T.explains(unit) is explains


def test_clauses_split_at_subordinate_words() -> None:
    assert T.clauses("Trees don't need it, but KNN does because of distances") == [
        "Trees don't need it", "but KNN does", "because of distances"]


def _unit(x: float, y: float) -> np.ndarray:
    v = np.array([x, y], dtype=np.float32)
    return v / np.linalg.norm(v)


def test_relevance_flags_an_answer_that_fits_another_question() -> None:
    own = np.stack([_unit(1, 0)])
    other = np.stack([_unit(0, 1)])
    answer = np.stack([_unit(0.2, 1), _unit(0.1, 1)])
    questions = {"q04": "How do you approach A/B testing for ML models?"}
    result = relevance("q10", own, {"q10": own, "q04": other}, answer, answered=True, questions=questions)
    assert not result.on_topic and result.best_other_rubric == "q04"
    assert result.reason == 'the answer fits another question better: "How do you approach A/B testing for ML models?"'
    assert "q04" not in result.reason  # the candidate is told the question, never an internal id
    wrong = relevance("q10", own, {"q10": own, "q04": other}, answer, answered=True, questions=questions,
                      wrong_claims=1)
    assert wrong.on_topic  # a wrong answer on the right topic is wrong, not off-topic
    on_topic = relevance("q10", own, {"q10": own, "q04": other}, np.stack([_unit(1, 0.1)]), answered=True)
    assert on_topic.on_topic and on_topic.reason == ""


def test_an_answer_that_earns_its_own_points_is_on_topic() -> None:
    """Questions that share points (STAR parts) have close fingerprints: an answer that fits the other one a
    little better but earns half of this question's own points answers this question."""
    own, other = np.stack([_unit(1, 0)]), np.stack([_unit(0, 1)])
    answer = np.stack([_unit(0.2, 1), _unit(0.1, 1)])
    fingerprints = {"q10": own, "q04": other}
    topic = relevance("q10", own, fingerprints, answer, answered=True)
    assert not topic.on_topic and not answers_own_points(topic, 0.49).on_topic
    assert answers_own_points(topic, 0.5).on_topic and answers_own_points(topic, 0.5).reason == ""


def test_own_points_leave_out_statements_another_question_shares() -> None:
    statements = np.stack([_unit(1, 0), _unit(0, 1)])
    shared_elsewhere = np.stack([_unit(0.01, 1)])  # near-identical to the second statement
    assert own_points(statements, [shared_elsewhere]) == (True, False)
    assert own_points(statements, []) == (True, True)
    assert own_points(statements, [np.stack([_unit(1, 1)])]) == (True, True)  # related is not the same point


def test_own_share_weighs_the_own_points_only() -> None:
    def point(cid: str, credit: float, weight: float) -> ConceptResult:
        return ConceptResult(cid, cid, "covered", credit, weight, 0.7, (), None, "s", "f?")

    concepts = [point("core", 1.0, 2.0), point("side", 0.5, 1.0), point("star", 0.0, 1.0)]
    assert own_share(concepts, (True, True, False)) == pytest.approx(2.5 / 3.0)
    assert own_share(concepts, (False, False, True)) == 0.0
    assert own_share(concepts, (False, False, False)) == 0.0


def test_relevance_without_a_bank_uses_an_absolute_floor() -> None:
    own = np.stack([_unit(1, 0)])
    low = relevance("x", own, {}, np.stack([_unit(0.2, 1)]), answered=True)
    assert low.score < OFF_TOPIC_FLOOR and not low.on_topic
    assert relevance("x", own, {}, np.zeros((0, 2)), answered=False).on_topic  # empty answers are not off-topic


def test_an_answer_that_fits_no_question_is_not_sent_to_another_one() -> None:
    """'I don't know' fits its own question little and another barely more: it is not about this question,
    and naming the other question would tell the candidate something false."""
    own, other = np.stack([_unit(1, 0)]), np.stack([_unit(0, 1)])
    questions = {"q04": "How do you approach A/B testing for ML models?"}
    # A unit at ~0.13 of its own fingerprint and just over the floor of the other's: it fits neither.
    barely = np.stack([np.array([0.13, OFF_TOPIC_FLOOR + 0.01, 0.945], dtype=np.float32)])
    padded = {k: np.hstack([v, np.zeros((1, 1), np.float32)]) for k, v in {"q10": own, "q04": other}.items()}
    result = relevance("q10", padded["q10"], padded, barely, answered=True, questions=questions)
    assert not result.on_topic and result.reason == "the answer is not about this question"


def _concept(cid: str, contradicted: bool, start: int) -> ConceptResult:
    return ConceptResult(cid, cid, "missed", 0.0, 1.0, 0.7, (), Evidence("x", start, start + 1), "s", "f?",
                         contradicted=contradicted)


def test_contradictions_are_not_counted_twice_for_one_unit() -> None:
    listed = MisconceptionHit("m1", "claim", "correction", 1.5, Evidence("x", 0, 1), 0.9)
    hits = contradictions([_concept("a", True, 0), _concept("b", True, 5), _concept("c", False, 9)], [listed])
    assert [h.misconception_id for h in hits] == ["contradicts:b"]


def test_wrong_claim_costs_the_related_concept(fake_embedder, scaling_rubric) -> None:
    grader = Grader(fake_embedder)
    right = grader.grade(scaling_rubric, "Fit the scaler on the training data only.")
    wrong = grader.grade(scaling_rubric, "Fit the scaler on all the data before splitting.")
    assert [m.misconception_id for m in wrong.misconceptions] == ["fit-on-all"]
    assert wrong.misconceptions[0].evidence.text == "Fit the scaler on all the data before splitting."
    assert "fit the scaler on the training split only" in wrong.feedback.corrections[0]
    assert not right.misconceptions
    assert wrong.features["penalty"] == 1.5 and right.features["penalty"] == 0.0


class AgreeingStance:
    """Says every pair states its statement: what is left to the grader is the 'only named' rule."""

    name = "agreeing"

    def predict(self, pairs):  # type: ignore[no-untyped-def]
        rows = np.zeros((len(pairs), 4), dtype=np.float32)
        rows[:, 0] = 1.0
        return rows


def test_buzzword_list_earns_partial_credit_only(fake_embedder, scaling_rubric) -> None:
    grader = Grader(fake_embedder, stance=AgreeingStance())
    grade = grader.grade(scaling_rubric, "Standardization, z-score, min-max, KNN, SVM, random forest.")
    touched = [c for c in grade.concepts if c.status != "missed"]
    assert touched and all(c.status == "partial" and not c.explained for c in touched)
    assert any("named but not explained" in m for m in grade.feedback.missing)


def test_own_points_keep_an_answer_on_topic_only_if_it_states_more_of_them(fake_embedder, monkeypatch) -> None:
    """``Grader._answers_own``: this question's own share counts only when it is at least half and beats the
    answer's share of the best-fitting other question's own points (graded the same way)."""
    from interviewer.rubrics import load_bank
    from interviewer.scoring import grader as G
    from interviewer.scoring import prepared
    from interviewer.scoring.concepts import split_answer
    from tests.conftest import FIXTURES

    bank = load_bank(FIXTURES / "bank")
    grader = G.Grader(fake_embedder, bank=bank)
    theirs: dict[str, float] = {}

    def other_match(concept, *args, **kwargs) -> ConceptResult:  # type: ignore[no-untyped-def]
        return ConceptResult(concept.id, concept.id, "covered", theirs.get(concept.id, 0.0), concept.weight, 0.5,
                             (), None, concept.statement, "f?")

    monkeypatch.setattr(prepared, "match_concept", other_match)  # how the other question's points are judged
    parts = split_answer("Leakage makes the score too optimistic. Scaling puts features on one range.", 5000)
    vectors, tokens = fake_embedder.encode_tokens([u.text for u in parts.units])
    ready = grader.prepare(bank["scaling"])

    def mine(credit: float) -> list[ConceptResult]:
        return [ConceptResult(c.id, c.id, "covered", credit, c.weight, 0.5, (), None, c.statement, "f?")
                for c in bank["scaling"].concepts]

    def share(credit: float, other: str | None = "leakage") -> float:
        return grader._answers_own(ready, mine(credit), other, parts, vectors, np.vstack(tokens), tokens)

    assert share(0.4) == pytest.approx(0.4)  # under half: not compared, and relevance keeps it off-topic
    theirs.update({c.id: 0.5 for c in bank["leakage"].concepts})
    assert share(1.0) == pytest.approx(1.0)  # more of its own points than of the other question's
    theirs.update({c.id: 1.0 for c in bank["leakage"].concepts})
    assert share(1.0) == 0.0  # as much of the other question's: the fingerprint's verdict stands
    assert share(1.0, other=None) == pytest.approx(1.0)  # no other question to compare with


def test_a_unit_said_again_is_marked_repeated() -> None:
    from interviewer.scoring.concepts import repeated_units, split_answer

    parts = split_answer("Fit the scaler on train only. Trees need no scaling. fit the SCALER on train only!", 5000)
    assert list(repeated_units(parts)) == [False, False, True]
