"""The app when things go wrong: a database that refuses a write, a blank answer, a grader that fails, a
screen opened while an answer is grading, typed text about to be thrown away. Graded by the HashingEmbedder
fake; a second SQLite connection holding a write lock stands in for "another program has the database"."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import TextArea

from interviewer.store import Store
from interviewer.tui import RoundOptions
from interviewer.tui.app import InterviewerApp
from interviewer.tui.screens.confirm import ConfirmModal
from interviewer.tui.screens.error import ErrorModal
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.follow_up import FollowUpScreen
from interviewer.tui.screens.history import HistoryScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.screens.summary import SummaryScreen
from tests.fakes import FakeTranscriber, HashingEmbedder
from tests.tui_support import LEAKAGE_ANSWER, SCALING_ANSWER, app, wait_for

pytestmark = pytest.mark.asyncio

ONE = RoundOptions(questions=("scaling",))
TWO = RoundOptions(questions=("scaling", "leakage"))


@contextmanager
def locked(the_app: InterviewerApp) -> Iterator[None]:
    """Another connection holds the database's write lock; the app's store gives up after 0.1 s."""
    store = the_app.services.store
    store._db.execute("PRAGMA busy_timeout = 100")
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def answer_rows(path: Path) -> list[tuple[str, float | None]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT text, score FROM answers ORDER BY id").fetchall()


def stack(the_app: InterviewerApp) -> list[str]:
    return [type(s).__name__ for s in the_app.screen_stack[1:]]


def notices(the_app: InterviewerApp) -> str:
    return " ".join(n.message for n in the_app._notifications)


class FlakyEmbedder(HashingEmbedder):
    """Fails every ``encode`` while ``failing`` is set (after the bank is prepared: the grader is ready)."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self.failing:
            raise RuntimeError("the grading model crashed")
        return super().encode(texts)


# -- 1. the store refuses a write --------------------------------------------------------------------------
async def test_a_locked_database_keeps_the_answer_in_the_editor_to_submit_again(tmp_path: Path) -> None:
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.grader_state == "ready")
        editor = the_app.screen.query_one("#editor")
        editor.insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        with locked(the_app):
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal), what="the error modal")
            assert "locked" in the_app.screen.message and "unsaved-answers.jsonl" in the_app.screen.message  # type: ignore[attr-defined]
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
            assert editor.text == SCALING_ANSWER and not editor.read_only  # type: ignore[attr-defined]
            assert "not saved" in str(the_app.screen.query_one("#status").render())
            await pilot.press("ctrl+s")  # still locked: the modal again, not a crash
            await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal), what="the modal again")
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
    assert the_app.return_code in (None, 0)
    rows = answer_rows(tmp_path / "sessions.db")
    assert len(rows) == 1 and rows[0][0] == SCALING_ANSWER and rows[0][1] is not None
    assert (tmp_path / "unsaved-answers.jsonl").read_text().count(SCALING_ANSWER.split()[0]) == 2


async def test_a_grade_the_database_refuses_is_stored_on_the_next_ctrl_s(tmp_path: Path) -> None:
    gate = threading.Event()

    def slow_embedder() -> HashingEmbedder:
        assert gate.wait(30)
        return HashingEmbedder()

    the_app = app(tmp_path, ONE, load_embedder=slow_embedder)
    async with the_app.run_test(size=(80, 24)) as pilot:
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")  # saved now; graded once the model loads
        await pilot.pause()
        with locked(the_app):
            gate.set()
            await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal), what="the error modal")
            assert "The grade was not saved" == the_app.screen.title_text  # type: ignore[attr-defined]
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
    rows = answer_rows(tmp_path / "sessions.db")
    assert len(rows) == 1 and rows[0][1] is not None


async def test_a_locked_database_keeps_the_follow_up_answer(tmp_path: Path) -> None:
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FollowUpScreen))
        screen = the_app.screen
        editor = screen.query_one("#editor")
        editor.insert("Standardization and min-max scaling.")  # type: ignore[attr-defined]
        with locked(the_app):
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal), what="the error modal")
            await pilot.press("escape")
            await wait_for(pilot, lambda: the_app.screen is screen)
            assert editor.text == "Standardization and min-max scaling." and not editor.read_only  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.follow is not None and screen.follow.grade is not None, what="grade")  # type: ignore[attr-defined]
    with sqlite3.connect(tmp_path / "sessions.db") as db:
        assert db.execute("SELECT count(*), count(grade) FROM follow_ups").fetchone() == (1, 1)


# -- 2. a blank answer -------------------------------------------------------------------------------------
async def test_a_blank_answer_is_not_submitted(tmp_path: Path) -> None:
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.grader_state == "ready")
        await pilot.press("ctrl+s")
        the_app.screen.query_one("#editor").insert("  \n  ")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(the_app.screen, InterviewScreen) and not the_app.screen.saved
        assert "Nothing to submit" in notices(the_app)
        status = the_app.screen.query_one("#status")
        assert "Nothing to submit" in str(status.render())  # stays on screen after the toast fades ...
        await pilot.press("space", "enter")
        await pilot.pause(0.1)
        assert "Nothing to submit" in str(status.render())  # ... blanks are still nothing ...
        the_app.screen.query_one("#editor").insert("a")  # type: ignore[attr-defined]
        await pilot.pause(0.1)
        assert "Nothing to submit" not in str(status.render())  # ... until something is typed
    assert answer_rows(tmp_path / "sessions.db") == []


async def test_an_answer_pasted_key_by_key_arrives_whole_in_a_few_edits(tmp_path: Path) -> None:
    """A terminal without bracketed paste sends a paste as one key per character: TextArea made one edit of each,
    re-wrapping the line every time, and a 38 KB answer froze the app for minutes (a new user's trial). The
    editor now inserts the keys queued together in one edit, and ctrl+s right behind them submits all of them."""
    from textual import events

    text = ("Scaling puts features on comparable ranges, so distance-based models such as KNN and SVMs treat "
            "them equally; fit the scaler on the training split only. ") * 25
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.grader_state == "ready")
        editor = the_app.screen.query_one("#editor")
        edits: list[object] = []
        original = editor.edit
        editor.edit = lambda edit: edits.append(edit) or original(edit)  # type: ignore[method-assign]
        await pilot.press("a", "b", "left", "c")  # typed by hand: each key where the cursor is
        assert editor.text == "acb"
        editor.text = ""
        edits.clear()
        for character in text:
            the_app.post_message(events.Key("space" if character == " " else character, character))  # as sent
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="the answer graded")
        assert len(edits) < 20  # 3,575 keys, not 3,575 edits
    (stored, _), = answer_rows(tmp_path / "sessions.db")
    assert stored == text


async def test_keys_typed_before_a_paste_go_in_before_it(tmp_path: Path) -> None:
    """A reviewer's case: keys held for one edit, then a bracketed paste queued behind them: the paste went in
    first ("XYZab")."""
    from textual import events

    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen), what="the question")
        editor = the_app.screen.query_one("#editor")
        editor.focus()
        for event in (events.Key("a", "a"), events.Key("b", "b"), events.Paste("XYZ"), events.Key("c", "c")):
            the_app.post_message(event)
        document = TextArea.text.fget  # type: ignore[attr-defined]  # the text as it is, without flushing
        await wait_for(pilot, lambda: len(document(editor)) == 6, what="the text")
        assert editor.text == "abXYZc"


async def test_a_blank_transcript_is_not_submitted(tmp_path: Path) -> None:
    from interviewer.speech.transcript import Transcript
    from interviewer.tui.widgets.voice_panel import VoicePanel

    the_app = app(tmp_path, RoundOptions(questions=("scaling",), mode="voice"),
                  check_microphone=lambda: "test microphone", load_transcriber=FakeTranscriber)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.speech_state == "ready" and the_app.grader_state == "ready")
        panel = the_app.screen.query_one(VoicePanel)
        panel.post_message(VoicePanel.Transcribed(tmp_path / "a.wav", 3.0,
                                                  Transcript("", (), "en", 3.0, "fake", "fake", no_speech=True), None))
        await wait_for(pilot, lambda: panel.state == "done")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(the_app.screen, InterviewScreen) and "transcript is empty" in notices(the_app)
    assert answer_rows(tmp_path / "sessions.db") == []


# -- 3. grading fails ------------------------------------------------------------------------------------
async def test_after_grading_fails_ctrl_s_grades_the_saved_answer_again(tmp_path: Path) -> None:
    embedder = FlakyEmbedder()
    the_app = app(tmp_path, TWO, load_embedder=lambda: embedder)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.grader_state == "ready")
        embedder.failing = True
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal), what="the error modal")
        assert "the grading model crashed" in the_app.screen.message  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        screen = the_app.screen
        assert isinstance(screen, InterviewScreen) and not screen.grading
        assert screen.check_action("submit", ()) and screen.check_action("next", ())
        assert "ctrl+s tries again" in str(screen.query_one("#status").render())
        embedder.failing = False
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
    rows = answer_rows(tmp_path / "sessions.db")
    assert len(rows) == 1 and rows[0][1] is not None  # graded, and saved once


async def test_after_grading_fails_ctrl_n_goes_on_and_the_session_stays_resumable(tmp_path: Path) -> None:
    embedder = FlakyEmbedder()
    the_app = app(tmp_path, TWO, load_embedder=lambda: embedder)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.grader_state == "ready")
        embedder.failing = True
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, ErrorModal), what="the error modal")
        await pilot.press("escape")
        embedder.failing = False
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen) and the_app.screen.turn.position == 2)  # type: ignore[attr-defined]
        assert stack(the_app) == ["InterviewScreen"]
        the_app.screen.query_one("#editor").insert(LEAKAGE_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="summary")
        assert "not graded" in notices(the_app)
        session = the_app.interview.session_id  # type: ignore[union-attr]
    stored = Store(tmp_path / "sessions.db").session(session)
    assert stored.finished_at is None and [a.text for a in stored.ungraded] == [SCALING_ANSWER]


# -- 4. history opened while an answer is grading ----------------------------------------------------------
async def test_history_while_grading_leaves_no_stale_question_on_the_stack(tmp_path: Path) -> None:
    gate = threading.Event()

    def slow_embedder() -> HashingEmbedder:
        assert gate.wait(30)
        return HashingEmbedder()

    the_app = app(tmp_path, TWO, load_embedder=slow_embedder)
    async with the_app.run_test(size=(80, 24)) as pilot:
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        the_app.action_history()
        await wait_for(pilot, lambda: isinstance(the_app.screen, HistoryScreen))
        assert stack(the_app) == ["InterviewScreen", "HistoryScreen"]
        gate.set()
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        assert stack(the_app) == ["FeedbackScreen"]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        assert stack(the_app) == ["InterviewScreen"]
        the_app.screen.query_one("#editor").insert(LEAKAGE_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="summary")
        assert stack(the_app) == ["SummaryScreen"]


# -- 5. typed text about to be thrown away ----------------------------------------------------------------
async def test_quitting_with_typed_text_asks_first(tmp_path: Path) -> None:
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        editor = the_app.screen.query_one("#editor")
        editor.insert("half an answer")  # type: ignore[attr-defined]
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(the_app.screen, ConfirmModal), what="the confirm modal")
        assert the_app.screen.question == "Quit and discard your unsubmitted answer?"  # type: ignore[attr-defined]
        await pilot.press("n")  # keep writing
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        assert editor.text == "half an answer" and the_app.is_running  # type: ignore[attr-defined]
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(the_app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_for(pilot, lambda: not the_app.is_running, what="the app to quit")
    assert the_app.return_code == 0
    assert session_ids(tmp_path / "sessions.db") == []  # nothing was answered: no unfinished session left


async def test_quitting_with_an_empty_editor_does_not_ask(tmp_path: Path) -> None:
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not the_app.is_running, what="the app to quit")


async def test_new_round_with_typed_text_asks_first(tmp_path: Path) -> None:
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        the_app.screen.query_one("#editor").insert("half an answer")  # type: ignore[attr-defined]
        the_app.new_round()  # the palette's "New round"
        await wait_for(pilot, lambda: isinstance(the_app.screen, ConfirmModal), what="the confirm modal")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        assert the_app.interview is not None
        the_app.new_round()
        await wait_for(pilot, lambda: isinstance(the_app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(the_app.screen, StartScreen))
        assert the_app.interview is None and stack(the_app) == ["StartScreen"]


async def test_escape_on_a_question_leaves_the_round_once_confirmed(tmp_path: Path) -> None:
    """Esc was a dead key on the question screen (a new user's trial): it now asks, then leaves the round."""
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, ConfirmModal), what="the confirm modal")
        assert the_app.screen.question == "Leave this round?"  # type: ignore[attr-defined]
        await pilot.press("n")  # stay
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
        assert the_app.interview is not None
        the_app.screen.query_one("#editor").insert("half an answer")  # type: ignore[attr-defined]
        await pilot.press("escape")  # with typed text, the question is the discard one, and says it leaves
        await wait_for(pilot, lambda: isinstance(the_app.screen, ConfirmModal))
        assert the_app.screen.question == "Leave the round and discard your unsubmitted answer?"  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(the_app.screen, StartScreen), what="the start screen")
        assert the_app.interview is None and stack(the_app) == ["StartScreen"]


async def test_an_unsaved_follow_up_answer_counts_too(tmp_path: Path) -> None:
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        assert not the_app.unsubmitted_answer()  # the answer is saved
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FollowUpScreen))
        the_app.screen.query_one("#editor").insert("min-max")  # type: ignore[attr-defined]
        assert the_app.unsubmitted_answer()
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(the_app.screen, ConfirmModal), what="the confirm modal")


# -- 6. a round left before its first answer leaves no session ---------------------------------------------
def session_ids(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT id FROM sessions ORDER BY id")]


async def test_quitting_before_the_first_answer_leaves_no_session(tmp_path: Path) -> None:
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        assert len(session_ids(tmp_path / "sessions.db")) == 1
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not the_app.is_running, what="the app to quit")
    assert session_ids(tmp_path / "sessions.db") == []


async def test_a_new_round_before_the_first_answer_leaves_no_session(tmp_path: Path) -> None:
    the_app = app(tmp_path, ONE)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: the_app.grader_state == "ready")
        the_app.new_round()
        await wait_for(pilot, lambda: isinstance(the_app.screen, StartScreen))
        await pilot.pause()
        assert session_ids(tmp_path / "sessions.db") == []
        assert "none" in str(the_app.screen.query_one("#resume").get_option_at_index(0).prompt)  # type: ignore[attr-defined]


async def test_quitting_after_an_answer_keeps_the_session(tmp_path: Path) -> None:
    the_app = app(tmp_path, TWO)
    async with the_app.run_test(size=(80, 24)) as pilot:
        the_app.screen.query_one("#editor").insert(SCALING_ANSWER)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        session = the_app.interview.session_id  # type: ignore[union-attr]
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not the_app.is_running, what="the app to quit")
    assert session_ids(tmp_path / "sessions.db") == [session]
    assert the_app.interview is not None and the_app.interview.session_id == session  # the CLI's "resume N" line
