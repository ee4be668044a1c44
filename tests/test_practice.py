from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from interviewer.errors import InputError, ModelNotAvailableError
from interviewer.background import BackgroundGrader
from interviewer.practice import choose_questions, run_round
from interviewer.rubrics import load_bank
from interviewer.scoring.grader import Grader

from .conftest import HashingEmbedder


def test_choose_questions(fixture_bank: Path) -> None:
    bank = load_bank(fixture_bank)
    assert [r.id for r in choose_questions(bank, ["scaling", "leakage"], None, None)] == ["scaling", "leakage"]
    assert len(choose_questions(bank, None, 5, seed=1)) == 2
    assert choose_questions(bank, None, 1, seed=3) == choose_questions(bank, None, 1, seed=3)
    with pytest.raises(InputError, match="--count"):
        choose_questions(bank, None, 0, None)


def test_a_typed_round_grades_and_logs_every_answer(fixture_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(fixture_bank)
    stdin = io.StringIO(
        "Feature scaling puts features on comparable ranges.\nTree models do not need scaling.\n\n"
        "\n"  # second question: an empty answer
    )
    stdout = io.StringIO()
    log = tmp_path / "log.jsonl"
    turns = run_round([bank["scaling"], bank["leakage"]], BackgroundGrader(lambda: Grader(HashingEmbedder())),
                      stdin, stdout, log)
    text = stdout.getvalue()
    assert "Question 1/2 (scaling): How do you approach feature scaling" in text
    assert [t.answer for t in turns] == [
        "Feature scaling puts features on comparable ranges.\nTree models do not need scaling.", ""]
    assert turns[0].grade.score > 0 and turns[1].grade.score == 0
    assert "Round summary:" in text and "Mean:" in text
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    # each answer is written before grading, then its score as a separate event of the same turn
    assert [(r["rubric"], r["event"], r["turn"]) for r in logged] == [
        ("scaling", "answer", 1), ("scaling", "grade", 1), ("leakage", "answer", 2), ("leakage", "grade", 2)]
    assert logged[0]["answer"].startswith("Feature scaling") and logged[1]["score"] > 0


def test_end_of_input_ends_the_round(fixture_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(fixture_bank)
    stdout = io.StringIO()
    turns = run_round([bank["scaling"]], BackgroundGrader(lambda: Grader(HashingEmbedder())), io.StringIO(""),
                      stdout, tmp_path / "log.jsonl")
    assert turns == [] and "Round ended early" in stdout.getvalue()


def test_answer_is_saved_even_if_the_model_fails_to_load(fixture_bank: Path, tmp_path: Path) -> None:
    def broken() -> Grader:
        raise ModelNotAvailableError("no model here")

    bank = load_bank(fixture_bank)
    log = tmp_path / "log.jsonl"
    with pytest.raises(ModelNotAvailableError):
        run_round([bank["scaling"]], BackgroundGrader(broken), io.StringIO("my precious answer\n\n"), io.StringIO(), log)
    assert json.loads(log.read_text())["answer"] == "my precious answer"
