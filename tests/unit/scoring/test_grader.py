from __future__ import annotations

import json

import pytest

from interviewer.scoring.calibration import Calibration, CalibrationSet
from interviewer.scoring.grader import Grader
from interviewer.scoring.stance import SimilarityStance
from tests.fakes import HashingEmbedder

STRONG = (
    "Feature scaling puts features on comparable ranges. Standardization subtracts the mean and divides by the "
    "standard deviation. Distance-based models such as KNN and SVM need scaling. Tree models do not need scaling "
    "because they split on thresholds. Fit the scaler on the training data only."
)
UNRELATED = "I enjoy hiking in the mountains with my dog on weekends."


@pytest.fixture
def grader(fake_embedder) -> Grader:
    return Grader(fake_embedder)


def test_strong_answer_covers_every_concept_with_evidence(grader: Grader, scaling_rubric) -> None:
    grade = grader.grade(scaling_rubric, STRONG)
    assert [c.status for c in grade.concepts] == ["covered"] * 5
    for concept in grade.concepts:
        assert concept.evidence is not None
        assert STRONG[concept.evidence.start : concept.evidence.end] == concept.evidence.text
    trees = grade.concepts[3]
    assert trees.evidence.text.startswith("Tree models do not need scaling")
    assert grade.score >= 8.0
    assert grade.feedback.follow_up is None
    assert grade.similarity.f1 > 0.9


def test_unrelated_answer_scores_low_and_asks_the_core_follow_up(grader: Grader, scaling_rubric) -> None:
    grade = grader.grade(scaling_rubric, UNRELATED)
    assert all(c.status == "missed" for c in grade.concepts)
    assert grade.score <= 1.0
    assert grade.feedback.follow_up == "What does feature scaling do to the features?"  # highest weight first
    assert "Feature scaling puts features on comparable ranges." in grade.feedback.missing[0]


def test_partial_answer_lands_between(grader: Grader, scaling_rubric) -> None:
    strong = grader.grade(scaling_rubric, STRONG).score
    unrelated = grader.grade(scaling_rubric, UNRELATED).score
    partial = grader.grade(scaling_rubric, "Scaling puts features on comparable ranges, for KNN.").score
    assert unrelated < partial < strong


def test_a_cue_phrase_is_looked_at_but_naming_is_not_stating(fake_embedder, scaling_rubric) -> None:
    asked: list[tuple[str, str]] = []

    class Recording(SimilarityStance):
        def predict(self, pairs):  # type: ignore[no-untyped-def]
            asked.extend(pairs)
            return super().predict(pairs)

    grade = Grader(fake_embedder, stance=Recording(fake_embedder)).grade(scaling_rubric, "Use a random forest.")
    trees = {c.concept_id: c for c in grade.concepts}["trees"]
    assert trees.cues_matched == ("random forest",)
    assert ("Use a random forest.", scaling_rubric.concept("trees").statement) in asked  # the cue made it a candidate
    assert trees.status != "covered"  # ... and naming it is not stating it (at most partial)


@pytest.mark.parametrize("answer", ["", "   \n\t ", "..."])
def test_empty_answer_scores_zero(grader: Grader, scaling_rubric, answer: str) -> None:
    grade = grader.grade(scaling_rubric, answer)
    assert grade.score == 0.0
    assert grade.feedback.summary == "No answer given."
    assert "no answer given" in grade.warnings
    assert grade.word_count == 0


def test_huge_answer_is_truncated_with_a_warning(fake_embedder, scaling_rubric) -> None:
    grader = Grader(fake_embedder, max_answer_words=50)
    grade = grader.grade(scaling_rubric, STRONG + " more" * 200)
    assert grade.word_count == 50
    assert any("over 50 words" in w for w in grade.warnings)


def test_grade_many_matches_grade_and_batches_encoding(fake_embedder, scaling_rubric) -> None:
    grader = Grader(fake_embedder, stance=SimilarityStance(HashingEmbedder()))
    grader.prepare(scaling_rubric)
    calls = fake_embedder.calls
    batch = grader.grade_many([(scaling_rubric, STRONG), (scaling_rubric, UNRELATED), (scaling_rubric, "")])
    assert fake_embedder.calls == calls + 1
    single = [grader.grade(scaling_rubric, a) for a in (STRONG, UNRELATED, "")]
    assert [g.score for g in batch] == [g.score for g in single]


def test_rubric_embeddings_are_cached(fake_embedder, scaling_rubric) -> None:
    grader = Grader(fake_embedder, stance=SimilarityStance(HashingEmbedder()))
    grader.grade(scaling_rubric, STRONG)
    calls = fake_embedder.calls
    grader.grade(scaling_rubric, STRONG)
    assert fake_embedder.calls == calls + 1  # only the answer


def test_result_is_json_ready(grader: Grader, scaling_rubric) -> None:
    data = json.loads(json.dumps(grader.grade(scaling_rubric, STRONG).to_dict()))
    assert data["rubric_id"] == "scaling"
    assert set(data) >= {"score", "concepts", "similarity", "feedback", "features", "misconceptions", "relevance"}
    assert data["concepts"][0]["evidence"]["text"]


def test_score_comes_from_the_calibration(fake_embedder, scaling_rubric) -> None:
    everything = CalibrationSet({"rubric": Calibration({"coverage": 0.0}, intercept=4.2)})
    assert Grader(fake_embedder, everything).grade(scaling_rubric, STRONG).score == 4.2
    clipped = CalibrationSet({"rubric": Calibration({"coverage": 100.0}, intercept=0.0)})
    assert Grader(fake_embedder, clipped).grade(scaling_rubric, STRONG).score == 10.0


def test_repeating_a_sentence_does_not_count_as_saying_more(grader: Grader, scaling_rubric) -> None:
    once = grader.grade(scaling_rubric, "Feature scaling puts features on comparable ranges.")
    many = grader.grade(scaling_rubric, " ".join(["Feature scaling puts features on comparable ranges."] * 20))
    assert many.features["log_words"] == once.features["log_words"]
    assert many.score == once.score


def test_evidence_spans_index_the_answer_as_given(grader: Grader, scaling_rubric) -> None:
    answer = "\n\n   " + STRONG
    for concept in grader.grade(scaling_rubric, answer).concepts:
        assert concept.evidence is not None
        assert answer[concept.evidence.start : concept.evidence.end] == concept.evidence.text


def test_a_damaged_embedding_cache_is_rebuilt(fake_embedder, scaling_rubric, tmp_path) -> None:
    first = Grader(fake_embedder, cache_dir=tmp_path).grade(scaling_rubric, STRONG)
    [cached] = list((tmp_path / "rubric-embeddings").glob("*.npz"))
    cached.write_bytes(b"PK\x03\x04 truncated")
    again = Grader(fake_embedder, cache_dir=tmp_path).grade(scaling_rubric, STRONG)
    assert again.score == first.score
    assert cached.stat().st_size > 100  # rewritten whole


def test_next_time_names_the_points_by_their_labels(fake_embedder, bundled_bank) -> None:
    """Quoted as the checklist shows them, so a claim label reads as well as a noun phrase ("also cover
    Bonferroni is conservative" did not), and "SHAP values" keeps its capitals."""
    grade = Grader(fake_embedder).grade(bundled_bank["q13"], "Interpretability matters in lending.")
    labels = {c.label for c in grade.concepts if c.status != "covered"}
    assert "SHAP values" in labels and "“SHAP values”" in grade.feedback.next_time
    import re

    covered = any(c.status == "covered" for c in grade.concepts)
    # "also" only beside something covered: "Next time, cover …" after an answer that covered nothing
    assert grade.feedback.next_time.startswith("Next time, also cover “" if covered else "Next time, cover “")
    names = re.findall(r"“([^”]*)”", grade.feedback.next_time)
    assert len(names) == 3 and set(names) <= labels


def test_a_correction_inside_a_sentence_starts_lower_case_unless_an_acronym() -> None:
    from interviewer.rubrics.phrases import lower_first

    assert lower_first("A p-value is computed assuming the null") == "a p-value is computed assuming the null"
    assert lower_first("SHAP values explain one prediction") == "SHAP values explain one prediction"
    for kept in ("H0 is rejected at 5%", "R² measures explained variance", "P(A|B) is not P(B|A)", "A/B tests"):
        assert lower_first(kept) == kept


def test_a_warning_the_summary_already_says_is_not_repeated(grader: Grader, scaling_rubric) -> None:
    empty = grader.grade(scaling_rubric, "")
    assert "no answer given" in empty.warnings and empty.unsaid_warnings == ()
    assert "No answer given." in empty.feedback.summary
