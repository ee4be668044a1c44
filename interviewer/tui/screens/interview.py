"""One question: the question, the clock, the answer (typed, or recorded and transcribed), submit.

Submitting commits the answer to the session store at once (on the UI thread, a short SQLite
transaction); grading then runs in a thread worker, waiting for the grading model if it is still loading,
and the feedback screen follows. A blank answer is not submitted. If the store refuses the answer (locked,
full), an error modal says so and the answer stays in the editor to submit again. If grading fails, the
answer stays saved: ctrl+s grades it again, ctrl+n moves on to the next question.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from interviewer.display import printable
from interviewer.scoring.result import Grade
from interviewer.session import lifecycle
from interviewer.session.round import Turn
from interviewer.tui import messages
from interviewer.tui.models import ModelState
from interviewer.tui.of_app import OfTheApp
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.tui.widgets.answer_timer import DEFAULT_LIMIT_SECONDS, AnswerTimer
from interviewer.tui.widgets.model_status import ModelStatus
from interviewer.tui.widgets.question_voice import QuestionVoice
from interviewer.tui.widgets.voice_panel import VoicePanel, review_notice


class InterviewScreen(OfTheApp, Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("ctrl+r", "record", "Record/stop", priority=True),
        Binding("ctrl+t", "type_instead", "Type instead", priority=True),
        Binding("ctrl+n", "next", "Next question", priority=True),
        Binding("ctrl+l", "hear", "Hear again", priority=True),
        Binding("escape", "leave", "Leave round", show=False),  # the footer is full at 80 columns
    ]

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn
        self.voice = self.interviewer.answer_mode == "voice"
        self.grading = False
        self.saved = False
        """The answer is in the store (the editor is read-only from then on)."""
        self.grade_failed = False
        self._saved: lifecycle.SavedAnswer | None = None
        self._unrecorded: lifecycle.GradeNotSaved | None = None
        """A grade the store refused; submitting again stores it."""
        self._take: VoicePanel.Transcribed | None = None
        self._told_empty = False  # the status line says there is nothing to submit
        self._started_at = self.interviewer.services.now().astimezone().isoformat(timespec="seconds")

    def compose(self) -> ComposeResult:
        interview = self.interviewer.interview
        assert interview is not None
        rubric = self.turn.rubric
        limit = (rubric.time_limit_seconds or DEFAULT_LIMIT_SECONDS) if interview.timed else None
        details = printable(" · ".join(x for x in (interview.bank, rubric.id, rubric.difficulty or "") if x), one_line=True)
        with Horizontal(id="question-bar"):
            yield Static(f"Question {self.turn.position} of {len(interview.turns)}  ·  {details}", id="position")
            yield AnswerTimer(limit, self.interviewer.services.clock, id="timer")
        yield Static(printable(rubric.question), id="question", markup=False)
        yield QuestionVoice(rubric.question, id="speaking")
        with Vertical(id="answer"):
            yield VoicePanel(id="voice")
            yield AnswerEditor(id="editor", soft_wrap=True, show_line_numbers=False,
                           placeholder="Type your answer here. ctrl+s submits it.")
        yield Static("", id="status")
        yield ModelStatus(id="models")
        yield Footer()

    def on_mount(self) -> None:
        self._show_mode()
        self.watch(self.interviewer, "answer_mode", self._mode_changed, init=False)
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        self.interviewer.trace("question")
        self.interviewer.ensure_models()

    def _show_mode(self) -> None:
        panel = self.query_one(VoicePanel)
        editor = self.query_one("#editor", TextArea)
        panel.display = self.voice
        editor.display = not self.voice or self._take is not None
        if self.voice and self._take is None:
            panel.query_one("#record").focus()
        else:
            editor.focus()
        self.refresh_bindings()

    def _mode_changed(self, mode: str) -> None:
        if mode == "typed" and self.voice:
            self.query_one(VoicePanel).discard()
            self.voice = False
            self._take = None
            self._show_mode()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("record", "type_instead"):
            return self.voice and not self.grading
        if action == "submit":
            return not self.grading
        if action == "next":
            return self.grade_failed and not self.grading
        if action == "hear":
            return self.query_one(QuestionVoice).enabled
        return True

    def unsubmitted(self) -> bool:
        """Is there typed (or transcribed) text that has not been saved?"""
        return not self.saved and bool(self.query_one("#editor", TextArea).text.strip())

    # -- voice ------------------------------------------------------------------------------------------
    def action_record(self) -> None:
        if self.voice and not self.grading:
            self.query_one(VoicePanel).toggle()

    def action_leave(self) -> None:
        from interviewer.tui.screens.confirm import confirm_leave

        confirm_leave(self.interviewer)

    def action_hear(self) -> None:
        """The interviewer reads the question again."""
        self.query_one(QuestionVoice).say()

    def action_type_instead(self) -> None:
        self.interviewer.answer_mode = "typed"

    @on(VoicePanel.Transcribed)
    def _transcribed(self, message: VoicePanel.Transcribed) -> None:
        self._take = message
        self._told_empty = False  # the status line says what to check in the new transcript instead
        editor = self.query_one("#editor", TextArea)
        editor.text = message.transcript.text
        self.query_one("#status", Static).update(review_notice(message.transcript))
        self._show_mode()
        self.call_after_refresh(self.interviewer.trace, "transcript-ready")  # on screen, in the editor

    @on(TextArea.Changed, "#editor")
    def _typed(self, event: TextArea.Changed) -> None:
        # Blanks are still nothing to submit (and a space typed just before ctrl+s reaches here after it).
        if self._told_empty and event.text_area.text.strip():
            self._told_empty = False
            self.query_one("#status", Static).update("")

    # -- submit and grade -------------------------------------------------------------------------------
    def action_submit(self) -> None:
        # ctrl+s is a priority binding: it runs before keys typed just ahead of it have reached the editor
        # (a fast typist, a paste without bracketed paste); submit once the editor has taken them.
        self.query_one("#editor", TextArea).call_later(self._submit)

    def _submit(self) -> None:
        if self.grading:
            return
        if self.saved:  # grading (or storing the grade) failed: try again with the saved answer
            self._retry_grading()
            return
        status = self.query_one("#status", Static)
        if self.voice and self.query_one(VoicePanel).state in ("starting", "recording", "transcribing"):
            status.update("Stop the recording first (ctrl+r), then check the transcript and submit.")
            return
        if self.voice and self._take is None:
            status.update("Record your answer first (ctrl+r), or type it instead (ctrl+t).")
            return
        interview = self.interviewer.interview
        assert interview is not None
        editor = self.query_one("#editor", TextArea)
        text = editor.text
        if not text.strip():
            message = ("The transcript is empty: record again (ctrl+r), or type your answer." if self.voice
                       else "Nothing to submit: type your answer first.")
            self.notify(message, severity="warning", timeout=4)
            status.update(message)  # also on the status line, until something is typed (a toast fades)
            self._told_empty = True
            return
        timer = self.query_one(AnswerTimer)
        take = self._take if self.voice else None
        submitted = lifecycle.submit_answer(
            interview, self.turn, text, mode="voice" if take else "typed", audio_path=str(take.path) if take else None,
            transcript=take.transcript if take else None, delivery=take.delivery if take else None,
            started_at=self._started_at, seconds=round(timer.elapsed, 1))
        if isinstance(submitted, lifecycle.NotSaved):  # the text stays in the editor; ctrl+s tries again
            status.update("Your answer was not saved; it is still here. ctrl+s tries again.")
            self.interviewer.store_refused("Your answer", submitted.error)
            return
        self._saved = submitted.answer
        self.interviewer.trace("answer-submitted")
        if take is not None:
            self.query_one(VoicePanel).keep()  # the recording belongs to the saved answer
        timer.stop()
        self.saved = True
        editor.read_only = True
        waiting = "" if self.interviewer.grader_state == ModelState.READY else " (waiting for the grading model to load)"
        self._start_grading(f"◌ Answer saved. Grading it…{waiting}")

    def _start_grading(self, status: str) -> None:
        self.grading = True
        self.grade_failed = False
        self.refresh_bindings()
        self.query_one("#status", Static).update(status)
        assert self._saved is not None
        self._grade(self._saved)

    def _retry_grading(self) -> None:
        if self._unrecorded is not None:
            self._record(self._unrecorded.answer, self._unrecorded.grade)
        else:
            self._start_grading("◌ Grading your saved answer again…")

    def action_next(self) -> None:
        """Grading failed: leave this answer saved and ungraded (``interviewer resume`` grades it later)."""
        if self.grade_failed and not self.grading:
            self.interviewer.next_question()

    @work(thread=True, exclusive=True, exit_on_error=False, group="grade", description="grading the answer")
    def _grade(self, answer: lifecycle.SavedAnswer) -> None:
        messages.grade_and_post(self, answer, self.interviewer.grader_blocking)

    @on(messages.Graded)
    def _graded(self, message: messages.Graded) -> None:
        self._record(message.outcome.answer, message.outcome.grade)

    @on(messages.GradingFailed)
    def _failed(self, message: messages.GradingFailed) -> None:
        app = self.interviewer
        self._grading_failed("Grading failed")
        if app.grader_state != ModelState.FAILED:  # a model that did not load has had its modal already
            app.show_error("Grading failed", message.outcome.message)

    def _record(self, answer: lifecycle.SavedAnswer, grade: Grade) -> None:
        """Store the grade and show the feedback; if the store refuses it, keep it for ctrl+s to store again."""
        recorded = answer.record(grade)
        if isinstance(recorded, lifecycle.GradeNotSaved):
            self._unrecorded = recorded
            self._grading_failed("The grade was not saved")
            self.interviewer.store_refused("The grade", recorded.error)
            return
        self._unrecorded = None
        self.interviewer.show_feedback(self.turn)

    def _grading_failed(self, what: str) -> None:
        app = self.interviewer
        session = app.interview.session_id if app.interview else "?"
        self.grading = False
        self.grade_failed = True
        self.refresh_bindings()
        self.query_one("#status", Static).update(
            f"{what}. Your answer is saved (session {session}): ctrl+s tries again, ctrl+n goes on to the next "
            f"question, and `interviewer resume {session}` grades it later.")
