from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.errors import InputError
from interviewer.locations import bundled_bank_dir
from interviewer.rubrics import load_bank
from interviewer.rubrics.derive import derive_rubrics, parse_qa, rank_cues, write_drafts
from interviewer.rubrics.phrases import (
    is_function_word,
    lower_first,
    noun_capable,
    noun_phrase,
    wrong_claim,
)
from interviewer.rubrics.review import review_rubric
from tests.conftest import FIXTURES, REPO


def test_parse_seed_format_skips_preamble_and_trailing_labels() -> None:
    items = parse_qa((FIXTURES / "questions.txt").read_text(), "questions.txt")
    assert [qa.question for qa in items] == ["What is feature scaling?", "What is data leakage?"]
    assert items[1].answer == "Data leakage is when information from outside the training set contaminates the model."


def test_parse_markdown_headings() -> None:
    items = parse_qa((FIXTURES / "questions.md").read_text(), "questions.md")
    assert [qa.question for qa in items] == ["What is feature scaling?", "What is data leakage?"]
    assert items[0].answer.startswith("Feature scaling normalizes")  # "Answer:" prefix dropped


def test_no_questions_is_a_clear_error() -> None:
    with pytest.raises(InputError, match=r"notes.txt: no questions found; expected lines like 'Q1: …'"):
        parse_qa("just some notes\nwithout questions\n", "notes.txt")


def test_question_without_answer(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="has no 'Model Answer:'"):
        parse_qa("Q1: What is X?\nQ2: What is Y?\nModel Answer: Y is y.\n", "qs.txt")


def test_derived_concepts_follow_items_and_sentences(fake_embedder) -> None:
    rubrics = derive_rubrics((FIXTURES / "questions.txt").read_text(), "questions.txt", fake_embedder)
    assert [r.id for r in rubrics] == ["questions-01", "questions-02"]  # the prefix comes from the file's name
    first = rubrics[0]
    labels = [c.label for c in first.concepts]
    assert labels[:3] == ["Feature scaling", "Standardization", "Min-max scaling"]
    assert first.concepts[0].follow_up == "How would you sum up feature scaling in one or two sentences?"
    assert first.concepts[1].follow_up == "What can you tell me about standardization, and why does it matter?"
    assert first.concepts[0].weight == 2.0 and all(c.weight == 1.0 for c in first.concepts[1:])
    assert first.concepts[2].statement == "Min-max scaling — scales to [0,1]. Sensitive to outliers."
    assert all(c.cues for c in first.concepts)
    # "Tree models never need scaling." becomes a misconception draft with the negation removed.
    claims = [m.claim for m in first.misconceptions]
    assert "Tree models need scaling." in claims


def test_rank_cues_prefers_phrases_close_to_the_statement(fake_embedder) -> None:
    cues = rank_cues("fit the scaler on training data", ["training data", "weather", "scaler"], fake_embedder, limit=2)
    assert "weather" not in cues
    assert len(cues) == 2


def test_write_drafts_round_trips_and_refuses_overwrite(tmp_path: Path, fake_embedder) -> None:
    rubrics = derive_rubrics((FIXTURES / "questions.txt").read_text(), "questions.txt", fake_embedder, prefix="q")
    paths = write_drafts(rubrics, tmp_path, "questions.txt")
    assert [p.name for p in paths] == ["q01.yaml", "q02.yaml"]
    assert paths[0].read_text().startswith("# Draft derived by `interviewer rubric derive questions.txt`")
    bank = load_bank(tmp_path)
    assert bank["q01"] == rubrics[0]
    with pytest.raises(InputError, match="already exists; use --force"):
        write_drafts(rubrics, tmp_path, "questions.txt")
    write_drafts(rubrics, tmp_path, "questions.txt", force=True)


def test_derive_the_seed_bank(fake_embedder) -> None:
    seed = REPO.parent / "shared" / "seed" / "practical-ml-questions.txt"
    if not seed.is_file():
        pytest.skip(f"{seed} is not here")
    rubrics = derive_rubrics(seed.read_text(encoding="utf-8"), seed.name, fake_embedder, prefix="q")
    assert [r.id for r in rubrics] == [f"q{n:02d}" for n in range(1, 16)]
    assert all(len(r.concepts) >= 4 for r in rubrics)
    assert "Interview Tip" not in rubrics[-1].model_answer


def _bank_as_seed(name: str) -> str:
    """A bundled bank's questions and model answers in the seed format ("Q1: …" / "Model Answer: …"): the same
    questions the user's seed file holds (the practical-ML bank's model answers are the seed's), from files in
    this repository."""
    bank = load_bank(bundled_bank_dir(name))
    return "\n\n".join(f"Q{n}: {r.question}\nModel Answer: {' '.join(r.model_answer.split())}"
                        for n, r in enumerate(bank.values(), start=1))


@pytest.mark.parametrize("bank", ["practical-ml", "statistics"])
def test_every_draft_is_acceptable_with_light_edits(bank: str) -> None:
    """Issue 13: labels are whole noun phrases (at most six words, never ending in a function word); each
    follow-up is a question about its concept; misconceptions are whole claims with their corrections; a
    progress line per question; ids never collide with a bundled id; ``rubric review`` flags nothing."""
    calls: list[tuple[int, int]] = []
    reserved = {i for name in ("practical-ml", "behavioural", "statistics") for i in load_bank(bundled_bank_dir(name))}
    rubrics = derive_rubrics(_bank_as_seed(bank), f"{bank}-questions.txt", None, reserved=reserved,
                             progress=lambda n, total, _: calls.append((n, total)))
    assert calls == [(n, 15) for n in range(1, 16)]
    assert not {r.id for r in rubrics} & reserved
    for rubric in rubrics:
        for concept in rubric.concepts:
            words = concept.label.split()
            assert 1 <= len(words) <= 6 and not is_function_word(words[-1]), (rubric.id, concept.label)
            assert noun_capable(words[-1].strip("()")), (rubric.id, concept.label)
            assert concept.follow_up.endswith("?") and concept.follow_up.split()[0] in ("How", "What")
            assert lower_first(concept.label) in concept.follow_up  # about its own concept
            assert concept.cues
        for wrong in rubric.misconceptions:
            assert wrong.claim.endswith(".") and len(wrong.claim.split()) >= 4 and wrong.claim[0].isupper()
            assert wrong.correction and wrong.claim != wrong.correction
        assert [p for p in review_rubric(rubric) if p.problems] == [], rubric.id


def test_a_prefix_that_reuses_a_bundled_id_is_refused() -> None:
    text = (FIXTURES / "questions.txt").read_text()
    with pytest.raises(InputError, match="--prefix q: q01, q02 are already a bundled question's id"):
        derive_rubrics(text, "questions.txt", None, prefix="q", reserved={"q01", "q02"})
    assert [r.id for r in derive_rubrics(text, "q.txt", None, reserved={"q-01"})] == ["draft-q-01", "draft-q-02"]


@pytest.mark.parametrize(("sentence", "claim"), [
    ("Never shuffle time series data before splitting.", "It is fine to shuffle time series data before splitting."),
    ("Tree models do not need scaling.", "Tree models need scaling."),
    ("A p-value is not the probability that the null is true.", "A p-value is the probability that the null is true."),
    ("Choose the threshold to match the cost trade-off, not the default of 0.5.", None),  # a contrast: no clean claim
    ("Don't use ML when:", None),
])
def test_wrong_claims_are_whole_sentences(sentence: str, claim: str | None) -> None:
    assert wrong_claim(sentence) == claim


@pytest.mark.parametrize(("sentence", "label"), [
    ("Choose the decision threshold on a validation set.", "Choosing the decision threshold"),
    ("Do not use accuracy as the metric for imbalanced classes.", "Not using accuracy"),
    ("Feature engineering is the process of creating features.", "Feature engineering"),
])
def test_labels_are_noun_phrases(sentence: str, label: str) -> None:
    assert noun_phrase(sentence) == label


def test_review_flags_weak_points(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from interviewer import cli

    text = (FIXTURES / "bank" / "scaling.yaml").read_text()
    text = text.replace("label: What scaling is", "label: Choose the decision threshold on a")
    text = text.replace("follow_up: What does feature scaling do to the features?", "follow_up: Scaling.")
    (tmp_path / "scaling.yaml").write_text(text)
    assert cli.main(["rubric", "review", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "⚠ label cut (ends in 'a')" in out and "⚠ follow-up not a question" in out
    assert "  ⚠ Choose the decision threshold on a\n      cues: comparable ranges" in out
    assert out.rstrip().splitlines()[-1].endswith("flagged in 1 rubric(s); edit them, then `interviewer rubric check`")


def test_cue_candidates_keep_negations() -> None:
    """A cue cut from a negated statement must not say the opposite ("descent does guarantee")."""
    from interviewer.rubrics.derive import candidate_phrases

    phrases = candidate_phrases("Gradient descent does not guarantee a global minimum; trees do not need scaling.")
    assert "does not guarantee" in phrases and "not need scaling" in phrases
    assert not any(p.startswith(("guarantee", "need")) for p in phrases)  # the negated words without their "not"
    assert not any(p.split()[-1] in ("not", "no", "never") for p in phrases)
    assert "descent does guarantee" not in phrases and "gradient descent" in phrases
    contracted = candidate_phrases("Gradient descent doesn't guarantee a global minimum. Trees need no scaling.")
    assert "does not guarantee" in contracted and "guarantee global minimum" not in contracted
    assert "trees need" not in contracted and "need no scaling" in contracted  # "trees need" says the opposite


def test_review_flags_two_points_with_one_label() -> None:
    from interviewer.rubrics import load_rubric

    rubric = load_rubric(FIXTURES / "bank" / "scaling.yaml")
    first, second = rubric.concepts[0], rubric.concepts[1]
    twins = rubric.model_copy(update={"concepts": (first, second.model_copy(update={"label": first.label.upper()}),
                                                   *rubric.concepts[2:])})
    flagged = {p.id: [x for x in p.problems if x.startswith("label same")] for p in review_rubric(twins)}
    assert flagged[first.id] == [f"label same as {second.id}'s"]
    assert flagged[second.id] == [f"label same as {first.id}'s"]
    assert not any(problems for point, problems in flagged.items() if point not in (first.id, second.id))
