"""A follow-up question on one concept the answer missed; the answer is graded against that concept.

As on the question screen: the interviewer reads the follow-up aloud when the round speaks (ctrl+l again);
in a spoken round it is answered by voice (ctrl+r records and stops, the transcript is checked in the
editor, ctrl+s submits; ctrl+t types instead); a blank answer is not submitted; an answer the store
refuses stays in the editor; after a grading failure ctrl+s grades the saved answer again.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from interviewer.display import printable
from interviewer.scoring.result import Grade
from interviewer.session import lifecycle
from interviewer.session.round import FollowUp, Turn
from interviewer.tui import messages
from interviewer.tui.of_app import OfTheApp
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.tui.widgets.grade_view import GradeView
from interviewer.tui.widgets.model_status import ModelStatus
from interviewer.tui.widgets.question_voice import QuestionVoice
from interviewer.tui.widgets.voice_panel import VoicePanel, review_notice


class FollowUpScreen(OfTheApp, Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("ctrl+r", "record", "Record/stop", priority=True),
        Binding("ctrl+t", "type_instead", "Type instead", priority=True),
        Binding("ctrl+l", "hear", "Hear again", priority=True),
        Binding("escape", "back", "Back to feedback"),
    ]

    def __init__(self, turn: Turn, concept_id: str, question: str) -> None:
        super().__init__()
        self.turn = turn
        self.concept_id = concept_id
        self.question = question
        self.follow: FollowUp | None = None
        self._saved: lifecycle.SavedAnswer | None = None
        self.grading = False
        self._unrecorded: lifecycle.GradeNotSaved | None = None
        """A grade the store refused; submitting again stores it."""
        self.voice = self.interviewer.answer_mode == "voice"
        self._take: VoicePanel.Transcribed | None = None

    def compose(self) -> ComposeResult:
        concept = self.turn.rubric.concept(self.concept_id)
        yield Static(printable(f"Follow-up  ·  on: {concept.label}", one_line=True), id="follow-bar", markup=False)
        yield Static(printable(self.question), id="question", markup=False)
        yield QuestionVoice(self.question, id="speaking")
        yield VoicePanel(id="voice")
        yield AnswerEditor(id="editor", soft_wrap=True, placeholder="Your answer to the follow-up. ctrl+s submits it.")
        yield VerticalScroll(id="follow-result")
        yield Static("", id="status")
        yield ModelStatus(id="models")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#follow-result").display = False
        self._show_mode()
        self.watch(self.interviewer, "answer_mode", self._mode_changed, init=False)
        self.interviewer.trace("follow-up-shown")

    def _show_mode(self) -> None:
        panel, editor = self.query_one(VoicePanel), self.query_one("#editor", TextArea)
        panel.display = self.voice and self.follow is None
        editor.display = not self.voice or self._take is not None
        (panel.query_one("#record") if self.voice and self._take is None else editor).focus()
        self.refresh_bindings()

    def _mode_changed(self, mode: str) -> None:
        if mode == "typed" and self.voice and self.follow is None:
            self.query_one(VoicePanel).discard()
            self.voice, self._take = False, None
            self._show_mode()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return not self.grading and (self.follow is None or self.follow.grade is None)
        if action in ("record", "type_instead"):
            return self.voice and self.follow is None
        if action == "hear":
            return self.query_one(QuestionVoice).enabled
        return True

    def action_record(self) -> None:
        if self.voice and self.follow is None:
            self.query_one(VoicePanel).toggle()

    def action_type_instead(self) -> None:
        self.interviewer.answer_mode = "typed"

    def action_hear(self) -> None:
        self.query_one(QuestionVoice).say()

    @on(VoicePanel.Transcribed)
    def _transcribed(self, message: VoicePanel.Transcribed) -> None:
        self._take = message
        self.query_one("#editor", TextArea).text = message.transcript.text
        self.query_one("#status", Static).update(review_notice(message.transcript))
        self._show_mode()
        self.call_after_refresh(self.interviewer.trace, "follow-up-transcript-ready")  # on screen, in the editor

    def unsubmitted(self) -> bool:
        """Is there typed text that has not been saved?"""
        return self.follow is None and bool(self.query_one("#editor", TextArea).text.strip())

    def action_back(self) -> None:
        if not self.grading:
            self.dismiss(None)

    def action_submit(self) -> None:
        # ctrl+s is a priority binding: it runs before keys typed just ahead of it have reached the editor
        # (a fast typist, a paste without bracketed paste); submit once the editor has taken them.
        self.query_one("#editor", TextArea).call_later(self._submit)

    def _submit(self) -> None:
        if self.grading:
            return
        if self.follow is not None:  # saved; grading or storing its grade failed: try again
            if self.follow.grade is None:
                self._retry()
            return
        interview = self.interviewer.interview
        assert interview is not None
        if self.voice and (self._take is None or self.query_one(VoicePanel).state != "done"):
            self.query_one("#status", Static).update(
                "Record your answer first (ctrl+r; ctrl+r again stops), or type it instead (ctrl+t).")
            return
        text = self.query_one("#editor", TextArea).text
        if not text.strip():
            self.notify("Nothing to submit: type your answer first.", severity="warning", timeout=4)
            return
        submitted = lifecycle.submit_follow_up(interview, self.turn, self.concept_id, self.question, text)
        if isinstance(submitted, lifecycle.NotSaved):  # the text stays in the editor; ctrl+s tries again
            self.query_one("#status", Static).update("Your answer was not saved; it is still here. ctrl+s tries again.")
            self.interviewer.store_refused("Your follow-up answer", submitted.error)
            return
        self._saved = submitted.answer
        self.follow = submitted.answer.follow
        self.interviewer.trace("follow-up-submitted")
        if self.voice:
            self.query_one(VoicePanel).keep()  # the take belongs to the saved follow-up answer
        self.query_one(VoicePanel).display = False
        self.query_one("#editor", TextArea).read_only = True
        self._start_grading("◌ Answer saved. Grading it against this point…")

    def _start_grading(self, status: str) -> None:
        assert self._saved is not None
        self.grading = True
        self.refresh_bindings()
        self.query_one("#status", Static).update(status)
        self._grade(self._saved)

    def _retry(self) -> None:
        if self._unrecorded is not None:
            self._record(self._unrecorded.answer, self._unrecorded.grade)
        else:
            self._start_grading("◌ Grading your saved answer again…")

    @work(thread=True, exclusive=True, exit_on_error=False, group="grade", description="grading the follow-up")
    def _grade(self, answer: lifecycle.SavedAnswer) -> None:
        messages.grade_and_post(self, answer, self.interviewer.grader_blocking)

    @on(messages.Graded)
    def _graded(self, message: messages.Graded) -> None:
        self.grading = False
        self._record(message.outcome.answer, message.outcome.grade)

    @on(messages.GradingFailed)
    def _failed(self, message: messages.GradingFailed) -> None:
        self.grading = False
        self.refresh_bindings()
        self.query_one("#status", Static).update(
            "Grading failed; your follow-up answer is saved. ctrl+s tries again, Esc goes back.")
        self.interviewer.show_error("Grading failed", message.outcome.message)

    def _record(self, answer: lifecycle.SavedAnswer, grade: Grade) -> None:
        status = self.query_one("#status", Static)
        recorded = answer.record(grade)
        if isinstance(recorded, lifecycle.GradeNotSaved):
            self._unrecorded = recorded
            self.refresh_bindings()
            status.update("The grade was not saved; your follow-up answer is. ctrl+s tries again, Esc goes back.")
            self.interviewer.store_refused("The grade", recorded.error)
            return
        assert self.follow is not None
        self._unrecorded = None
        self.refresh_bindings()
        self.query_one("#editor").display = False
        result = self.query_one("#follow-result", VerticalScroll)
        result.mount(Static(printable("Your answer: " + (self.follow.answer or "(no answer)")), markup=False))
        result.mount(GradeView(grade))
        result.display = True
        result.focus()
        status.update("Esc goes back to the feedback.")
        self.call_after_refresh(self.interviewer.trace, "follow-up-feedback-shown")  # painted (the benchmark)
