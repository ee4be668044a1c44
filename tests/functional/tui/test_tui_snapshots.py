"""Screenshots of every screen at 80x24 (and the side-by-side model answer at 100x30), compared with the
committed SVGs in ``__snapshots__``. The clock is frozen, the cursor does not blink, models are fakes that
are ready before the picture is taken. After an intended change:
``pytest tests/functional/tui/test_tui_snapshots.py --snapshot-update``, then look at the new SVGs before
committing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interviewer.tui import RoundOptions
from interviewer.tui.app import InterviewerApp
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.follow_up import FollowUpScreen
from interviewer.tui.screens.summary import SummaryScreen
from interviewer.tui.widgets.level_meter import LevelMeter
from interviewer.tui.widgets.voice_panel import VoicePanel
from tests.fakes import FakeClock, FakeTranscriber
from tests.tui_support import LEAKAGE_ANSWER, SCALING_ANSWER, app, wait_for


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in ``tmp_path`` with a relative database path, so the screens show the same path every time."""
    monkeypatch.chdir(tmp_path)
    # The start screen says where the user's own banks go: the same path on every machine (nothing is written there).
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", "/home/you/.local/share/interviewer")
    return tmp_path


def snapshot_app(here: Path, options: RoundOptions | None = None, **kwargs: Any) -> InterviewerApp:
    kwargs.setdefault("check_microphone", lambda: "test microphone")
    kwargs.setdefault("load_transcriber", FakeTranscriber)
    the_app = app(here, options, **kwargs)
    the_app.services.store.close()
    from dataclasses import replace

    from interviewer.store import Store

    the_app.services.settings = replace(the_app.services.settings, database=Path("sessions.db"))
    the_app.services.store = Store(Path("sessions.db"))
    return the_app


async def models_ready(pilot: Any) -> None:
    the_app = pilot.app
    await wait_for(pilot, lambda: the_app.grader_state == "ready" and the_app.speech_state in ("off", "ready"))
    await pilot.pause()


async def answer(pilot: Any, text: str) -> None:
    await models_ready(pilot)
    pilot.app.screen.query_one("#editor").insert(text)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FeedbackScreen))
    await pilot.pause()


class TestStartScreen:
    def test_start(self, here: Path, snap_compare: Any) -> None:
        assert snap_compare(snapshot_app(here, start=False), run_before=models_ready)

    def test_start_prefilled_voice_timed(self, here: Path, snap_compare: Any) -> None:
        options = RoundOptions(questions=("leakage",), mode="voice", timed=True)
        assert snap_compare(snapshot_app(here, options, start=False), run_before=models_ready)


class TestInterviewScreen:
    def test_typed(self, here: Path, snap_compare: Any) -> None:
        the_app = snapshot_app(here, RoundOptions(questions=("scaling", "leakage")))

        async def run_before(pilot: Any) -> None:
            await models_ready(pilot)
            await pilot.press(*"Scaling")

        assert snap_compare(the_app, run_before=run_before)

    def test_timed_warning(self, here: Path, snap_compare: Any) -> None:
        clock = FakeClock()
        the_app = snapshot_app(here, RoundOptions(questions=("scaling",), timed=True), clock=clock)

        async def run_before(pilot: Any) -> None:
            await models_ready(pilot)
            clock.advance(130)
            await pilot.pause(0.6)

        assert snap_compare(the_app, run_before=run_before)

    def test_voice_ready_to_record(self, here: Path, snap_compare: Any) -> None:
        the_app = snapshot_app(here, RoundOptions(questions=("scaling",), mode="voice"))
        assert snap_compare(the_app, run_before=models_ready)

    def test_voice_recording(self, here: Path, snap_compare: Any) -> None:
        """The look while recording (the state and level are set by hand: no microphone here)."""
        the_app = snapshot_app(here, RoundOptions(questions=("scaling",), mode="voice"))

        async def run_before(pilot: Any) -> None:
            await models_ready(pilot)
            pilot.app.screen.query_one(VoicePanel).state = "recording"
            meter = pilot.app.screen.query_one(LevelMeter)
            meter.level, meter.seconds = -18.0, 12.3
            await pilot.pause()

        assert snap_compare(the_app, run_before=run_before)


def spoken_take(text: str) -> VoicePanel.Transcribed:
    """What the voice panel reports after a recording: a transcript with word times (0.4 s a word, a 2 s
    pause after the first sentence) and its delivery figures."""
    from interviewer.speech.delivery import measure_delivery
    from interviewer.speech.transcript import Segment, Transcript, Word

    words, at = [], 0.5
    for token in text.split():
        words.append(Word(" " + token, round(at, 2), round(at + 0.35, 2), 0.9))
        at += 2.4 if token.endswith(".") and len(words) < 10 else 0.4
    segment = Segment(words[0].start, words[-1].end, text, tuple(words))
    transcript = Transcript(text, (segment,), "en", round(at + 0.5, 2), "fake", "fake")
    return VoicePanel.Transcribed(Path("answer.wav"), transcript.duration, transcript, measure_delivery(transcript))


class TestSpokenAnswer:
    def test_transcript_to_check_before_submitting(self, here: Path, snap_compare: Any) -> None:
        the_app = snapshot_app(here, RoundOptions(questions=("scaling",), mode="voice"))

        async def run_before(pilot: Any) -> None:
            await models_ready(pilot)
            panel = pilot.app.screen.query_one(VoicePanel)
            panel.post_message(spoken_take("So basically scaling puts features on comparable ranges. Like, KNN "
                                           "and SVM need it."))
            await wait_for(pilot, lambda: panel.state == "done")
            await pilot.pause()

        assert snap_compare(the_app, run_before=run_before)

    def test_feedback_with_delivery(self, here: Path, snap_compare: Any) -> None:
        the_app = snapshot_app(here, RoundOptions(questions=("scaling",), mode="voice"))

        async def run_before(pilot: Any) -> None:
            await models_ready(pilot)
            panel = pilot.app.screen.query_one(VoicePanel)
            panel.post_message(spoken_take("So basically scaling puts features on comparable ranges. Like, KNN "
                                           "and SVM need it."))
            await wait_for(pilot, lambda: panel.state == "done")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, FeedbackScreen))
            pilot.app.screen.query_one("#feedback-main").scroll_end(animate=False)
            await pilot.pause()

        assert snap_compare(the_app, run_before=run_before)


class TestFeedbackScreen:
    def test_feedback(self, here: Path, snap_compare: Any) -> None:
        the_app = snapshot_app(here, RoundOptions(questions=("scaling", "leakage")))
        assert snap_compare(the_app, run_before=lambda pilot: answer(pilot, SCALING_ANSWER))

    def test_model_answer_side_by_side(self, here: Path, snap_compare: Any) -> None:
        the_app = snapshot_app(here, RoundOptions(questions=("scaling",)))

        async def run_before(pilot: Any) -> None:  # with a wrong claim and its correction
            await answer(pilot, "Scaling puts features on comparable ranges for KNN. You fit on all the data, "
                                "then split.")
            await pilot.press("m")

        assert snap_compare(the_app, run_before=run_before, terminal_size=(100, 30))

    def test_follow_up_graded(self, here: Path, snap_compare: Any) -> None:
        the_app = snapshot_app(here, RoundOptions(questions=("scaling",)))

        async def run_before(pilot: Any) -> None:
            await answer(pilot, SCALING_ANSWER)
            await pilot.press("f")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpScreen))
            pilot.app.screen.query_one("#editor").insert("Standardization subtracts the mean.")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: pilot.app.screen.follow is not None and not pilot.app.screen.grading)
            await pilot.pause()

        assert snap_compare(the_app, run_before=run_before)


class TestSummaryScreen:
    def test_summary(self, here: Path, snap_compare: Any) -> None:
        the_app = snapshot_app(here, RoundOptions(questions=("scaling", "leakage")))

        async def run_before(pilot: Any) -> None:
            await answer(pilot, SCALING_ANSWER)
            await pilot.press("n")
            await answer(pilot, LEAKAGE_ANSWER)
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
            await pilot.pause()

        assert snap_compare(the_app, run_before=run_before)


class TestErrorModal:
    def test_no_microphone(self, here: Path, snap_compare: Any) -> None:
        from interviewer.speech.devices import NO_INPUT, AudioDeviceError

        def no_microphone() -> str:
            raise AudioDeviceError(NO_INPUT)

        the_app = snapshot_app(here, RoundOptions(questions=("scaling",), mode="voice"), check_microphone=no_microphone)

        async def run_before(pilot: Any) -> None:
            await wait_for(pilot, lambda: pilot.app.speech_state == "failed" and pilot.app.grader_state == "ready")
            await pilot.pause()

        assert snap_compare(the_app, run_before=run_before)


@pytest.fixture
def fixed_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions and answers stored with one fixed time, so dates on screen do not change."""
    import interviewer.store.db

    monkeypatch.setattr(interviewer.store.db, "now", lambda: "2026-11-28T09:30:00+00:00")


async def finished_round(pilot: Any) -> None:
    await answer(pilot, SCALING_ANSWER)
    await pilot.press("n")
    await answer(pilot, LEAKAGE_ANSWER)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))


class TestHistoryScreen:
    def test_history(self, here: Path, fixed_dates: None, snap_compare: Any) -> None:
        from interviewer.rubrics import load_bank
        from interviewer.scoring.grader import Grader
        from interviewer.session.round import Interview
        from interviewer.store import Store
        from tests.conftest import FIXTURES
        from tests.fakes import HashingEmbedder

        bank = load_bank(FIXTURES / "bank")
        with Store(Path("sessions.db")) as store:
            for text in ("Scaling matters.", "Scaling puts features on comparable ranges."):
                earlier = Interview.start(store, [bank["scaling"]], bank_name="fixture")
                earlier.submit(earlier.turns[0], text)
                earlier.record_grade(earlier.turns[0], Grader(HashingEmbedder()).grade(bank["scaling"], text))
                earlier.finish()
        the_app = snapshot_app(here, RoundOptions(questions=("scaling", "leakage")))

        async def run_before(pilot: Any) -> None:
            await finished_round(pilot)
            await pilot.press("h")
            await pilot.pause()

        assert snap_compare(the_app, run_before=run_before)


class TestExportModal:
    def test_export(self, here: Path, fixed_dates: None, snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        the_app = snapshot_app(here, RoundOptions(questions=("scaling", "leakage")))

        async def run_before(pilot: Any) -> None:
            await finished_round(pilot)
            monkeypatch.chdir("/")  # the default file is in the current folder: the same path every run
            await pilot.press("e")
            await pilot.pause()

        assert snap_compare(the_app, run_before=run_before)
