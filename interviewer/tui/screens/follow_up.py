"""A follow-up question on one concept the answer missed; the answer is graded against that concept.

As on the question screen: a blank answer is not submitted; an answer the store refuses stays in the
editor; after a grading failure ctrl+s grades the saved answer again.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea
from textual.worker import Worker, WorkerState

from interviewer.display import printable
from interviewer.errors import InterviewerError
from interviewer.scoring.result import Grade
from interviewer.session.round import FollowUp, Turn, follow_up_rubric
from interviewer.tui.of_app import OfTheApp
from interviewer.tui.widgets.grade_view import GradeView
from interviewer.tui.widgets.model_status import ModelStatus


class FollowUpScreen(OfTheApp, Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "back", "Back to feedback"),
    ]

    def __init__(self, turn: Turn, concept_id: str, question: str) -> None:
        super().__init__()
        self.turn = turn
        self.concept_id = concept_id
        self.question = question
        self.follow: FollowUp | None = None
        self.grading = False
        self._unrecorded: Grade | None = None
        """A grade the store refused; submitting again stores it."""

    def compose(self) -> ComposeResult:
        concept = self.turn.rubric.concept(self.concept_id)
        yield Static(printable(f"Follow-up  ·  {self.turn.rubric.id}  ·  on: {concept.label}"), id="follow-bar", markup=False)
        yield Static(printable(self.question), id="question", markup=False)
        editor = TextArea(id="editor", soft_wrap=True, placeholder="Your answer to the follow-up. ctrl+s submits it.")
        if self.interviewer.still:
            editor.cursor_blink = False
        yield editor
        yield VerticalScroll(id="follow-result")
        yield Static("", id="status")
        yield ModelStatus(id="models")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#follow-result").display = False
        self.query_one("#editor").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return not self.grading and (self.follow is None or self.follow.grade is None)
        return True

    def unsubmitted(self) -> bool:
        """Is there typed text that has not been saved?"""
        return self.follow is None and bool(self.query_one("#editor", TextArea).text.strip())

    def action_back(self) -> None:
        if not self.grading:
            self.dismiss(None)

    def action_submit(self) -> None:
        if self.grading:
            return
        if self.follow is not None:  # saved; grading or storing its grade failed: try again
            if self.follow.grade is None:
                self._retry()
            return
        interview = self.interviewer.interview
        assert interview is not None
        text = self.query_one("#editor", TextArea).text
        if not text.strip():
            self.notify("Nothing to submit: type your answer first.", severity="warning", timeout=4)
            return
        try:
            self.follow = interview.submit_follow_up(self.turn, self.concept_id, self.question, text)
        except InterviewerError as exc:  # the text stays in the editor; ctrl+s tries again
            self.query_one("#status", Static).update("Your answer was not saved; it is still here. ctrl+s tries again.")
            self.interviewer.store_refused("Your follow-up answer", exc)
            return
        self.query_one("#editor", TextArea).read_only = True
        self._start_grading("◌ Answer saved. Grading it against this point…")

    def _start_grading(self, status: str) -> None:
        assert self.follow is not None
        self.grading = True
        self.refresh_bindings()
        self.query_one("#status", Static).update(status)
        self._grade(follow_up_rubric(self.turn.rubric, self.concept_id), self.follow.answer or "")

    def _retry(self) -> None:
        if self._unrecorded is not None:
            self._record(self._unrecorded)
        else:
            self._start_grading("◌ Grading your saved answer again…")

    @work(thread=True, exclusive=True, exit_on_error=False, group="grade", description="grading the follow-up")
    def _grade(self, rubric: Any, text: str) -> Grade:
        return self.interviewer.grader_blocking().grade(rubric, text)

    @on(Worker.StateChanged)
    def _graded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "grade" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self.grading = False
        self.refresh_bindings()
        if event.state == WorkerState.ERROR:
            from interviewer.tui.models import error_text

            self.query_one("#status", Static).update(
                "Grading failed; your follow-up answer is saved. ctrl+s tries again, Esc goes back.")
            self.interviewer.show_error("Grading failed", error_text(event.worker.error))
            return
        grade: Any = event.worker.result
        self._record(grade)

    def _record(self, grade: Grade) -> None:
        interview = self.interviewer.interview
        assert interview is not None and self.follow is not None
        status = self.query_one("#status", Static)
        try:
            interview.record_follow_up_grade(self.follow, grade)
        except InterviewerError as exc:
            self._unrecorded = grade
            self.refresh_bindings()
            status.update("The grade was not saved; your follow-up answer is. ctrl+s tries again, Esc goes back.")
            self.interviewer.store_refused("The grade", exc)
            return
        self._unrecorded = None
        self.refresh_bindings()
        self.query_one("#editor").display = False
        result = self.query_one("#follow-result", VerticalScroll)
        result.mount(Static(printable("Your answer: " + (self.follow.answer or "(no answer)")), markup=False))
        result.mount(GradeView(grade))
        result.display = True
        result.focus()
        status.update("Esc goes back to the feedback.")
