"""The app's models: the embedding model (grading) and Whisper (spoken answers), loaded in thread workers.

``ModelLoading`` is mixed into ``InterviewerApp``: the state it reads and writes (``services``, ``bank``,
the futures and the reactive states) is set up by the app. Screens and workers that need a model call
``grader_blocking`` / ``transcriber_blocking`` from a worker thread; the UI thread never waits on a model.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from textual import work

from interviewer.errors import InterviewerError

if TYPE_CHECKING:
    from interviewer.rubrics.loader import Bank
    from interviewer.scoring.grader import Grader
    from interviewer.speech.engine import Transcriber
    from interviewer.tui.services import Services


class NoWaitExecutor(ThreadPoolExecutor):
    """The event loop's default executor (where thread workers run) that does not wait for its threads
    when the app closes: an import of torch cannot be interrupted, and quitting while a model loaded took
    ~8 s. Every submitted answer is already committed by then; the CLI exits without joining the threads."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)


def error_text(error: BaseException | None) -> str:
    """One line for the user: an ``InterviewerError``'s message, else the exception's type and text."""
    if isinstance(error, InterviewerError):
        return error.message
    if error is None:
        return "unknown error"
    return f"{type(error).__name__}: {error}"


class ModelLoading:
    """Loading and handing out the models (a mixin of ``InterviewerApp``)."""

    # set up by InterviewerApp.__init__ (and its reactives)
    services: Services
    bank: Bank | None
    answer_mode: str
    grader_state: str
    speech_state: str
    _embedder: Future[Any]
    _transcriber: Future[Transcriber]
    _graders: dict[int, Grader]
    _graders_lock: threading.Lock
    _speech_started: bool

    def ensure_models(self) -> None:
        """Start loading what the round needs (once each). Screens call this after their first paint.

        The models load one after the other, never together: two loads at once fight over two cores, and
        Whisper's load has a transient peak (~110 MB over what it keeps) that should not land on top of a
        loaded embedder. A spoken round loads Whisper first (0.5 s), then the embedder.
        """
        if self.answer_mode == "voice":
            self.ensure_speech()
        if self.grader_state == "idle":
            self.grader_state = "loading"
            self._load_embedder(self._transcriber if self._speech_started else None)

    def ensure_speech(self) -> None:
        """Start checking the microphone and loading Whisper (once)."""
        if self._speech_started:
            return
        self._speech_started = True
        self.speech_state = "loading"
        self._load_speech(self._embedder if self.grader_state == "loading" else None)

    @work(thread=True, exit_on_error=False, group="models", name="embedder",
          description="loading the grading model")
    def _load_embedder(self, after: Future[Any] | None) -> None:
        try:
            if after is not None:
                wait([after])
            embedder = self.services.load_embedder()  # type: ignore[misc]
            bank = self.bank
            if bank is not None:  # embed the bank's rubrics now (or read them from the disk cache), not at
                grader = self.services.grader(embedder, bank)  # the first submit: off-topic checks need them all
                for rubric in bank.values():
                    grader.prepare(rubric)
                with self._graders_lock:
                    self._graders[id(bank)] = grader
        except BaseException as exc:
            self._embedder.set_exception(exc)
            raise
        self._embedder.set_result(embedder)

    @work(thread=True, exit_on_error=False, group="models", name="speech",
          description="checking the microphone and loading Whisper")
    def _load_speech(self, after: Future[Any] | None) -> None:
        try:
            self.services.check_microphone()  # type: ignore[misc]
            if after is not None:
                wait([after])
            transcriber = self.services.load_transcriber()  # type: ignore[misc]
        except BaseException as exc:
            self._transcriber.set_exception(exc)
            raise
        self._transcriber.set_result(transcriber)

    # -- models, from worker threads --------------------------------------------------------------------
    def grader_blocking(self) -> Grader:
        """The grader for the round's bank; waits for the model. Call from a worker thread only."""
        embedder = self._embedder.result()
        bank = self.bank
        assert bank is not None
        with self._graders_lock:
            if id(bank) not in self._graders:
                self._graders[id(bank)] = self.services.grader(embedder, bank)
            return self._graders[id(bank)]

    def transcriber_blocking(self) -> Transcriber:
        """Whisper; waits for it. Call from a worker thread only."""
        return self._transcriber.result()

    def transcriber_ready(self) -> Transcriber | None:
        if self._transcriber.done() and self._transcriber.exception() is None:
            return self._transcriber.result()
        return None
