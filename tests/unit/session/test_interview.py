"""The round as the domain sees it: store-backed turns, follow-ups graded against one concept, the summary."""

from __future__ import annotations

from pathlib import Path

from interviewer.rubrics import load_bank
from interviewer.scoring.grader import Grader
from interviewer.session.round import Interview, follow_up_rubric
from interviewer.store import Store
from tests.fakes import HashingEmbedder


def test_follow_up_is_graded_against_its_concept(fixture_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(fixture_bank)
    rubric = bank["scaling"]
    grader = Grader(HashingEmbedder())
    interview = Interview.start(Store(tmp_path / "s.db"), [rubric], bank_name="fixture")
    turn = interview.turns[0]
    interview.submit(turn, "I would just train the model.")
    interview.record_grade(turn, grader.grade(rubric, turn.answer or ""))
    asked = interview.follow_up_for(turn)
    assert asked is not None
    concept_id, question = asked
    concept = rubric.concept(concept_id)
    assert question == concept.follow_up and concept.weight == max(c.weight for c in rubric.concepts)
    sub = follow_up_rubric(rubric, concept_id)
    assert [c.id for c in sub.concepts] == [concept_id] and sub.question == concept.follow_up
    follow = interview.submit_follow_up(turn, concept_id, question, concept.statement)
    interview.record_follow_up_grade(follow, grader.grade(sub, concept.statement))
    assert interview.follow_up_for(turn) != asked  # the next follow-up is about another concept
    stored = Store(tmp_path / "s.db").session(interview.session_id).questions[0].answer
    assert stored is not None and stored.follow_ups[0].score is not None and stored.follow_ups[0].score > 5


def test_summary_names_scores_strengths_and_what_to_practise(fixture_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(fixture_bank)
    grader = Grader(HashingEmbedder())
    interview = Interview.start(Store(tmp_path / "s.db"), [bank["scaling"], bank["leakage"]], bank_name="fixture")
    good = bank["scaling"].model_answer
    for turn, text in zip(interview.turns, (good, "no idea")):
        interview.submit(turn, text)
        interview.record_grade(turn, grader.grade(turn.rubric, text))
    summary = interview.summary()
    assert [s[0] for s in summary.scores] == ["scaling", "leakage"]
    assert summary.scores[0][2] > summary.scores[1][2]
    assert summary.strongest and all(c.rubric_id == "scaling" for c in summary.strongest[:1])
    assert any("leakage" in item for item in summary.practise_next)


def test_an_answer_the_database_refuses_is_kept_in_a_rescue_file(fixture_bank: Path, tmp_path: Path) -> None:
    import json
    import sqlite3

    import pytest

    from interviewer.errors import InterviewerError

    bank = load_bank(fixture_bank)
    interview = Interview.start(Store(tmp_path / "s.db"), [bank["scaling"]], bank_name="fixture")
    blocker = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    interview.store._db.execute("PRAGMA busy_timeout = 100")  # fail fast instead of waiting 5 s
    try:
        with pytest.raises(InterviewerError, match="locked.*Your answer was kept in .*unsaved-answers.jsonl"):
            interview.submit(interview.turns[0], "an answer typed for ten minutes")
    finally:
        blocker.execute("ROLLBACK")
    kept = json.loads((tmp_path / "unsaved-answers.jsonl").read_text())
    assert kept["answer"] == "an answer typed for ten minutes" and kept["rubric"] == "scaling"
    assert not interview.turns[0].answered


def test_the_round_summary_and_the_report_advise_the_same(fixture_bank: Path, tmp_path: Path) -> None:
    from interviewer.reports import session_report

    bank = load_bank(fixture_bank)
    grader = Grader(HashingEmbedder())
    interview = Interview.start(Store(tmp_path / "s.db"), [bank["scaling"], bank["leakage"]], bank_name="fixture")
    for turn, text in zip(interview.turns, ("I guess it depends.", "no idea")):
        interview.submit(turn, text)
        interview.record_grade(turn, grader.grade(turn.rubric, text))
    report = session_report(interview.store.session(interview.session_id), bank)
    assert interview.summary().practise_next == report.practise_next
    assert report.practise_next[-2:] == tuple(  # the two low scores, lowest first
        f"re-answer: {t.rubric.question} ({t.rubric.id})" for t in sorted(interview.turns, key=lambda t: t.score or 0))
