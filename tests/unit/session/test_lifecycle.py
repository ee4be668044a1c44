"""One answer lifecycle (``session.lifecycle``): submit → saved → graded → recorded, failures as values; the
store hands grades back typed (``Grade.from_dict``), so a resumed answer offers follow-ups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.errors import InterviewerError
from interviewer.rubrics import load_bank
from interviewer.scoring.grader import Grader
from interviewer.scoring.result import Grade
from interviewer.session import lifecycle
from interviewer.session.round import Interview
from interviewer.store import Store
from tests.fakes import HashingEmbedder

WEAK = "I would just train the model."


def test_grade_from_dict_round_trips_and_fills_what_old_grades_lack(fixture_bank: Path) -> None:
    rubric = load_bank(fixture_bank)["scaling"]
    grade = Grader(HashingEmbedder()).grade(rubric, "Scale the features; trees need scaling. Fit it on all data.")
    assert Grade.from_dict(json.loads(json.dumps(grade.to_dict()))) == grade
    old = Grade.from_dict({"score": 6, "concepts": [{"concept_id": "a", "label": "A", "status": "covered"}]})
    assert old.score == 6.0 and old.concepts[0].evidence is None and old.misconceptions == () and old.breakdown is None
    with pytest.raises(ValueError, match=r"grade\.concepts"):
        Grade.from_dict({"score": 1, "concepts": {"not": "a list"}})


def test_the_lifecycle_of_an_answer_and_a_follow_up(fixture_bank: Path, tmp_path: Path) -> None:
    rubric = load_bank(fixture_bank)["scaling"]
    grader = Grader(HashingEmbedder())
    interview = Interview.start(Store(tmp_path / "s.db"), [rubric], bank_name="fixture")
    turn = interview.turns[0]
    saved = lifecycle.submit_answer(interview, turn, WEAK)
    assert isinstance(saved, lifecycle.Saved) and saved.answer.rubric is rubric and saved.answer.text == WEAK
    recorded = saved.answer.grade_and_record(lambda: grader)
    assert isinstance(recorded, lifecycle.Recorded) and turn.grade == recorded.grade
    asked = interview.follow_up_for(turn)
    assert asked is not None
    follow = lifecycle.submit_follow_up(interview, turn, asked[0], asked[1], rubric.concept(asked[0]).statement)
    assert isinstance(follow, lifecycle.Saved)
    assert [c.id for c in follow.answer.rubric.concepts] == [asked[0]]  # graded against the one concept
    assert isinstance(follow.answer.grade_and_record(lambda: grader), lifecycle.Recorded)
    assert turn.follow_ups[0].grade is not None and turn.follow_ups[0].grade.score > 5


def test_failures_are_values_and_the_answer_stays_saved(fixture_bank: Path, tmp_path: Path) -> None:
    rubric = load_bank(fixture_bank)["scaling"]
    store = Store(tmp_path / "s.db")
    interview = Interview.start(store, [rubric], bank_name="fixture")
    saved = lifecycle.submit_answer(interview, interview.turns[0], WEAK)
    assert isinstance(saved, lifecycle.Saved)

    def no_model() -> Grader:
        raise InterviewerError("the grading model did not load")

    failed = saved.answer.grade(no_model)
    assert isinstance(failed, lifecycle.GradingFailed) and failed.message == "the grading model did not load"
    graded = saved.answer.grade(lambda: Grader(HashingEmbedder()))
    assert isinstance(graded, lifecycle.Graded)
    store.close()  # the store refuses the grade now
    refused = saved.answer.record(graded.grade)
    assert isinstance(refused, lifecycle.GradeNotSaved) and "your answer is safe" in refused.message
    assert interview.turns[0].grade is None and interview.turns[0].answered
    not_saved = lifecycle.submit_answer(interview, interview.turns[0], "again")
    assert isinstance(not_saved, lifecycle.NotSaved) and "was kept in" in not_saved.message


def test_a_resumed_answer_is_typed_and_offers_follow_ups(fixture_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(fixture_bank)
    grader = Grader(HashingEmbedder())
    with Store(tmp_path / "s.db") as store:
        interview = Interview.start(store, [bank["scaling"], bank["leakage"]], bank_name=str(fixture_bank))
        first = lifecycle.submit_answer(interview, interview.turns[0], WEAK)
        assert isinstance(first, lifecycle.Saved)
        assert isinstance(first.answer.grade_and_record(lambda: grader), lifecycle.Recorded)
        lifecycle.submit_answer(interview, interview.turns[1], "Leakage is test data in training.")  # never graded
    with Store(tmp_path / "s.db") as store:
        resumed = Interview.resume(store, bank, interview.session_id)
        turn = resumed.turns[0]
        assert isinstance(turn.grade, Grade) and turn.grade == interview.turns[0].grade
        assert resumed.follow_up_for(turn) == interview.follow_up_for(interview.turns[0]) is not None
        assert [(s.turn.position, s.follow) for s in lifecycle.saved_answers(resumed)] == [(2, None)]
