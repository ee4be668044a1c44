from __future__ import annotations

import io
from pathlib import Path

import pytest

from interviewer.cli.background import BackgroundGrader
from interviewer.cli.practice import choose_questions, run_round
from interviewer.errors import InputError, ModelNotAvailableError
from interviewer.rubrics import load_bank
from interviewer.scoring.grader import Grader
from interviewer.session.round import Interview
from interviewer.store import Store
from tests.fakes import HashingEmbedder


def test_choose_questions(fixture_bank: Path) -> None:
    bank = load_bank(fixture_bank)
    assert [r.id for r in choose_questions(bank, ["scaling", "leakage"], None, None)] == ["scaling", "leakage"]
    assert len(choose_questions(bank, None, 5, seed=1)) == 2
    assert choose_questions(bank, None, 1, seed=3) == choose_questions(bank, None, 1, seed=3)
    with pytest.raises(InputError, match="--count"):
        choose_questions(bank, None, 0, None)


def _interview(tmp_path: Path, bank, ids: list[str]) -> Interview:  # type: ignore[no-untyped-def]
    return Interview.start(Store(tmp_path / "s.db"), [bank[i] for i in ids], bank_name="fixture")


def test_a_typed_round_grades_and_stores_every_answer(fixture_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(fixture_bank)
    stdin = io.StringIO(
        "Feature scaling puts features on comparable ranges.\nTree models do not need scaling.\n\n"
        "\n"  # second question: an empty answer
    )
    stdout = io.StringIO()
    interview = _interview(tmp_path, bank, ["scaling", "leakage"])
    turns = run_round(interview, BackgroundGrader(lambda: Grader(HashingEmbedder())), stdin, stdout)
    text = stdout.getvalue()
    assert "Question 1/2 (scaling): How do you approach feature scaling" in text
    assert [t.answer for t in turns] == [
        "Feature scaling puts features on comparable ranges.\nTree models do not need scaling."]
    assert turns[0].score > 0 and "Skipped: nothing is saved or scored" in text
    assert "Round summary:" in text and "Mean:" in text and "leakage    –  /10" in text
    stored = Store(tmp_path / "s.db").session(interview.session_id)
    assert stored.finished_at is not None and [q.rubric_id for q in stored.remaining] == ["leakage"]
    assert stored.mean_score == turns[0].score  # the skipped question does not count as a 0
    assert [q.answer.text for q in stored.questions if q.answer] == [t.answer for t in turns]
    assert stored.questions[0].answer and stored.questions[0].answer.grade.score == turns[0].score


def test_end_of_input_ends_the_round_and_it_can_be_resumed(fixture_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(fixture_bank)
    stdout = io.StringIO()
    interview = _interview(tmp_path, bank, ["scaling", "leakage"])
    grader = BackgroundGrader(lambda: Grader(HashingEmbedder()))
    turns = run_round(interview, grader, io.StringIO("scaling matters for distances\n"), stdout)
    assert len(turns) == 1 and f"interviewer resume {interview.session_id}" in stdout.getvalue()
    resumed = Interview.resume(Store(tmp_path / "s.db"), bank, interview.session_id)
    assert [t.rubric.id for t in resumed.pending] == ["leakage"]
    assert resumed.turns[0].answer == "scaling matters for distances" and resumed.turns[0].score is not None
    stdout = io.StringIO()
    run_round(resumed, grader, io.StringIO("fit the scaler on the training split only\n\n"), stdout)
    assert "Resuming session" in stdout.getvalue() and "Question 2/2 (leakage)" in stdout.getvalue()
    assert Store(tmp_path / "s.db").session(interview.session_id).finished_at is not None


def test_answer_is_saved_even_if_the_model_fails_to_load(fixture_bank: Path, tmp_path: Path) -> None:
    def broken() -> Grader:
        raise ModelNotAvailableError("no model here")

    bank = load_bank(fixture_bank)
    interview = _interview(tmp_path, bank, ["scaling"])
    with pytest.raises(ModelNotAvailableError):
        run_round(interview, BackgroundGrader(broken), io.StringIO("my precious answer\n\n"), io.StringIO())
    stored = Store(tmp_path / "s.db").session(interview.session_id)
    assert [a.text for a in stored.ungraded] == ["my precious answer"] and stored.finished_at is None
    resumed = Interview.resume(Store(tmp_path / "s.db"), bank, interview.session_id)
    run_round(resumed, BackgroundGrader(lambda: Grader(HashingEmbedder())), io.StringIO(""), io.StringIO())
    assert Store(tmp_path / "s.db").session(interview.session_id).ungraded == ()


def test_a_round_with_nothing_answered_leaves_no_session(fixture_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(fixture_bank)
    grader = BackgroundGrader(lambda: Grader(HashingEmbedder()))
    for stdin, message in (("", "Round ended before any answer"), ("\n\n", "No answers given")):
        stdout = io.StringIO()
        assert run_round(_interview(tmp_path, bank, ["scaling", "leakage"]), grader, io.StringIO(stdin), stdout) == []
        assert message in stdout.getvalue() and "nothing was saved" in stdout.getvalue()
    assert Store(tmp_path / "s.db").sessions() == []


def test_resume_grades_a_follow_up_saved_before_the_process_died(fixture_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(fixture_bank)
    grader = BackgroundGrader(lambda: Grader(HashingEmbedder()))
    interview = _interview(tmp_path, bank, ["scaling", "leakage"])
    turn = interview.turns[0]
    interview.submit(turn, "I would just train it.")
    interview.record_grade(turn, grader.get().grade(turn.rubric, "I would just train it."))
    concept_id, question = interview.follow_up_for(turn) or ("", "")
    interview.submit_follow_up(turn, concept_id, question, turn.rubric.concept(concept_id).statement)  # then killed
    resumed = Interview.resume(Store(tmp_path / "s.db"), bank, interview.session_id)
    assert len(resumed.ungraded_follow_ups) == 1
    stdout = io.StringIO()
    run_round(resumed, grader, io.StringIO(""), stdout)
    assert "Grading your saved follow-up answer" in stdout.getvalue() and "Resuming session" in stdout.getvalue()
    stored = Store(tmp_path / "s.db").session(interview.session_id).questions[0].answer
    assert stored is not None and stored.follow_ups[0].score is not None
