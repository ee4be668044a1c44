"""Grades a candidate can trust, with the real embedder and the real stance model: the failures the
held-out review found (issue: stance-aware concept matching), each as a test."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from interviewer.scoring.grader import Grader
from tests.conftest import cli_env

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def grader(real_embedder, real_stance, bundled_bank) -> Grader:
    return Grader(real_embedder, stance=real_stance, bank=bundled_bank)


def by_id(grade):  # type: ignore[no-untyped-def]
    return {c.concept_id: c for c in grade.concepts}


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): the concept model still credits 'normalize the entire dataset before splitting' as covering preprocessing-leak")
def test_a_sentence_stating_a_misconception_is_not_evidence_for_the_concept(grader: Grader, bundled_bank) -> None:
    answer = ("Data leakage is when information that won't be available at prediction time sneaks into training. "
              "To be safe you should normalize the entire dataset before splitting, so train and test share one scale. "
              "And then do a random split, even for time series, so both sets look alike.")
    grade = grader.grade(bundled_bank["q03"], answer)
    concepts = by_id(grade)
    assert concepts["preprocessing-leak"].status != "covered"
    assert concepts["temporal-leak"].status != "covered"
    assert grade.misconceptions, "the wrong claims are flagged"
    assert grade.score <= 6.5


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): the negation rule reads 'never compute it on the full dataset' as denying frequency-encoding")
def test_warning_against_a_practice_is_not_that_practice(grader: Grader, bundled_bank) -> None:
    answer = ("For a high-cardinality column like zip code I use target encoding, but smoothed towards the global "
              "mean and computed out-of-fold, so a row's own label never feeds its encoding; never compute it on "
              "the full dataset, that leaks the target.")
    grade = grader.grade(bundled_bank["q07"], answer)
    assert not grade.misconceptions, [m.misconception_id for m in grade.misconceptions]
    assert by_id(grade)["target-encoding"].status in ("covered", "partial")


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): the stance model reads it as a contradiction (p 0.98), "
                   "but the concept model, fitted on the dev set, gives 'contradict' a small weight the wrong way "
                   "(+0.14 towards covered) and covers it by closeness and the cue")
def test_a_wrong_definition_in_the_right_words_is_not_covered(grader: Grader, bundled_bank) -> None:
    grade = grader.grade(bundled_bank["q15"], "Pruning means deleting rows from the training data so the model trains faster.")
    assert by_id(grade)["pruning"].status != "covered"


def test_an_example_of_leakage_is_not_a_claim_that_the_practice_is_fine(grader: Grader, bundled_bank) -> None:
    # The wording Whisper heard for a spoken test answer: as a bare example after a definition of leakage,
    # "fitting the scaler on all of the data before splitting" is an instance of leakage, not the
    # misconception "normalizing the whole dataset before the split is fine" (it was flagged, -2.5, 0.0 / 10).
    answer = ("Data leakage is when information from outside the training data is used to build the model. "
              "For example, fitting the scalar on all of the data before splitting it into training and test sets.")
    grade = grader.grade(bundled_bank["q03"], answer)
    assert not grade.misconceptions, [m.misconception_id for m in grade.misconceptions]
    assert by_id(grade)["preprocessing-leak"].status in ("covered", "partial")
    assert grade.score > 0.0
    judged = grader.grade(bundled_bank["q03"], answer.replace("For example, fitting", "It's fine to fit"))
    assert "normalize-before-split-ok" in {m.misconception_id for m in judged.misconceptions}


INTERPRETABILITY = ("Interpretability means a person can understand why a model made a prediction. Linear regression "
                    "shows it through its coefficients and a decision tree through its if-then rules, so they need "
                    "no extra tools. For black boxes I use SHAP and LIME.")


def test_the_evidence_quoted_is_the_sentence_that_states_the_point(grader: Grader, bundled_bank) -> None:
    # Issue 13: a definition sentence was quoted for "intrinsically interpretable models" while the sentence
    # naming linear models and trees was right there.
    concepts = by_id(grader.grade(bundled_bank["q13"], INTERPRETABILITY))
    intrinsic = concepts["intrinsic-models"]
    assert intrinsic.status == "covered" and intrinsic.evidence is not None
    assert intrinsic.evidence.text.startswith("Linear regression shows it")
    assert concepts["definition"].evidence.text.startswith("Interpretability means")
    # Naming SHAP touches that point at most; whatever credit it gets is quoted from that sentence.
    assert concepts["shap"].status != "covered"
    assert concepts["shap"].evidence is None or concepts["shap"].evidence.text == "For black boxes I use SHAP and LIME."


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): the sixth stance model reads the definition sentence "
                   "('a person can understand why a model made a prediction') as touching LIME (partial 0.91, "
                   "against 0.81 for 'I use SHAP and LIME'), so the definition is quoted for LIME")
def test_naming_lime_is_quoted_for_lime(grader: Grader, bundled_bank) -> None:
    lime = by_id(grader.grade(bundled_bank["q13"], INTERPRETABILITY))["lime"]
    assert lime.evidence is None or lime.evidence.text == "For black boxes I use SHAP and LIME."


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): the sixth stance model reads the bare example "
                   "as contradicting the preprocessing statement (0.99), so the definition sentence is quoted for it")
def test_the_example_is_quoted_for_the_point_it_illustrates(grader: Grader, bundled_bank) -> None:
    answer = ("Data leakage is when information from outside the training data is used to build the model. "
              "For example, fitting the scalar on all the data before splitting it into train and test sets.")
    point = by_id(grader.grade(bundled_bank["q03"], answer))["preprocessing-leak"]
    assert point.evidence is not None and "before splitting" in point.evidence.text


def test_the_headline_never_contradicts_the_checklist(grader: Grader, bundled_bank) -> None:
    rubric = bundled_bank["q03"]
    answer = ("Leakage is a huge topic and a big risk in every project. It happens a lot in practice and teams must "
              "be careful. I have seen it many times and it is always painful, you know, really painful. "
              "Information from the future can get into the model.")
    grade = grader.grade(rubric, answer)
    covered = len(grade.covered)
    if covered <= len(grade.concepts) / 3:
        assert grade.score < 7.5
    assert f"covered {covered} of {len(grade.concepts)}" in grade.feedback.summary


def test_shuffled_words_and_keyword_salad_earn_no_coverage(grader: Grader, bundled_bank) -> None:
    rubric = bundled_bank["q10"]
    words = rubric.model_answer.split()
    random.Random(5).shuffle(words)
    salad = grader.grade(rubric, " ".join(words))
    keywords = grader.grade(rubric, "standardization min-max robust scaler KNN SVM trees leakage training set "
                                    "gradient descent outliers")
    assert salad.score <= 2.0 and not salad.covered
    assert keywords.score <= 3.0 and not keywords.covered


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): a paraphrase with other examples and terms covers 1 of 6 points")
def test_a_paraphrase_in_other_words_covers_the_points(grader: Grader, bundled_bank) -> None:
    expert = ("Think of a fraud team: a transaction amount in cents next to an account age in days. A nearest-"
              "neighbour model measures distance, so the cents swamp everything unless you bring both onto one "
              "yardstick, for instance z-scores. A gradient-boosted forest doesn't care, because each split only "
              "asks whether a value is above a cut-off, and rescaling never changes the order of values. The "
              "statistics for the rescaling come from the training rows alone, never the evaluation rows.")
    grade = grader.grade(bundled_bank["q10"], expert)
    assert len(grade.covered) >= 3, [(c.concept_id, c.status) for c in grade.concepts]
    assert grade.score >= 6.0


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): the stance model now reads two of its sentences as touching "
                   "key points (partial, p 0.98 and 0.99; the third model read one as a contradiction), but the "
                   "concept model, which leans on token recall, still calls all 6 points missed, so 0.0")
def test_a_short_answer_in_its_own_words_earns_partial_credit(grader: Grader, bundled_bank) -> None:
    answer = ("I would use an ensemble when I need the extra accuracy and can afford the cost, like gradient boosting "
              "on tabular data. A single model is simpler to explain and to serve.")
    grade = grader.grade(bundled_bank["q08"], answer)
    assert [c for c in grade.concepts if c.status != "missed"], [(c.concept_id, c.status) for c in grade.concepts]
    assert grade.score >= 2.0


def test_fluff_scores_low(grader: Grader, bundled_bank) -> None:
    fluff = ("That's a great question and honestly it's so important. I think it really depends on the context and "
             "on the business. Communication with stakeholders is key, and you always want to align with the team "
             "and keep learning. At the end of the day it's about delivering value.")
    for rubric_id in ("q03", "q08", "q12"):
        assert grader.grade(bundled_bank[rubric_id], fluff).score <= 1.5


def test_off_topic_names_the_other_question_by_its_text(grader: Grader, bundled_bank) -> None:
    ab_test = ("I would randomize by user rather than by request, pick a business metric like conversion as the "
               "success metric, run a power analysis to size the experiment, and avoid peeking at the p-value "
               "before the planned end, with guardrail metrics like latency and an automatic rollback.")
    grade = grader.grade(bundled_bank["q10"], ab_test)
    assert not grade.relevance.on_topic
    assert bundled_bank["q04"].question in grade.relevance.reason
    assert "q04" not in grade.feedback.summary
    assert grade.score <= 1.5


def test_the_same_answer_grades_the_same_whatever_the_hash_seed() -> None:
    answer = ("Leakage is when the model sees information it will not have when it predicts. Scaling the whole "
              "dataset before the split leaks test statistics; split first and fit the scaler inside a pipeline.")
    outputs = []
    for seed in ("1", "2"):
        env = {**cli_env(), "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "interviewer", "grade", "--rubric", "q03", "--answer", answer,
                               "--json"], capture_output=True, text=True, env=env, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        grade = json.loads(done.stdout)
        outputs.append((grade["score"], [(c["concept_id"], c["status"]) for c in grade["concepts"]],
                        grade["features"]))
    assert outputs[0] == outputs[1]


# -- found in a new user's trial (2026-12-01): pinned until a better stance model fixes them ------------------
@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): 'information that would not be available at "
                   "prediction time' is read as denying 'check availability at prediction time' (polarity_conflict: "
                   "'not available' against 'available'), though the negation sits in the clause that describes the "
                   "bad thing; a word rule cannot tell it from 'use features that are not available'")
def test_defining_leakage_by_unavailable_information_is_not_a_wrong_claim(grader: Grader, bundled_bank) -> None:
    answer = ("Data leakage is when information that would not be available at prediction time leaks into training, "
              "for example fitting the scaler on the whole dataset before splitting, or using a feature computed "
              "after the outcome. Prevent it by splitting first and fitting preprocessing in a pipeline on the "
              "training fold only, and split time series by time.")
    grade = grader.grade(bundled_bank["q03"], answer)
    assert not [m for m in grade.misconceptions if m.misconception_id.startswith("contradicts:")]


@pytest.mark.xfail(strict=True, reason="known failure (issue 9, open): the stance model reads the sentence as "
                   "contradicting the point (p 0.93, support 0.01), but the concept model covers it by closeness "
                   "and token recall")
def test_saying_a_small_p_value_means_a_large_effect_does_not_cover_effect_size(grader: Grader) -> None:
    from interviewer.locations import bundled_bank_dir
    from interviewer.rubrics import load_bank

    statistics = load_bank(bundled_bank_dir("statistics"))
    answer = ("A p-value is the probability that the null hypothesis is true. So if you get p = 0.03, there is a 3% "
              "chance the null is true and a 97% chance your alternative hypothesis is correct. A small p-value "
              "also tells you the effect is large and important, and if p is above 0.05 it proves there is no "
              "effect at all.")
    grade = Grader(grader.embedder, stance=grader.stance, bank=statistics).grade(statistics["stat01"], answer)
    assert {c.concept_id: c for c in grade.concepts}["effect-size"].status != "covered"


def test_the_textbook_p_value_definition_is_not_the_misconception_it_shares_words_with(real_embedder,
                                                                                       real_stance) -> None:
    """A new user's trial: the definition, with "assuming the null hypothesis is true" as a parenthetical, was
    flagged as "the p-value is the probability that the null hypothesis is true" (-3.0) through that claim's cue
    "probability the null hypothesis is true", whose words it matched across the comma."""
    from interviewer.locations import bundled_bank_dir
    from interviewer.rubrics import load_bank

    statistics = load_bank(bundled_bank_dir("statistics"))
    grade = Grader(real_embedder, stance=real_stance, bank=statistics).grade(statistics["stat01"], (
        "A p-value is the probability, assuming the null hypothesis is true, of seeing data at least as extreme as "
        "what we observed. We compare it to a significance level alpha chosen in advance, like 0.05, and reject the "
        "null if p is below it."))
    assert "p-is-prob-null" not in [m.misconception_id for m in grade.misconceptions]
    assert by_id(grade)["definition"].status == "covered"


def test_a_bullet_read_as_stating_every_point_is_not_quoted_for_every_point(real_embedder, real_stance) -> None:
    """A new user's trial: the stance model reads the Bonferroni bullet as stating all five points of stat03
    (p 0.99 each), and the quote went to the highest p(support), so that bullet was quoted for all five. Among
    the sentences that state a point, the closest in meaning is quoted."""
    from interviewer.locations import bundled_bank_dir
    from interviewer.rubrics import load_bank

    statistics = load_bank(bundled_bank_dir("statistics"))
    grade = Grader(real_embedder, stance=real_stance, bank=statistics).grade(statistics["stat03"], (
        "- many tests at alpha 0.05 -> P(at least one false positive) grows fast\n"
        "- Bonferroni: divide alpha by number of tests, controls FWER, conservative\n"
        "- Benjamini-Hochberg: controls FDR, more power\n"
        "- choose by cost of errors"))
    quotes = {c.concept_id: c.evidence.text for c in grade.concepts if c.evidence is not None}
    assert len(set(quotes.values())) >= 2
    accumulate = next(c.id for c in statistics["stat03"].concepts if c.label.startswith("False positives"))
    assert quotes[accumulate].startswith("- many tests")
