"""The Textual app: a mock interview, typed or spoken, with feedback on every answer.

``make_app`` builds it for the CLI and the tests. The app owns the round (an ``Interview``, which keeps
every answer in the session store); ``services.models`` owns the models. The embedding model (and Whisper,
for spoken answers) load in thread workers once the first screen is painted; a worker that needs a model
waits for it, off the UI thread. Widgets change only on the UI thread: workers report back with typed
messages (``tui/messages.py``); each answer goes through ``session.lifecycle``.

Screens: start (choose a round or resume one), interview (one question), feedback (one answer), follow-up,
summary; an error modal. Styles are in ``app.tcss``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from interviewer.errors import InterviewerError
from interviewer.session import lifecycle
from interviewer.session.round import Interview, Turn, bank_name, choose_questions, fewer_than_asked
from interviewer.tui import messages
from interviewer.tui.models import Models, ModelState, NoWaitExecutor
from interviewer.tui.services import RoundOptions, Services

if TYPE_CHECKING:
    from interviewer.rubrics.loader import Bank
    from interviewer.scoring.grader import Grader
    from interviewer.speech.engine import Transcriber

TRACE_ENV = "INTERVIEWER_TUI_TRACE"  # a file: the app appends "event wall-clock-seconds" lines (the benchmark)


class InterviewerApp(App[int]):
    """The interviewer. Build it with ``make_app``."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: a subclass elsewhere (the tests') finds it too
    TITLE = "interviewer"
    SUB_TITLE = "offline mock interview"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    grader_state: reactive[ModelState] = reactive(ModelState.IDLE)
    """The grading model: idle, loading, ready or failed."""
    speech_state: reactive[ModelState] = reactive(ModelState.OFF)
    """Whisper and the microphone: off (typed round), loading, ready or failed."""
    answer_mode: reactive[str] = reactive("typed")
    """How answers are given now: voice falls back to typed when speech fails."""

    def __init__(self, services: Services, options: RoundOptions | None = None, *, start: bool = False,
                 resume: int | None = None) -> None:
        super().__init__()
        self.services = services
        self.options = options
        self.start_at_once = start and options is not None
        self.resume_id = resume
        self.interview: Interview | None = None
        self.bank: Bank | None = None
        self._trace_path = os.environ.get(TRACE_ENV)
        self._shown_errors: set[str] = set()
        self._pending_screen: Screen[Any] | None = None
        self._regrading = False
        """A worker is grading a resumed session's saved answers."""

    # -- start-up ---------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        from interviewer.tui.screens.start import StartScreen

        asyncio.get_running_loop().set_default_executor(NoWaitExecutor(thread_name_prefix="interviewer-worker"))
        self.trace("mounted")
        started = False
        if self.resume_id is not None:
            started = self.resume_session(self.resume_id)
        elif self.options is not None and self.start_at_once:
            started = self.begin(self.options)
        if not started:
            self._replace(StartScreen(self.options))

    def trace(self, event: str) -> None:
        """Append ``event time`` to the trace file, if one is set (app_startup.py and voice_round.py --pty read it)."""
        if self._trace_path:
            with open(self._trace_path, "a", encoding="utf-8") as out:
                out.write(f"{event} {time.time():.6f}\n")

    # -- the models -------------------------------------------------------------------------------------
    @property
    def models(self) -> Models:
        return self.services.models

    def ensure_models(self) -> None:
        """Start loading what the round needs (once each; see ``Models``). Screens call this after their
        first paint; a spoken round loads Whisper first."""
        if self.answer_mode == "voice":
            self.ensure_speech()
        if self.grader_state == ModelState.IDLE and not self.models.grader_started:
            self.grader_state = ModelState.LOADING
            self._load_grader(self.bank, self.models.start_grader())

    def ensure_speech(self) -> None:
        """Start checking the microphone and loading Whisper (once)."""
        if self.models.speech_started:
            return
        self.speech_state = ModelState.LOADING
        self._load_speech(self.models.start_speech())

    @work(thread=True, exit_on_error=False, group="models", description="loading the grading model")
    def _load_grader(self, bank: Bank | None, after: Future[Any] | None) -> None:
        try:
            self.models.load_grader(bank, after)
        except Exception as exc:  # noqa: BLE001 - reported as the model's state
            self.post_message(messages.ModelStateChanged("grader", ModelState.FAILED, lifecycle.error_text(exc)))
        else:
            self.post_message(messages.ModelStateChanged("grader", ModelState.READY))

    @work(thread=True, exit_on_error=False, group="models", description="checking the microphone and loading Whisper")
    def _load_speech(self, after: Future[Any] | None) -> None:
        try:
            self.models.load_speech(after)
        except Exception as exc:  # noqa: BLE001 - reported as the model's state
            self.post_message(messages.ModelStateChanged("speech", ModelState.FAILED, lifecycle.error_text(exc)))
        else:
            self.post_message(messages.ModelStateChanged("speech", ModelState.READY))

    @on(messages.ModelStateChanged)
    def _model_state_changed(self, message: messages.ModelStateChanged) -> None:
        ok = message.state == ModelState.READY
        self.trace(f"{'embedder' if message.model == 'grader' else 'speech'}-{'ready' if ok else 'failed'}")
        if message.model == "grader":
            self.grader_state = message.state
            if not ok:
                self.show_error("The grading model did not load", message.error +
                                "\n\nYour answers are still saved as you submit them; grade them later with "
                                "`interviewer resume`.")
        else:
            self.speech_state = message.state
            if not ok:
                self.speech_failed(message.error)
        if self.speech_state in (ModelState.READY, ModelState.OFF) and self.grader_state == ModelState.READY:
            self.trace("models-ready")  # every model this round needs

    def grader_blocking(self) -> Grader:
        """The grader for the round's bank; waits for the model. Call from a worker thread only."""
        assert self.bank is not None
        return self.models.grader(self.bank)

    def transcriber_blocking(self) -> Transcriber:
        """Whisper; waits for it. Call from a worker thread only."""
        return self.models.transcriber()

    def transcriber_ready(self) -> Transcriber | None:
        return self.models.transcriber_ready()

    # -- errors -----------------------------------------------------------------------------------------
    def show_error(self, title: str, message: str, *, once: bool = True) -> None:
        """An error modal (each distinct message once, unless ``once`` is False: a store write the candidate
        retries fails with the same message each time)."""
        from interviewer.tui.screens.error import ErrorModal

        if once and message in self._shown_errors:
            return
        self._shown_errors.add(message)
        self.push_screen(ErrorModal(title, message), lambda _: self.modal_closed())

    def store_refused(self, what: str, error: InterviewerError) -> None:
        """A store write failed (the database is locked, full or gone): say so; the screen lets the candidate retry."""
        self.show_error(f"{what} was not saved", error.message + "\n\nClose this and try again (ctrl+s).", once=False)

    def speech_failed(self, message: str) -> None:
        """Speech cannot be used (no microphone, no PortAudio, Whisper failed): say so and offer typing."""
        from interviewer.tui.screens.error import ErrorModal

        def chosen(type_instead: bool | None) -> None:
            if type_instead:
                self.answer_mode = "typed"
            self.modal_closed()

        from interviewer.speech.devices import TYPED_FALLBACK

        message = message.replace("; " + TYPED_FALLBACK, "").replace(TYPED_FALLBACK, "").rstrip("; ")
        message += ".\n\nYou can type your answers instead: press t (or ctrl+t on the question later)."
        self.speech_state = ModelState.FAILED
        if message in self._shown_errors:
            return
        self._shown_errors.add(message)
        self.push_screen(ErrorModal("Spoken answers are not available", message, offer_typing=True), chosen)

    # -- the round --------------------------------------------------------------------------------------
    def load_bank(self, options: RoundOptions) -> Bank:
        from interviewer.rubrics.loader import load_bank

        return load_bank(options.bank or self.services.settings.bank_dir())

    def begin(self, options: RoundOptions) -> bool:
        """Start a new round. A bad bank, id or count shows an error modal and stays on the start screen."""
        try:
            bank = self.load_bank(options)
            rubrics = choose_questions(bank, list(options.questions) or None, options.count, options.seed)
            self.interview = Interview.start(self.services.store, rubrics, mode=options.mode,
                                             bank_name=bank_name(options.bank or self.services.settings.bank),
                                             timed=options.timed)
        except InterviewerError as exc:
            self.show_error("Cannot start the round", exc.message)
            return False
        self.bank, self.answer_mode = bank, options.mode
        if not options.questions and (note := fewer_than_asked(options.count, rubrics, "Questions")):
            self.notify(note, timeout=6)  # the plain round prints the same note
        self.next_question()
        return True

    def resume_session(self, session_id: int) -> bool:
        """Carry on with a stored session: grade its saved but ungraded answers, then ask what is left."""
        from interviewer.session.resume import session_bank

        override = self.options.bank if self.options is not None and session_id == self.resume_id else None
        try:
            record = self.services.store.session(session_id)
            bank = session_bank(record, override)
            self.interview = Interview.resume(self.services.store, bank, session_id)
        except InterviewerError as exc:
            self.show_error("Cannot resume the session", exc.message)
            return False
        self.bank, self.answer_mode = bank, self.interview.mode
        saved = lifecycle.saved_answers(self.interview)
        if saved:
            self.notify(f"Grading {len(saved)} saved answer(s) in the background…", timeout=4)
            self._regrading = True
            self._grade_saved(saved, bank)
        self.next_question()
        return True

    @work(thread=True, exit_on_error=False, group="regrade", description="grading saved answers")
    def _grade_saved(self, saved: list[lifecycle.SavedAnswer], bank: Bank) -> None:
        """Grade answers (and follow-up answers) saved before the last process stopped; each grade is recorded
        by ``_saved_answer_graded`` on the UI thread."""
        for answer in saved:
            outcome = answer.grade(self.models.grader_for(bank))
            if isinstance(outcome, lifecycle.GradingFailed):
                self.post_message(messages.GradingFailed(outcome))
                break
            self.post_message(messages.Graded(outcome))
        self.post_message(messages.SavedAnswersGraded())

    @on(messages.Graded)
    def _saved_answer_graded(self, message: messages.Graded) -> None:
        if not self._regrading:
            return  # the store refused an earlier grade: the rest would be refused too
        recorded = message.outcome.answer.record(message.outcome.grade)
        if isinstance(recorded, lifecycle.GradeNotSaved):
            self._regrading = False
            session = recorded.answer.interview.session_id
            self.show_error("A grade was not saved", recorded.message + f"\n\nThe answers are saved: `interviewer "
                            f"resume {session}` grades them later.")

    @on(messages.GradingFailed)
    def _saved_answer_failed(self, message: messages.GradingFailed) -> None:
        self.show_error("Grading the saved answers failed", message.outcome.message)

    @on(messages.SavedAnswersGraded)
    def _saved_answers_graded(self) -> None:
        self._regrading = False
        if self.interview is not None and not self.interview.pending:
            self.next_question()  # every question was answered before: the summary, now that grading is over

    def next_question(self) -> None:
        """The next unanswered question, or the summary when none is left."""
        from interviewer.tui.screens.interview import InterviewScreen
        from interviewer.tui.screens.summary import SummaryScreen

        interview = self.interview
        assert interview is not None
        pending = interview.pending
        if not pending and interview.ungraded and self._regrading:
            self.notify("Grading your saved answers; the summary follows.", timeout=4)
            return
        if not pending and interview.ungraded:  # grading failed or was skipped: the session stays resumable
            self.notify(f"{len(interview.ungraded)} answer(s) not graded: `interviewer resume {interview.session_id}`"
                        " grades them.", severity="warning", timeout=8)
        elif not pending:
            try:
                interview.finish()
            except InterviewerError as exc:  # every answer is saved; only "finished" is missing
                self.show_error("The round was not marked finished", exc.message)
        if not pending:
            self._replace(SummaryScreen())
            return
        self._replace(InterviewScreen(pending[0]))

    def show_feedback(self, turn: Turn) -> None:
        from interviewer.tui.screens.feedback import FeedbackScreen

        self._replace(FeedbackScreen(turn))

    def action_history(self) -> None:
        """The history screen, over whatever is showing; Esc comes back."""
        from interviewer.tui.screens.history import HistoryScreen

        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen())

    def new_round(self) -> None:
        """Leave this round for the start screen (after asking, if an answer is typed but not submitted)."""
        from interviewer.tui.screens.confirm import confirm_discard

        confirm_discard(self, self._new_round_now, "Leave the round")

    def _new_round_now(self) -> None:
        from interviewer.tui.screens.start import StartScreen

        screen = StartScreen.after_round(self.bank, self.interview, self.answer_mode)
        self._leave_round()
        self.interview = None
        self._replace(screen)

    async def action_quit(self) -> None:
        """Quit (after asking, if an answer is typed but not submitted; ctrl+q again in that modal quits)."""
        from interviewer.tui.screens.confirm import ConfirmModal, confirm_discard

        if isinstance(self.screen, ConfirmModal):
            self._quit_now()
        else:
            confirm_discard(self, self._quit_now, "Quit")

    def _quit_now(self) -> None:
        self._leave_round()
        self.exit()

    def _leave_round(self) -> None:
        """The candidate leaves the round: a session with no answer at all is not kept as unfinished."""
        # (the database locked or gone: the empty session stays in history as unfinished; no answer is lost)
        with contextlib.suppress(InterviewerError):
            if self.interview is not None:
                self.interview.discard_if_empty()

    def unsubmitted_answer(self) -> bool:
        """Is an answer (or follow-up answer) typed on an open screen but not submitted?"""
        from interviewer.tui.screens.follow_up import FollowUpScreen
        from interviewer.tui.screens.interview import InterviewScreen

        return any(s.unsubmitted() for s in self.screen_stack if isinstance(s, InterviewScreen | FollowUpScreen))

    def _replace(self, screen: Screen[Any]) -> None:
        """Show ``screen`` in place of the round's current screen; if a modal is open, once it closes.

        The round's screen is the one above Textual's default screen; screens pushed over it (history, a
        follow-up) are closed first, so the stack never keeps a stale question under a new one.
        """
        if self.screen_stack and self.screen_stack[-1].is_modal:
            self._pending_screen = screen
            return
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def modal_closed(self, *, show_pending: bool = True) -> None:
        """A modal closed: show the screen that was due meanwhile (unless the candidate is leaving the round)."""
        pending, self._pending_screen = self._pending_screen, None
        if pending is not None and show_pending:
            self._replace(pending)

    # -- the command palette ----------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New round", "Leave this round (answers are saved) and choose another", self.new_round)
        yield SystemCommand("History", "Your past sessions: mean scores, trend, key points", self.action_history)
        from interviewer.tui.screens.microphone import choose_microphone
        from interviewer.tui.widgets.question_voice import toggle_speaking

        spoken = "on" if self.services.voice.speaks(self.answer_mode) else "off"
        yield SystemCommand("Speak questions", f"Read questions aloud (now {spoken}): turn it on or off",
                            lambda: toggle_speaking(self))
        yield SystemCommand("Microphone", "Choose the microphone and test it", lambda: choose_microphone(self))
        if self.answer_mode == "voice":
            yield SystemCommand("Type answers", "Answer by typing instead of speaking",
                                lambda: setattr(self, "answer_mode", "typed"))


def make_app(services: Services, options: RoundOptions | None = None, *, start: bool = False,
             resume: int | None = None, app_class: type[InterviewerApp] = InterviewerApp) -> InterviewerApp:
    """The app for the CLI and the tests.

    ``options``: the round to offer on the start screen, or with ``start`` to begin at once; ``resume``:
    carry on with that stored session. ``app_class``: a subclass (the tests' one stops the cursor blinking).
    """
    return app_class(services, options, start=start, resume=resume)
