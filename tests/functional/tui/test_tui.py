"""The Textual app under Pilot: full rounds, answers in the store, follow-ups, resume, failures.

Most tests grade with the HashingEmbedder fake (instant); one round uses the real all-MiniLM-L6-v2
(marked ``model``); the spoken round is in ``tests/functional/audio/test_tui_voice.py``.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from interviewer.errors import ModelNotAvailableError
from interviewer.rubrics import load_bank
from interviewer.session.round import Interview
from interviewer.store import Store
from interviewer.tui import RoundOptions
from interviewer.tui.screens.error import ErrorModal
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.follow_up import FollowUpScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.screens.summary import SummaryScreen
from interviewer.tui.widgets.answer_timer import AnswerTimer
from tests.conftest import FIXTURES
from tests.fakes import FakeClock, FakeTranscriber, HashingEmbedder
from tests.tui_support import LEAKAGE_ANSWER, SCALING_ANSWER, app, shown_text, wait_for

pytestmark = pytest.mark.asyncio

TWO = RoundOptions(questions=("scaling", "leakage"))


async def type_answer(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the focused editor key by key, as a candidate would."""
    await pilot.press(*["space" if ch == " " else ch for ch in text])


async def test_a_typed_round_from_the_start_screen_to_the_summary(tmp_path: Path) -> None:
    the_app = app(tmp_path)
    async with the_app.run_test(size=(80, 24)) as pilot:
        assert isinstance(the_app.screen, StartScreen)
        await wait_for(pilot, lambda: the_app.grader_state == "ready", what="the grader")
        the_app.screen.query_one("#pick").focus()
        await pilot.press("home", "space", "down", "space", "ctrl+s")  # tick both questions, start
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        interview = the_app.interview
        assert interview is not None and [t.rubric.id for t in interview.turns] == ["leakage", "scaling"]
        assert "Question 1 of 2" in str(the_app.screen.query_one("#position").render())
        await type_answer(pilot, LEAKAGE_ANSWER)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        assert interview.turns[0].answer == LEAKAGE_ANSWER and interview.turns[0].score is not None
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="summary")
        text = str(the_app.screen.query_one("#summary-text").render())
        assert "Mean score" in text and "Practise next" in text
        session = interview.session_id
    stored = Store(tmp_path / "sessions.db").session(session)
    assert stored.finished_at is not None and stored.mode == "typed"
    assert [q.answer.text for q in stored.questions if q.answer] == [LEAKAGE_ANSWER, SCALING_ANSWER]
    assert all(q.answer and q.answer.grade is not None and q.answer.seconds is not None for q in stored.questions)


async def test_the_answer_is_in_the_store_before_it_is_graded(tmp_path: Path) -> None:
    """The model is still loading when the answer is submitted: it is committed at once, graded later."""
    gate = threading.Event()

    def slow_embedder() -> HashingEmbedder:
        assert gate.wait(30)
        return HashingEmbedder()

    the_app = app(tmp_path, RoundOptions(questions=("scaling",)), load_embedder=slow_embedder)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.grader_state == "loading")
        await pilot.pause()
        assert "loading the grading model" in str(the_app.screen.query_one("#models").render())
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "waiting for the grading model" in str(the_app.screen.query_one("#status").render())
        assert the_app.interview is not None
        stored = Store(tmp_path / "sessions.db").session(the_app.interview.session_id)
        assert [a.text for a in stored.ungraded] == [SCALING_ANSWER]  # saved, not graded yet
        gate.set()
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        await pilot.pause()  # let the screen finish mounting before the test leaves the app (it raced on a busy CPU)
        stored = Store(tmp_path / "sessions.db").session(the_app.interview.session_id)
        assert stored.ungraded == () and stored.questions[0].answer.score > 0  # type: ignore[union-attr]


async def test_a_follow_up_is_graded_against_its_concept_and_stored(tmp_path: Path) -> None:
    the_app = app(tmp_path, RoundOptions(questions=("scaling",)))
    async with the_app.run_test(size=(80, 24)) as pilot:
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        await pilot.press("m")  # the model answer beside the feedback
        assert the_app.screen.query_one("#model-answer").display
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FollowUpScreen))
        screen = the_app.screen
        assert isinstance(screen, FollowUpScreen) and screen.concept_id == "methods"  # the heaviest missed
        assert screen.question == "Which scaling methods do you know?"
        screen.query_one("#editor").insert(  # type: ignore[attr-defined]
            "Standardization subtracts the mean and divides by the standard deviation.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.follow is not None and screen.follow.grade is not None, what="grade")
        follow_grade = screen.follow.grade  # type: ignore[union-attr]
        assert follow_grade.score >= 7 and [c.concept_id for c in follow_grade.concepts] == ["methods"]  # type: ignore[union-attr]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen))
        assert "Follow-up (" in shown_text(the_app.screen.query_one("#follow-ups"))
        session = the_app.interview.session_id  # type: ignore[union-attr]
    answer = Store(tmp_path / "sessions.db").session(session).questions[0].answer
    assert answer is not None and [(f.concept_id, f.score is not None) for f in answer.follow_ups] == [("methods", True)]


async def test_keys_typed_just_before_ctrl_s_are_all_submitted(tmp_path: Path) -> None:
    """ctrl+s is a priority binding, handled before keys ahead of it reach the editor: the submit waits for them
    (a tmux paste followed by ctrl+s once submitted nothing, or the first words of a follow-up answer)."""
    from textual import events

    def burst(text: str) -> None:  # the whole text, then ctrl+s, in one go, as a terminal delivers a paste
        for ch in text:
            the_app.post_message(events.Key("space" if ch == " " else ch, ch))
        the_app.post_message(events.Key("ctrl+s", None))

    the_app = app(tmp_path, RoundOptions(questions=("scaling",)))
    async with the_app.run_test(size=(80, 24)) as pilot:
        burst(SCALING_ANSWER)
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        assert the_app.interview.turns[0].answer == SCALING_ANSWER  # type: ignore[union-attr]
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FollowUpScreen))
        screen = the_app.screen
        burst("Standardization subtracts the mean and divides by the standard deviation.")
        await wait_for(pilot, lambda: screen.follow is not None, what="the follow-up answer")  # type: ignore[attr-defined]
        assert screen.follow.answer == "Standardization subtracts the mean and divides by the standard deviation."  # type: ignore[attr-defined]

async def test_timed_round_warns_near_the_end_and_says_when_time_is_up(tmp_path: Path) -> None:
    clock = FakeClock()
    the_app = app(tmp_path, RoundOptions(questions=("scaling",), timed=True), clock=clock)
    async with the_app.run_test(size=(80, 24)) as pilot:
        timer = the_app.screen.query_one(AnswerTimer)
        assert timer.limit == 150 and "2:30 left of 2:30" in str(timer.render())  # the rubric's time limit
        clock.advance(125)
        await pilot.pause(0.6)
        assert timer.has_class("-warning") and "0:25 left" in str(timer.render())
        clock.advance(30)
        await pilot.pause(0.6)
        assert timer.has_class("-over") and "time is up" in str(timer.render())


async def test_untimed_round_shows_only_the_time_taken(tmp_path: Path) -> None:
    clock = FakeClock()
    the_app = app(tmp_path, RoundOptions(questions=("scaling",)), clock=clock)
    async with the_app.run_test(size=(80, 24)) as pilot:
        clock.advance(65)
        await pilot.pause(0.6)
        timer = the_app.screen.query_one(AnswerTimer)
        assert str(timer.render()) == "⏱ 1:05" and not timer.has_class("-warning")


async def test_resume_grades_saved_answers_then_asks_what_is_left(tmp_path: Path) -> None:
    bank = load_bank(FIXTURES / "bank")
    store = Store(tmp_path / "sessions.db")
    earlier = Interview.start(store, [bank["scaling"], bank["leakage"]], bank_name=str(FIXTURES / "bank"))
    earlier.submit(earlier.turns[0], SCALING_ANSWER)  # the process died before grading it
    store.close()
    the_app = app(tmp_path, start=False)
    async with the_app.run_test(size=(80, 24)) as pilot:
        assert isinstance(the_app.screen, StartScreen)
        listing = the_app.screen.query_one("#resume")
        assert f"#{earlier.session_id}" in str(listing.get_option_at_index(0).prompt)  # type: ignore[attr-defined]
        await pilot.press("ctrl+o", "enter")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        assert the_app.screen.turn.rubric.id == "leakage"  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: the_app.interview.turns[0].grade is not None, what="the saved answer graded")  # type: ignore[union-attr]
    stored = Store(tmp_path / "sessions.db").session(earlier.session_id)
    assert stored.ungraded == () and stored.finished_at is None


async def test_resume_grades_a_follow_up_saved_before_the_process_died(tmp_path: Path) -> None:
    from interviewer.scoring.grader import Grader

    bank = load_bank(FIXTURES / "bank")
    store = Store(tmp_path / "sessions.db")
    earlier = Interview.start(store, [bank["scaling"], bank["leakage"]], bank_name=str(FIXTURES / "bank"))
    turn = earlier.turns[0]
    earlier.submit(turn, "Scaling matters.")
    earlier.record_grade(turn, Grader(HashingEmbedder()).grade(bank["scaling"], "Scaling matters."))
    concept_id, question = earlier.follow_up_for(turn) or ("", "")
    earlier.submit_follow_up(turn, concept_id, question, bank["scaling"].concept(concept_id).statement)  # then died
    store.close()
    the_app = app(tmp_path, start=False, resume=earlier.session_id)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        assert the_app.screen.turn.rubric.id == "leakage"  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: not the_app.interview.ungraded_follow_ups,  # type: ignore[union-attr]
                       what="the saved follow-up graded")
    stored = Store(tmp_path / "sessions.db").session(earlier.session_id).questions[0].answer
    assert stored is not None and stored.follow_ups[0].score is not None


async def test_a_grader_that_fails_to_load_shows_an_error_and_keeps_the_answer(tmp_path: Path) -> None:
    def broken() -> HashingEmbedder:
        raise ModelNotAvailableError("the default embedding model is not installed: run `pip install x`")

    the_app = app(tmp_path, RoundOptions(questions=("scaling",)), load_embedder=broken)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal), what="the error modal")
        assert "pip install x" in the_app.screen.message  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        the_app.screen.query_one("#editor").insert("my precious answer")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert "Your answer is saved" in str(the_app.screen.query_one("#status").render())
        session = the_app.interview.session_id  # type: ignore[union-attr]
    assert [a.text for a in Store(tmp_path / "sessions.db").session(session).ungraded] == ["my precious answer"]


async def test_no_microphone_says_so_and_offers_typing(tmp_path: Path) -> None:
    """A real device lookup for a microphone that is not there: the modal says so; typing carries on."""
    the_app = app(tmp_path, RoundOptions(questions=("scaling",), mode="voice"),
                  settings={"input_device": "no-such-microphone"})
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal), what="the speech modal")
        modal = the_app.screen
        assert isinstance(modal, ErrorModal) and modal.offer_typing
        assert "no-such-microphone" in modal.message or "PortAudio" in modal.message or "no microphone" in modal.message
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        assert the_app.answer_mode == "typed" and the_app.screen.query_one("#editor").display
        assert not the_app.screen.query_one("#voice").display
        await type_answer(pilot, "Scaling puts features on comparable ranges.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        session = the_app.interview.session_id  # type: ignore[union-attr]
    answer = Store(tmp_path / "sessions.db").session(session).questions[0].answer
    assert answer is not None and answer.mode == "typed" and answer.text.startswith("Scaling puts")


async def test_an_unknown_question_id_shows_the_error_then_the_start_screen(tmp_path: Path) -> None:
    the_app = app(tmp_path, RoundOptions(questions=("nope",)))
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal))
        assert "nope" in the_app.screen.message  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, StartScreen))


@pytest.mark.model
async def test_a_typed_round_with_the_real_model(tmp_path: Path, real_embedder) -> None:  # type: ignore[no-untyped-def]
    the_app = app(tmp_path, RoundOptions(questions=("scaling",)), load_embedder=lambda: real_embedder)
    async with the_app.run_test(size=(80, 24)) as pilot:
        the_app.screen.query_one("#editor").insert(  # type: ignore[attr-defined]
            "Feature scaling normalizes features to comparable ranges, with standardization or min-max scaling. "
            "Distance-based models like KNN and SVM need it; tree models do not, they split on thresholds. "
            "Fit the scaler on the training data only, then transform the test set.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), timeout=120, what="feedback")
        grade = the_app.interview.turns[0].grade  # type: ignore[union-attr]
        assert grade is not None and grade.score >= 6, grade  # type: ignore[union-attr]
        assert "Covered" in shown_text(the_app.screen.query_one("#grade"))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="summary")


async def test_the_command_palette_switches_a_spoken_round_to_typing(tmp_path: Path) -> None:
    the_app = app(tmp_path, RoundOptions(questions=("scaling",), mode="voice"),
                  check_microphone=lambda: "test microphone", load_transcriber=FakeTranscriber)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.speech_state == "ready")
        await pilot.press("ctrl+s")  # nothing recorded yet: nothing is submitted
        await pilot.pause()
        assert "Record your answer first" in str(the_app.screen.query_one("#status").render())
        assert the_app.interview is not None and not the_app.interview.turns[0].answered
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_answer(pilot, "Type answers")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: the_app.answer_mode == "typed", what="typed mode")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        assert the_app.screen.query_one("#editor").display and not the_app.screen.query_one("#voice").display


async def _finish_round(pilot, the_app) -> None:  # type: ignore[no-untyped-def]
    for text in (SCALING_ANSWER, LEAKAGE_ANSWER):
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        the_app.screen.query_one("#editor").insert(text)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="summary")


async def test_export_the_report_from_the_summary(tmp_path: Path) -> None:
    from interviewer.tui.screens.export import ExportModal

    the_app = app(tmp_path, TWO)
    target = tmp_path / "round.html"
    target_md = tmp_path / "round.md"
    target_md.write_text("keep me")
    async with the_app.run_test(size=(80, 24)) as pilot:
        await _finish_round(pilot, the_app)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(the_app.screen, ExportModal))
        field = the_app.screen.query_one("#export-path")
        field.value = str(target_md)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: "already exists" in str(the_app.screen.query_one("#export-error").render()))
        field.value = str(tmp_path / "round.pdf")  # type: ignore[attr-defined]
        await pilot.press("enter")  # not Markdown under a .pdf name
        await wait_for(pilot, lambda: "cannot tell the report format from '.pdf'"
                       in str(the_app.screen.query_one("#export-error").render()))
        assert not (tmp_path / "round.pdf").exists()
        field.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="the modal closed")
        assert f"Report written to {target}" in str(the_app.screen.query_one("#saved-in").render())
    html = target.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "What is data leakage?" in html
    assert target_md.read_text() == "keep me"


async def test_history_shows_sessions_and_a_chart(tmp_path: Path) -> None:
    from textual.widgets import DataTable

    from interviewer.tui.screens.history import HistoryScreen

    bank = load_bank(FIXTURES / "bank")
    store = Store(tmp_path / "sessions.db")
    from interviewer.scoring.grader import Grader

    earlier = Interview.start(store, [bank["scaling"]], bank_name="fixture")
    earlier.submit(earlier.turns[0], "Scaling matters.")
    earlier.record_grade(earlier.turns[0], Grader(HashingEmbedder()).grade(bank["scaling"], "Scaling matters."))
    earlier.finish()
    store.close()
    the_app = app(tmp_path, TWO)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await _finish_round(pilot, the_app)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(the_app.screen, HistoryScreen))
        sessions = the_app.screen.query_one("#sessions", DataTable)
        assert sessions.row_count == 2
        chart = str(the_app.screen.query_one("#chart").render())  # bars on a labelled 0-10 axis, sessions under them
        assert "  10 ┤" in chart and "   0 └" in chart and chart.splitlines()[-2].rstrip().endswith("session")
        # the earlier session was of another bank ("fixture"): the bars are grouped by bank, named under them
        assert chart.splitlines()[-1].split() == ["fixture", "bank", "bank"]
        assert the_app.screen.query_one("#concepts", DataTable).row_count > 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen))
