"""A follow-up question on one concept the answer missed; the answer is graded against that concept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea
from textual.worker import Worker, WorkerState

from interviewer.interview import FollowUp, Turn, follow_up_rubric
from interviewer.scoring.result import Grade
from interviewer.tui.widgets.grade_view import GradeView
from interviewer.tui.widgets.model_status import ModelStatus

if TYPE_CHECKING:
    from interviewer.tui.app import InterviewerApp


class FollowUpScreen(Screen[None]):
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

    @property
    def interviewer(self) -> InterviewerApp:
        return cast("InterviewerApp", self.app)

    def compose(self) -> ComposeResult:
        concept = self.turn.rubric.concept(self.concept_id)
        yield Static(f"Follow-up  ·  {self.turn.rubric.id}  ·  on: {concept.label}", id="follow-bar", markup=False)
        yield Static(self.question, id="question", markup=False)
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
            return self.follow is None
        return True

    def action_back(self) -> None:
        if not self.grading:
            self.dismiss(None)

    def action_submit(self) -> None:
        if self.follow is not None:
            return
        interview = self.interviewer.interview
        assert interview is not None
        text = self.query_one("#editor", TextArea).text
        self.follow = interview.submit_follow_up(self.turn, self.concept_id, self.question, text)
        self.grading = True
        self.query_one("#editor", TextArea).read_only = True
        self.refresh_bindings()
        self.query_one("#status", Static).update("◌ Answer saved. Grading it against this point…")
        self._grade(follow_up_rubric(self.turn.rubric, self.concept_id), text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="grade", description="grading the follow-up")
    def _grade(self, rubric: Any, text: str) -> Grade:
        return self.interviewer.grader_blocking().grade(rubric, text)

    @on(Worker.StateChanged)
    def _graded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "grade" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self.grading = False
        status = self.query_one("#status", Static)
        if event.state == WorkerState.ERROR:
            from interviewer.tui.app import error_text

            status.update("Grading failed; your follow-up answer is saved. Esc goes back.")
            self.interviewer.show_error("Grading failed", error_text(event.worker.error))
            return
        interview = self.interviewer.interview
        assert interview is not None and self.follow is not None
        grade: Any = event.worker.result
        interview.record_follow_up_grade(self.follow, grade)
        self.query_one("#editor").display = False
        result = self.query_one("#follow-result", VerticalScroll)
        result.mount(Static("Your answer: " + (self.follow.answer or "(no answer)"), markup=False))
        result.mount(GradeView(grade))
        result.display = True
        result.focus()
        status.update("Esc goes back to the feedback.")
