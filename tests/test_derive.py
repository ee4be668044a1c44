from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.errors import InputError
from interviewer.rubrics import load_bank
from interviewer.rubrics.derive import derive_rubrics, parse_qa, rank_cues, write_drafts

FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
    assert [r.id for r in rubrics] == ["q01", "q02"]
    first = rubrics[0]
    labels = [c.label for c in first.concepts]
    assert labels[:3] == ["Feature scaling normalizes features to comparable", "Standardization", "Min-max scaling"]
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
    rubrics = derive_rubrics((FIXTURES / "questions.txt").read_text(), "questions.txt", fake_embedder)
    paths = write_drafts(rubrics, tmp_path, "questions.txt")
    assert [p.name for p in paths] == ["q01.yaml", "q02.yaml"]
    assert paths[0].read_text().startswith("# Draft derived by `interviewer rubric derive questions.txt`")
    bank = load_bank(tmp_path)
    assert bank["q01"] == rubrics[0]
    with pytest.raises(InputError, match="already exists; use --force"):
        write_drafts(rubrics, tmp_path, "questions.txt")
    write_drafts(rubrics, tmp_path, "questions.txt", force=True)


def test_derive_the_seed_bank(fake_embedder) -> None:
    seed = Path(__file__).resolve().parents[2] / "shared" / "seed" / "practical-ml-questions.txt"
    if not seed.is_file():
        pytest.skip(f"{seed} is not here")
    rubrics = derive_rubrics(seed.read_text(encoding="utf-8"), seed.name, fake_embedder)
    assert [r.id for r in rubrics] == [f"q{n:02d}" for n in range(1, 16)]
    assert all(len(r.concepts) >= 4 for r in rubrics)
    assert "Interview Tip" not in rubrics[-1].model_answer
