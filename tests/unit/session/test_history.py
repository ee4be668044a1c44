"""History across sessions: mean scores and trend, progress per concept, and the drill."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.errors import InputError
from interviewer.rubrics import load_bank
from interviewer.rubrics.loader import Bank
from interviewer.session.history import (
    SessionLine,
    bank_trends,
    concept_progress,
    drill,
    session_lines,
    sparkline,
)
from interviewer.store import Store
from tests.report_support import GOOD_SCALING, WEAK_LEAKAGE, graded_session

pytestmark = pytest.mark.usefixtures("fake_cli_grader")  # every command grades with the HashingEmbedder


@pytest.fixture
def three_sessions(fixture_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Weak, then better, then one unfinished session; INTERVIEWER_DATABASE points at them."""
    db = tmp_path / "s.db"
    monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
    graded_session(db, fixture_bank, {"scaling": "Scaling is a thing.", "leakage": WEAK_LEAKAGE})
    graded_session(db, fixture_bank, {"scaling": GOOD_SCALING, "leakage": WEAK_LEAKAGE})
    graded_session(db, fixture_bank, {"leakage": "Data leakage is when information from outside the training set "
                                                 "reaches the model.", "scaling": None}, finish=False)
    return db


def test_session_lines_have_means_and_trend(three_sessions: Path) -> None:
    with Store(three_sessions) as store:
        lines = session_lines(store)
        summaries = {s.id: s.mean_score for s in store.sessions()}
    assert [line.id for line in lines] == [1, 2, 3]
    assert [line.mean for line in lines] == [summaries[1], summaries[2], summaries[3]]
    assert lines[0].change is None
    assert lines[1].change == round(summaries[2] - summaries[1], 1) and lines[1].change > 0
    assert lines[2].answered == 1 and lines[2].asked == 2 and not lines[2].finished
    with Store(three_sessions) as store:
        assert [line.id for line in session_lines(store, limit=2)] == [2, 3]


def test_the_trend_compares_a_session_with_the_last_one_of_its_own_bank(fixture_bank: Path, tmp_path: Path) -> None:
    """A behavioural round's mean says nothing about a statistics round's: each change is within one bank."""
    db = tmp_path / "banks.db"
    graded_session(db, fixture_bank, {"scaling": "Scaling is a thing."}, bank_name="first")
    graded_session(db, fixture_bank, {"scaling": GOOD_SCALING}, bank_name="second")
    graded_session(db, fixture_bank, {"scaling": GOOD_SCALING}, bank_name="first")
    with Store(db) as store:
        lines = session_lines(store)
        means = {s.id: s.mean_score for s in store.sessions()}
    assert [line.change for line in lines[:2]] == [None, None]  # each bank's first session
    assert lines[2].change == round(means[3] - means[1], 1) and lines[2].change > 0


def test_sparkline() -> None:
    assert sparkline([0, 5, 10]) == "▁▅█" and sparkline([]) == ""


def test_concept_progress_tracks_each_concept_over_sessions(three_sessions: Path) -> None:
    with Store(three_sessions) as store:
        progress = {(p.rubric_id, p.concept_id): p for p in concept_progress(store)}
    definition = progress[("scaling", "definition")]
    assert definition.label == "What scaling is" and len(definition.statuses) == 2
    assert definition.statuses[-1] == "covered" and definition.statuses[0] != "covered"
    assert len(progress[("leakage", "definition")].statuses) == 3
    ordered = list(progress.values())
    assert ordered == sorted(ordered, key=lambda p: p.recent_credit)  # weakest first


def test_drill_picks_the_lowest_recent_scores_and_names_weak_concepts(three_sessions: Path, fixture_bank: Path) -> None:
    bank = load_bank(fixture_bank)
    with Store(three_sessions) as store:
        picks = drill(store, bank, 2)
        scores = {}
        for answer in store.answered_questions():
            scores.setdefault(answer.rubric_id, []).append(answer.score)
    recent = {rid: round(sum(s[-2:]) / len(s[-2:]), 1) for rid, s in scores.items()}
    assert [p.rubric.id for p in picks] == sorted(recent, key=recent.__getitem__)
    assert [p.recent_score for p in picks] == sorted(recent.values())
    weakest = picks[0]
    assert weakest.weak_concepts and all(isinstance(label, str) for label in weakest.weak_concepts)
    with Store(three_sessions) as store:
        assert len(drill(store, bank, 1)) == 1
        never = bank["scaling"].model_copy(update={"id": "never-asked"})
        wider = Bank({**dict(bank.items()), "never-asked": never})
        assert "never-asked" not in [p.rubric.id for p in drill(store, wider, 5)]  # drills only what was answered


def test_drill_without_history_is_one_line(tmp_path: Path, fixture_bank: Path) -> None:
    with Store(tmp_path / "empty.db") as store, pytest.raises(InputError, match="nothing to drill yet"):
        drill(store, load_bank(fixture_bank), 3)


def test_trends_are_per_bank() -> None:
    def line(n: int, bank: str, mean: float | None) -> SessionLine:
        return SessionLine(n, f"2026-12-0{n}T10:00", "typed", 2, 2, mean, None, True, bank)

    lines = [line(1, "statistics", 2.0), line(2, "behavioural", 9.0), line(3, "statistics", 4.0),
             line(4, "practical-ml", 5.0), line(5, "behavioural", None), line(6, "behavioural", 7.5)]
    assert bank_trends(lines) == [("statistics", [2.0, 4.0]), ("behavioural", [9.0, 7.5])]  # one session: no trend


def test_drill_names_the_bank_and_where_there_is_history(three_sessions: Path) -> None:
    from interviewer.rubrics.model import BankInfo

    other = Bank({}, None, BankInfo(name="other-bank", title="Other"))  # none of the history's questions
    with Store(three_sessions) as store, pytest.raises(InputError) as raised:
        drill(store, other, 3)
    message = str(raised.value)
    assert "in the bank 'other-bank'" in message and "--bank other-bank" in message
    assert "you have graded answers in: " in message
    elsewhere = Bank({}, three_sessions.parent, BankInfo(name="other-bank", title="Other"))  # its name finds no folder
    with Store(three_sessions) as store, pytest.raises(InputError, match=f"--bank {three_sessions.parent}` first"):
        drill(store, elsewhere, 3)


def test_history_commands(capsys, three_sessions: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["history"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["session", "date", "bank", "mode", "answered", "mean", "trend"]
    assert out[1].split()[0] == "1" and "↑ +" in out[2] and "interviewer resume 3" in out[3]
    assert out[-1].startswith("Mean score, ") and " over 3 sessions: " in out[-1]
    assert cli.main(["history", "--concepts"]) == 0
    concepts = capsys.readouterr().out
    assert "What scaling is" in concepts and "1/2 covered" in concepts
    # Each key point names its question by its text, with the bank and the id as detail: never a bare id.
    assert "How do you approach feature scaling and when is it necessary?  (" in concepts
    assert "· scaling)" in concepts
    with pytest.raises(SystemExit):
        cli.main(["history", "--limit", "0"])
    assert "expected a positive whole number, got '0'" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # session 0 cannot exist: not "the latest"
        cli.main(["report", "0"])
    assert "argument SESSION: expected a positive whole number, got '0'" in capsys.readouterr().err


def test_history_of_an_empty_database(capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["history"]) == 0
    assert capsys.readouterr().out.startswith("No sessions yet in ")


def test_practice_drill_asks_the_weakest_question(capsys, three_sessions: Path, fixture_bank: Path,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(three_sessions) as store:
        weakest = drill(store, load_bank(fixture_bank), 1)[0]
    import interviewer.cli.practice

    plain_round = interviewer.cli.practice.run_round  # its stdin default was bound at import: pass one explicitly
    monkeypatch.setattr(interviewer.cli.practice, "run_round",
                        lambda interview, grader: plain_round(interview, grader, io.StringIO("Some answer.\n\n"),
                                                              sys.stdout))
    assert cli.main(["practice", "--bank", str(fixture_bank), "--drill", "--count", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Drill: the questions with your lowest recent scores.")
    assert f"  {weakest.rubric.question}  (bank {weakest.rubric.id})" in out
    assert f"      recent {weakest.recent_score:.1f}/10" in out
    assert f"Question 1/1 ({weakest.rubric.id})" in out
    with Store(three_sessions) as store:
        assert [q.rubric_id for q in store.session(4).questions] == [weakest.rubric.id]
    assert cli.main(["practice", "--bank", str(fixture_bank), "--drill", "--questions", "scaling"]) == 2
    assert "--drill chooses the questions itself" in capsys.readouterr().err
