"""The app's trace ($INTERVIEWER_TUI_TRACE), which benchmarks/app_startup.py and voice_round.py --pty read: a
spoken answer recorded, stopped, transcribed, submitted and shown as feedback writes each event, in order, with
the time (fake microphone, transcriber and grader)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interviewer.tui.app import TRACE_ENV
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.voice_panel import VoicePanel
from tests.fakes import FakeMicrophones
from tests.functional.tui.test_tui_microphone import mic_app
from tests.functional.tui.test_tui_speaking import take
from tests.tui_support import wait_for

pytestmark = pytest.mark.asyncio

SPOKEN = ["recording-started", "recording-stop", "transcript-ready", "answer-submitted", "feedback-shown"]


def traced(path: Path) -> list[tuple[str, float]]:
    return [(name, float(stamp)) for name, stamp in (line.split() for line in path.read_text().splitlines())]


async def record_and_stop(pilot: Any, panel: VoicePanel) -> None:
    """ctrl+r to record, ctrl+r to stop, and wait for the take to be transcribed."""
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: panel.state == "recording", what="recording")
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: panel.state == "done", what="the take transcribed")


async def test_a_spoken_answer_writes_each_event_the_voice_benchmark_times(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    trace = tmp_path / "trace"
    monkeypatch.setenv(TRACE_ENV, str(trace))
    the_app = mic_app(tmp_path, FakeMicrophones(), start=True)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen) and the_app.speech_state == "ready")
        await wait_for(pilot, lambda: "models-ready" in dict(traced(trace)), what="models-ready")
        panel = the_app.screen.query_one(VoicePanel)
        await record_and_stop(pilot, panel)
        await wait_for(pilot, lambda: "transcript-ready" in dict(traced(trace)), what="transcript-ready")
        panel.post_message(take("Scaling puts features on comparable ranges for KNN."))  # a take with words in it
        await wait_for(pilot, lambda: [n for n, _ in traced(trace)].count("transcript-ready") == 2, what="the take")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
        await wait_for(pilot, lambda: "feedback-shown" in dict(traced(trace)), what="feedback-shown")
    events = traced(trace)
    names = [name for name, _ in events]
    assert names[:2] == ["mounted", "question"] and "models-ready" in names
    spoken = [name for name in names if name in SPOKEN]
    assert spoken == SPOKEN[:3] + ["transcript-ready"] + SPOKEN[3:]  # the second take, then submit → feedback
    stamps = [stamp for _, stamp in events]
    assert stamps == sorted(stamps)


FOLLOW_UP = ["follow-up-shown", "recording-started", "recording-stop", "follow-up-transcript-ready",
             "follow-up-submitted", "follow-up-feedback-shown"]


async def test_a_spoken_follow_up_writes_each_event_the_voice_benchmark_times(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The feedback screen says a follow-up is offered (before ``feedback-shown``: the benchmark then presses
    f); the follow-up's take, transcript, submit and grade are traced as the question's are."""
    from interviewer.tui.screens.follow_up import FollowUpScreen

    trace = tmp_path / "trace"
    monkeypatch.setenv(TRACE_ENV, str(trace))
    the_app = mic_app(tmp_path, FakeMicrophones(), start=True)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen) and the_app.speech_state == "ready")
        panel = the_app.screen.query_one(VoicePanel)
        panel.post_message(take("Scaling puts features on comparable ranges for KNN."))  # misses key points
        await wait_for(pilot, lambda: panel.state == "done", what="the take")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "feedback-shown" in dict(traced(trace)), what="feedback-shown")
        names = [name for name, _ in traced(trace)]
        assert names.index("follow-up-offered") < names.index("feedback-shown")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(the_app.screen, FollowUpScreen), what="the follow-up")
        screen = the_app.screen
        fpanel = screen.query_one(VoicePanel)
        await record_and_stop(pilot, fpanel)
        await wait_for(pilot, lambda: "follow-up-transcript-ready" in dict(traced(trace)), what="its transcript")
        fpanel.post_message(take("Fit the scaler on the training data only."))  # a take with words in it
        await wait_for(pilot, lambda: [n for n, _ in traced(trace)].count("follow-up-transcript-ready") == 2,
                       what="the take with words")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "follow-up-feedback-shown" in dict(traced(trace)), what="the follow-up graded")
    events = traced(trace)
    after = [name for name, _ in events][[name for name, _ in events].index("follow-up-shown"):]
    assert [name for name in after if name in FOLLOW_UP] == FOLLOW_UP[:4] + FOLLOW_UP[3:]
    assert [stamp for _, stamp in events] == sorted(stamp for _, stamp in events)
