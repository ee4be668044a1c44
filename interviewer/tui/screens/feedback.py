"""Feedback on one answer: the grade explained, the model answer beside it on demand, and follow-ups.

"Answer a follow-up" asks the rubric's follow-up question for the most important concept the answer
missed (then partly covered); that answer is graded against that concept alone.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from interviewer.display import printable
from interviewer.session.round import Turn
from interviewer.tui.of_app import OfTheApp
from interviewer.tui.widgets.grade_view import GradeView, follow_ups_text


class FeedbackScreen(OfTheApp, Screen[None]):
    BINDINGS = [
        Binding("n", "next", "Next"),
        Binding("n", "back", "Back"),  # reopened from the summary: the footer says where n goes (check_action)
        Binding("enter", "next", "Next", show=False),
        Binding("enter", "back", "Back", show=False),
        Binding("m", "model_answer", "Model answer"),
        Binding("f", "follow_up", "Follow-up"),
        Binding("escape", "back", "Back to the summary", show=False),
    ]

    def __init__(self, turn: Turn, *, reopened: bool = False) -> None:
        super().__init__()
        assert turn.grade is not None
        self.turn = turn
        self.reopened = reopened
        """Opened again from the summary: Esc (or n) goes back to it."""

    def compose(self) -> ComposeResult:
        interview = self.interviewer.interview
        assert interview is not None and self.turn.grade is not None
        mode = "spoken" if self.turn.mode == "voice" else "typed"
        where = " · ".join(x for x in (interview.bank, self.turn.rubric.id) if x)
        yield Static(printable(f"Feedback  ·  question {self.turn.position} of {len(interview.turns)}  ·  {where}"
                               f"  ·  {mode} answer", one_line=True), id="feedback-bar", markup=False)
        yield Static(printable(self.turn.rubric.question), id="feedback-question", markup=False)
        with Horizontal(id="feedback-body"):
            with VerticalScroll(id="feedback-main"):
                yield GradeView(self.turn.grade, self.turn.delivery if self.turn.mode == "voice" else None,
                                id="grade")
                yield Static("", id="follow-ups", markup=False)
                yield Static("Your answer", classes="heading")
                yield Static(printable(self.turn.answer or "(no answer)"), id="your-answer", markup=False)
            with VerticalScroll(id="model-answer"):
                yield Static("Model answer", classes="heading")
                yield Static(printable(self.turn.rubric.model_answer), markup=False)
        yield Static("", id="feedback-hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#model-answer").display = False
        self.query_one("#feedback-main").focus()
        self.show_follow_ups()
        if not self.reopened:
            interview = self.interviewer.interview
            if interview is not None and interview.follow_up_for(self.turn) is not None:
                self.interviewer.trace("follow-up-offered")  # before feedback-shown: the benchmark answers it
            self.call_after_refresh(self.interviewer.trace, "feedback-shown")  # painted (the benchmark)
            self._prepare_voice()

    def _prepare_voice(self) -> None:
        """While the candidate reads, the voice synthesises what it may say next: the follow-up offered and
        the next question (so either starts at once; about 0.5 s each otherwise)."""
        app = self.interviewer
        interview = app.interview
        if interview is None or not app.services.voice.speaks(app.answer_mode):
            return
        asked = interview.follow_up_for(self.turn)
        texts = [asked[1]] if asked is not None else []
        texts += [turn.rubric.question for turn in interview.pending[:1]]
        if texts:
            generation = app.services.voice.generation  # a recording started before the worker runs stops it
            self.run_worker(lambda: app.services.voice.prepare(texts, generation), thread=True, exclusive=True,
                            group="prepare-voice", exit_on_error=False,
                            description="preparing the next question's voice")

    def show_follow_ups(self) -> None:
        interview = self.interviewer.interview
        assert interview is not None
        self.query_one("#follow-ups", Static).update(follow_ups_text(self.turn.follow_ups))
        self.query_one("#follow-ups").display = bool(self.turn.follow_ups)
        nxt = interview.follow_up_for(self.turn)
        last = not [t for t in interview.pending]
        hint = "n or Esc: back to the summary" if self.reopened else "n: summary" if last else "n: next question"
        if nxt is not None:  # the way on first: a long follow-up question is cut (…) at the end of the line
            hint += f"   f: answer a follow-up ({nxt[1]})"
        self.query_one("#feedback-hint", Static).update(printable(hint))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow_up":
            interview = self.interviewer.interview
            return interview is not None and interview.follow_up_for(self.turn) is not None
        if action in ("next", "back"):  # one of the two, for n, Enter and Esc alike
            return self.reopened == (action == "back")
        return True

    def action_next(self) -> None:
        self.interviewer.next_question()

    def action_back(self) -> None:  # only when reopened (check_action)
        self.dismiss(None)

    def action_model_answer(self) -> None:
        pane = self.query_one("#model-answer")
        pane.display = not pane.display

    def action_follow_up(self) -> None:
        from interviewer.tui.screens.follow_up import FollowUpScreen

        interview = self.interviewer.interview
        assert interview is not None
        asked = interview.follow_up_for(self.turn)
        if asked is None:
            return
        self.app.push_screen(FollowUpScreen(self.turn, *asked), lambda _: self.show_follow_ups())
