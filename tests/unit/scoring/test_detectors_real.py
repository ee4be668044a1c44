"""Each detector with the real all-MiniLM-L6-v2 model on the bundled bank."""

from __future__ import annotations

import pytest

from interviewer.scoring.grader import Grader

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def grader(real_embedder, real_stance, bundled_bank) -> Grader:
    return Grader(real_embedder, stance=real_stance, bank=bundled_bank)


def ids(grade) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.misconception_id for m in grade.misconceptions]


def test_reversed_claim_is_caught_and_its_right_version_is_not(grader: Grader, bundled_bank) -> None:
    q10 = bundled_bank["q10"]
    wrong = grader.grade(q10, "I normalize the entire dataset first and only then split it into train and test.")
    right = grader.grade(q10, "I fit the scaler on the training set only and then transform the test set with it.")
    assert "fit-on-all-data" in ids(wrong)
    assert wrong.misconceptions[0].evidence is not None
    assert "training" in wrong.feedback.corrections[0]
    assert not right.misconceptions
    assert right.score > wrong.score


def test_negated_claim_is_not_a_misconception(grader: Grader, bundled_bank) -> None:
    q14 = bundled_bank["q14"]
    negated = grader.grade(q14, "You should never randomly shuffle the time series before splitting; split by time.")
    claimed = grader.grade(q14, "It is fine to randomly shuffle the time series before splitting it into train and test.")
    assert "shuffle-time-series" not in ids(negated)
    assert "shuffle-time-series" in ids(claimed)


def test_saying_the_opposite_of_a_concept_costs_it(grader: Grader, bundled_bank) -> None:
    q10 = bundled_bank["q10"]
    grade = grader.grade(q10, "Tree-based models like random forests need feature scaling too, just like KNN does.")
    trees = {c.concept_id: c for c in grade.concepts}["trees-not-needed"]
    assert trees.status == "missed"
    assert "trees-need-scaling" in ids(grade) or trees.contradicted


def test_buzzword_list_gets_partial_credit_and_says_so(grader: Grader, bundled_bank) -> None:
    q10 = bundled_bank["q10"]
    listed = grader.grade(q10, "Standardization, min-max, robust scaler, KNN, SVM, random forest, leakage.")
    touched = [c for c in listed.concepts if c.status != "missed"]
    assert touched and all(c.status == "partial" and not c.explained for c in touched)
    assert any("named but not explained" in m for m in listed.feedback.missing)
    assert listed.score <= 3.0


def test_answer_to_another_question_is_off_topic_and_capped(grader: Grader, bundled_bank) -> None:
    answer_about_ab_tests = (
        "I would randomize by user rather than by request, pick a business metric like conversion as the success "
        "metric, run a power analysis to size the experiment, and avoid peeking at the p-value before the planned end."
    )
    grade = grader.grade(bundled_bank["q10"], answer_about_ab_tests)
    assert grade.relevance is not None and not grade.relevance.on_topic
    assert grade.relevance.best_other_rubric == "q04"
    assert grade.score <= 2.0
    assert grade.feedback.summary.startswith("Off-topic")
    own = grader.grade(bundled_bank["q04"], answer_about_ab_tests)
    assert own.relevance is not None and own.relevance.on_topic


def test_correct_answers_raise_no_false_alarms(grader: Grader, bundled_bank) -> None:
    for rubric in bundled_bank.values():
        grade = grader.grade(rubric, rubric.model_answer)
        assert not grade.misconceptions, (rubric.id, ids(grade))
        assert grade.relevance is not None and grade.relevance.on_topic, rubric.id


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): the concept model credits 'waited on the model with no fallback' as covering fallback")
def test_a_story_with_a_negated_cue_word_is_not_a_contradiction(grader: Grader, bundled_bank) -> None:
    # "no fallback" in a war story shares a cue word with the concept "have a fallback" but is not about
    # it in meaning: the concept earns nothing from it, and it is not a contradiction either.
    story = ("We had three outages. Third: a timeout cascade, because the checkout page waited on the model "
             "with no fallback.")
    grade = grader.grade(bundled_bank["q05"], story)
    assert "contradicts:fallback" not in ids(grade)
    fallback = {c.concept_id: c for c in grade.concepts}["fallback"]
    assert fallback.credit == 0.0 and not fallback.contradicted


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): 'without ML' against 'not always ML' is read as a polarity conflict once the concept model picks that unit")
def test_agreeing_negations_are_not_contradictions(grader: Grader, bundled_bank) -> None:
    grade = grader.grade(bundled_bank["q12"], "The first thing I'd do is try to solve it without ML, with a few "
                                              "rules or a simple threshold, and measure how far that gets.")
    assert not [i for i in ids(grade) if i.startswith("contradicts:")], ids(grade)
    hedged = grader.grade(bundled_bank["q02"], "Missing data is a very common problem in real-world datasets, so "
                                               "you always need a strategy for it.")
    assert "contradicts:native-handling" not in ids(hedged)


def test_confidently_wrong_answer_scores_low(grader: Grader, bundled_bank) -> None:
    # Written for this test (not in the dev set the calibration was fitted on).
    answer = ("Missing entries are just random gaps; they tell you nothing about the label, so I simply delete "
              "every row that has one. When too many rows would go, I take the mean of each column across the "
              "whole dataset, test rows included, and plug it in. Mean filling doesn't change the distribution.")
    assert grader.grade(bundled_bank["q02"], answer).score <= 3.0


def test_a_claim_reported_as_a_common_mistake_is_not_made(real_embedder, real_stance) -> None:
    from interviewer import locations
    from interviewer.rubrics import load_bank

    bank = load_bank(locations.bundled_bank_dir("statistics"))
    statistics = Grader(real_embedder, stance=real_stance, bank=bank)
    warned = statistics.grade(bank["stat05"], "A common mistake is to read a 95% confidence interval as a 95% chance "
                                              "that the true value lies in this interval.")
    made = statistics.grade(bank["stat05"], "A 95% confidence interval means there is a 95% chance that the true value "
                                            "lies in this interval.")
    assert "ci-95-prob" not in ids(warned)
    assert "ci-95-prob" in ids(made)


def test_a_prohibition_does_not_make_the_claim_it_forbids(grader: Grader, bundled_bank) -> None:
    # Written for this test. "don't bother scaling" shares no negated word with "need feature scaling", so the
    # negation check alone cannot see that the sentence warns against the claim.
    opening = "Scale features for distance-based models like KNN and SVMs. "
    warned = grader.grade(bundled_bank["q10"], opening + "Finally, don't bother scaling features for random forests "
                                                         "or gradient boosting.")
    made = grader.grade(bundled_bank["q10"], opening + "You should also scale features for random forests and "
                                                       "gradient boosting.")
    assert "trees-need-scaling" not in ids(warned)
    assert next(c for c in warned.concepts if c.concept_id == "trees-not-needed").status != "missed"
    assert "trees-need-scaling" in ids(made)
    assert warned.score > made.score
