"""Follow-ups count (issue 12, item 7): a concept missed in the answer but covered in its follow-up is
"recovered in follow-up" in the round summary, the history, the drill and the reports, never "weakest" or
"practise next"; a follow-up that does not cover it changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.cli.practice import render_summary
from interviewer.reports import get_writer, session_report
from interviewer.rubrics import load_bank
from interviewer.scoring.grader import Grader
from interviewer.session.history import CREDIT, concept_progress, drill
from interviewer.session.round import Interview, follow_up_rubric
from interviewer.store import Store
from interviewer.tui.screens.summary import summary_text
from tests.fakes import HashingEmbedder
from tests.report_support import WEAK_LEAKAGE

DEFINITION = "Data leakage is when information from outside the training set reaches the model."


def _round(bank_dir: Path, db: Path, follow_up: str) -> tuple[Interview, Store]:
    """Leakage answered weakly (its definition missed), then the definition's follow-up answered."""
    bank = load_bank(bank_dir)
    grader = Grader(HashingEmbedder())
    store = Store(db)
    interview = Interview.start(store, [bank["leakage"]], bank_name=str(bank_dir))
    turn = interview.turns[0]
    interview.submit(turn, WEAK_LEAKAGE)
    interview.record_grade(turn, grader.grade(turn.rubric, WEAK_LEAKAGE))
    assert dict((c.concept_id, c.status) for c in turn.grade.concepts)["definition"] == "missed"  # type: ignore[union-attr]
    follow = interview.submit_follow_up(turn, "definition", "How would you define data leakage?", follow_up)
    interview.record_follow_up_grade(follow, grader.grade(follow_up_rubric(turn.rubric, "definition"), follow_up))
    interview.finish()
    return interview, store


@pytest.mark.parametrize("covered", [True, False])
def test_a_concept_covered_in_its_follow_up_is_recovered_everywhere(fixture_bank: Path, tmp_path: Path,
                                                                    covered: bool, capsys) -> None:  # type: ignore[no-untyped-def]
    interview, store = _round(fixture_bank, tmp_path / "s.db", DEFINITION if covered else "I am not sure.")
    with store:
        summary = interview.summary()
        assert ("Definition" in [t.label for t in summary.recovered]) is covered
        assert ("Definition" in [t.label for t in summary.weakest]) is not covered
        assert any("Definition" in p for p in summary.practise_next) is not covered
        assert ("Recovered in follow-up\n ↻ Definition" in summary_text(summary).plain) is covered
        assert ("Recovered in follow-up: Definition (leakage)" in render_summary(summary)) is covered

        progress = {p.concept_id: p for p in concept_progress(store)}
        assert progress["definition"].statuses == (("recovered",) if covered else ("missed",))
        assert progress["definition"].recent_credit == (CREDIT["recovered"] if covered else 0.0)
        assert progress["definition"].tally() == ("0/1 +1↻" if covered else "0/1")  # the app's history column
        from interviewer.cli.session_commands import _print_concepts

        _print_concepts(store)
        line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("Definition"))
        assert line.endswith("0/1 covered, 1 in a follow-up" if covered else "0/1 covered")
        (pick,) = drill(store, load_bank(fixture_bank), 1)
        assert ("Definition" in pick.weak_concepts) is not covered

        report = session_report(store.session(interview.session_id), load_bank(fixture_bank))
    (item,) = report.items
    assert ("Definition" in [c.label for c in item.recovered]) is covered
    assert any("Definition" in p for p in report.practise_next) is not covered
    markdown = get_writer("md").render(report)
    assert ("↻ **Definition** (missed, recovered in follow-up)" in markdown) is covered
    # the summary table's counts add up to the question's points, the recovered one among the covered
    assert len(item.covered) + len(item.recovered) + len(item.partial) + len(item.missed) == len(item.concepts)
    assert (f"| {len(item.covered)} + 1 in follow-up | " in markdown) is covered
    html = get_writer("html").render(report)
    assert (f">{len(item.covered)} + 1 in follow-up / {len(item.partial)} / {len(item.missed)}<" in html) is covered
    data = json.loads(get_writer("json").render(report))
    assert [c["recovered"] for c in data["items"][0]["concepts"] if c["concept_id"] == "definition"] == [covered]


def test_a_follow_up_grade_that_cannot_be_read_recovers_nothing(fixture_bank: Path, tmp_path: Path) -> None:
    interview, store = _round(fixture_bank, tmp_path / "s.db", DEFINITION)
    with store:
        store._db.execute("UPDATE follow_ups SET grade = '{broken'")  # noqa: SLF001  (a damaged row)
        store._db.commit()  # noqa: SLF001
        progress = {p.concept_id: p for p in concept_progress(store)}
    assert progress["definition"].statuses == ("missed",)
