"""A yes/no question before something is thrown away: ``confirm_discard`` asks it when an answer is typed
but not submitted and the candidate quits or starts a new round."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from interviewer.display import printable

if TYPE_CHECKING:
    from interviewer.tui.app import InterviewerApp


class ConfirmModal(ModalScreen[bool]):
    """Dismissed with True when the candidate confirms (y), False when they keep what they have (n, Esc)."""

    BINDINGS = [
        Binding("escape", "dismiss(False)", "Keep it"),
        Binding("n", "dismiss(False)", "Keep it", show=False),
        Binding("y", "dismiss(True)", "Discard", show=False),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = "Discard (y)", no: str = "Keep writing (n)") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(printable(self.question), id="confirm-question", markup=False)
            if self.detail:
                yield Static(printable(self.detail), id="confirm-detail", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self.yes, id="yes", variant="error")
                yield Button(self.no, id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


def confirm_discard(app: InterviewerApp, then: Callable[[], None], doing: str = "") -> None:
    """Call ``then`` now, or, when an answer is typed but not submitted, once the candidate agrees to lose it.
    ``doing`` names what ``then`` does ("Leave the round", "Quit"), so the question says it too."""
    if not app.unsubmitted_answer():
        then()
        return

    def chosen(discard: bool | None) -> None:
        app.modal_closed(show_pending=not discard)  # leaving: a screen due for the old round is not shown
        if discard:
            then()

    question = f"{doing} and discard your unsubmitted answer?" if doing else "Discard your unsubmitted answer?"
    app.push_screen(ConfirmModal(question,
                                 "What you typed has not been submitted (ctrl+s submits it)."), chosen)


def confirm_leave(app: InterviewerApp) -> None:
    """Leave the round for the start screen once the candidate agrees (Esc on a question): an unsubmitted answer
    is the discard question (``confirm_discard``); otherwise one question, as leaving by accident loses the
    candidate's place (the answers are saved, and the start screen offers the round to resume)."""
    if app.unsubmitted_answer():
        app.new_round()
        return

    def chosen(leave: bool | None) -> None:
        app.modal_closed(show_pending=not leave)
        if leave:
            app.new_round()

    app.push_screen(ConfirmModal("Leave this round?", "Your graded answers are saved; the start screen offers the "
                                 "round to resume.", yes="Leave (y)", no="Stay (n)"), chosen)
