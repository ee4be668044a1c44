"""The round's models: the grading model (embedder, stance model, the bank's rubrics) and speech (the
microphone and Whisper). ``Models`` lives in ``Services``; no Textual here.

The app starts each load in a thread worker (``load_grader`` / ``load_speech`` block) and is told how it
went by the worker's message; a worker that needs a model calls ``grader`` / ``transcriber``, which wait
for it. The UI thread never waits on a model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from interviewer.session.lifecycle import error_text

if TYPE_CHECKING:
    from interviewer.rubrics.loader import Bank
    from interviewer.scoring.grader import Grader
    from interviewer.speech.engine import Transcriber
    from interviewer.tui.services import Services

__all__ = ["ModelName", "ModelState", "Models", "NoWaitExecutor", "error_text"]

ModelName = Literal["grader", "speech"]


class ModelState(str, Enum):
    """Where a model is; the values are what the status line and the tests read."""

    OFF = "off"
    """Not wanted (speech in a typed round)."""
    IDLE = "idle"
    """Wanted, not started yet."""
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class NoWaitExecutor(ThreadPoolExecutor):
    """The event loop's default executor (where thread workers run) that does not wait for its threads
    when the app closes: an import of torch cannot be interrupted, and quitting while a model loaded took
    ~8 s. Every submitted answer is already committed by then; the CLI exits without joining the threads."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)


class Models:
    """Each model loaded once, handed out to worker threads.

    The models load one after the other, never together: two loads at once fight over two cores, and
    Whisper's load has a transient peak (~110 MB over what it keeps) that should not land on top of a
    loaded embedder. A spoken round loads Whisper first (0.5 s), then the embedder.
    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self._embedder: Future[Any] = Future()
        self._transcriber: Future[Transcriber] = Future()
        self._graders: dict[int, Grader] = {}
        self._lock = threading.Lock()
        self._stance: dict[int, Any] = {}
        self.grader_started = False
        self.speech_started = False

    # -- loading (the app starts these in thread workers) -----------------------------------------------
    def start_grader(self) -> Future[Any] | None:
        """Claim the grading model's load (once): what it should wait for (Whisper loading first), or None.
        Raises ``RuntimeError`` if it was claimed before."""
        if self.grader_started:
            raise RuntimeError("the grading model is already loading")
        self.grader_started = True
        return self._transcriber if self.speech_started else None

    def start_speech(self) -> Future[Any] | None:
        """Claim the speech load (once): what it should wait for (the grading model loading), or None."""
        if self.speech_started:
            raise RuntimeError("speech is already loading")
        self.speech_started = True
        return self._embedder if self.grader_started and not self._embedder.done() else None

    def forget_failed_speech(self) -> bool:
        """After the microphone check or Whisper's load failed: forget the failure, so that ``start_speech``
        can claim the load again (the candidate chose another microphone). False if speech had not failed."""
        if not (self.speech_started and self._transcriber.done() and self._transcriber.exception() is not None):
            return False
        self._transcriber = Future()
        self.speech_started = False
        return True

    def load_grader(self, bank: Bank | None, after: Future[Any] | None = None) -> None:
        """Load the embedder and embed ``bank``'s rubrics (or read them from the disk cache), so the first
        submit does not wait for them: off-topic checks need them all. Blocks; raises what failed."""
        try:
            if after is not None:
                wait([after])
            embedder = self._services.load_embedder()  # type: ignore[misc]
            if bank is not None:
                grader = self._grader_for(embedder, bank)
                for rubric in bank.values():
                    grader.prepare(rubric)
        except BaseException as exc:
            self._embedder.set_exception(exc)
            raise
        self._embedder.set_result(embedder)

    def load_speech(self, after: Future[Any] | None = None) -> None:
        """Check the microphone, then load Whisper. Blocks; raises what failed."""
        try:
            self._services.check_microphone()  # type: ignore[misc]
            if after is not None:
                wait([after])
            transcriber = self._services.load_transcriber()  # type: ignore[misc]
        except BaseException as exc:
            self._transcriber.set_exception(exc)
            raise
        self._transcriber.set_result(transcriber)

    # -- handing out (worker threads only) --------------------------------------------------------------
    def grader(self, bank: Bank) -> Grader:
        """The grader for ``bank``; waits for the model (and raises if it did not load)."""
        return self._grader_for(self._embedder.result(), bank)

    def grader_for(self, bank: Bank) -> Callable[[], Grader]:
        """``grader`` for ``bank``, to be called later (what ``SavedAnswer.grade`` takes)."""
        return lambda: self.grader(bank)

    def transcriber(self) -> Transcriber:
        """Whisper; waits for it."""
        return self._transcriber.result()

    def transcriber_ready(self) -> Transcriber | None:
        if self._transcriber.done() and self._transcriber.exception() is None:
            return self._transcriber.result()
        return None

    def _grader_for(self, embedder: Any, bank: Bank) -> Grader:
        """One grader per bank (cheap once the embedder is loaded), with the stance model loaded once per
        embedder, by whichever worker gets here first."""
        from interviewer.scoring.factory import make_grader

        with self._lock:
            if id(bank) not in self._graders:
                if id(embedder) not in self._stance:
                    self._stance[id(embedder)] = self._services.load_stance(embedder)  # type: ignore[misc]
                stance = self._stance[id(embedder)]
                self._graders[id(bank)] = make_grader(self._services.settings, bank, embedder=embedder,
                                                      stance="similarity" if stance is None else stance)
            return self._graders[id(bank)]

