"""The app's voice (``tui/voice.py``) called directly, with a fake Piper voice and a fake speaker: no Textual."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from interviewer.tui.voice import Voice
from tests.fakes import FakePlayer, FakeSynthesizer


@pytest.mark.parametrize("use", ["say", "prepare"])
def test_resting_while_the_voice_first_loads_frees_it_once_loaded(use: str) -> None:
    """Recording can begin while the first question's voice is still loading (``stop`` then ``rest``): there
    is no synthesizer yet to release, so the load must free the model itself once it is done, and the
    worker that loaded it must not synthesise (that would load it again for the take)."""
    synthesizer, player = FakeSynthesizer(), FakePlayer()
    loading, finish = threading.Event(), threading.Event()

    def slow_load() -> FakeSynthesizer:
        loading.set()
        assert finish.wait(5)
        return synthesizer

    voice = Voice(slow_load, lambda: player)  # type: ignore[arg-type, return-value]
    work = (lambda: voice.say("What is data leakage?")) if use == "say" else (
        lambda: voice.prepare(["What is data leakage?"]))
    worker = threading.Thread(target=work)
    worker.start()
    assert loading.wait(5)
    voice.stop()  # the candidate presses record (VoicePanel.start): stop, then rest in a worker
    voice.rest()
    finish.set()
    worker.join(5)
    assert not worker.is_alive()
    assert synthesizer.releases == 1 and not synthesizer.loaded
    assert synthesizer.rendered == [] and player.played == []
    assert voice.say("Next question.") is None  # the next text loads it again, as after any rest
    assert synthesizer.rendered == ["Next question."] and synthesizer.releases == 1


def test_a_rest_with_no_load_under_way_does_not_free_a_later_load() -> None:
    synthesizer, player = FakeSynthesizer(), FakePlayer()
    voice = Voice(lambda: synthesizer, lambda: player)  # type: ignore[arg-type, return-value]
    voice.stop()
    voice.rest()  # recording before the voice was ever used (questions not read aloud): nothing to free
    assert voice.say("What is data leakage?") is None
    assert synthesizer.releases == 0 and synthesizer.loaded and len(player.played) == 1


@pytest.mark.parametrize("use", ["say", "prepare"])
def test_a_stop_before_the_worker_runs_keeps_the_model_unloaded(use: str) -> None:
    """The screen reads ``generation`` when it starts the worker; recording that begins before the worker runs
    (stop, rest) must keep it from loading the model for the take, or playing into the microphone."""
    synthesizer, player = FakeSynthesizer(), FakePlayer()
    loads: list[int] = []

    def load() -> FakeSynthesizer:
        loads.append(1)
        return synthesizer

    voice = Voice(load, lambda: player)  # type: ignore[arg-type, return-value]
    generation = voice.generation  # on the UI thread, as the worker is started
    voice.stop()  # the candidate presses record before the worker thread runs
    voice.rest()
    if use == "say":
        assert voice.say("What is data leakage?", generation) is None
    else:
        voice.prepare(["What is data leakage?"], generation)
    assert loads == [] and synthesizer.rendered == [] and player.played == []


def test_preparing_stops_between_texts_once_recording_begins() -> None:
    """The feedback screen prepares the next texts in a worker; if the candidate starts recording meanwhile
    (``stop``), it must not load the model again for the remaining texts (that would undo ``rest``)."""
    class StoppedMidway(FakeSynthesizer):
        def synthesize(self, text: str) -> Any:
            speech = super().synthesize(text)
            voice.stop()  # recording starts while the first text is being prepared
            return speech

    synthesizer = StoppedMidway()
    voice = Voice(lambda: synthesizer, FakePlayer)  # type: ignore[arg-type]
    voice.prepare(["Can you give an example?", "Next question."])
    assert synthesizer.rendered == ["Can you give an example?"]
    voice.prepare(["Next question."])  # a later prepare (a new screen) goes on as usual
    assert synthesizer.rendered == ["Can you give an example?", "Next question."]
