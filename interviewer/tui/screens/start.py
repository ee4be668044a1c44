"""Choose a round: the bank, how many questions (at random) or which ones, typed or spoken, timed or not;
or resume an unfinished session."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, OptionList, RadioButton, RadioSet, SelectionList, Static
from textual.widgets.option_list import Option

from interviewer.display import printable
from interviewer.errors import InterviewerError
from interviewer.session.round import BUNDLED_BANK, DEFAULT_COUNT
from interviewer.tui.of_app import OfTheApp
from interviewer.tui.services import RoundOptions
from interviewer.tui.widgets.model_status import ModelStatus

if TYPE_CHECKING:
    from interviewer.rubrics.loader import Bank

QUESTION_CHARS = 60  # a question's text in the pick list is cut to this, so each fits one line at 80 columns


class StartScreen(OfTheApp, Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", priority=True),
        Binding("ctrl+o", "focus_resume", "Resume…"),
        Binding("f2", "app.history", "History"),
    ]

    def __init__(self, options: RoundOptions | None = None) -> None:
        super().__init__()
        self.options = options or RoundOptions()
        self.bank: Bank | None = None

    def compose(self) -> ComposeResult:
        options = self.options
        yield Static("interviewer  ·  a mock interview, typed or spoken, graded by meaning offline", id="start-bar")
        with Vertical(id="start-form"):
            with Horizontal(classes="row"):
                yield Static("Bank", classes="label")
                yield Input(str(options.bank or ""), placeholder="the bundled bank (Enter to reload)",
                            id="bank", compact=True)
            with Horizontal(classes="row"):
                yield Static("Questions", classes="label")
                yield Input(str(options.count or DEFAULT_COUNT), type="integer", id="count", compact=True)
                yield Static(" at random, or tick them below (space)", id="count-hint")
            yield SelectionList[str](id="pick", compact=True)
            with Horizontal(classes="row"):
                yield Static("Answers", classes="label")
                with RadioSet(id="mode", compact=True):
                    yield RadioButton("Typed", value=options.mode != "voice", id="typed")
                    yield RadioButton("Spoken", value=options.mode == "voice", id="voice")
                yield Checkbox("Timed", options.timed, id="timed", compact=True)
                yield Button("Start", id="start", variant="primary", compact=True)
            yield Static("Unfinished sessions (Enter resumes)", id="resume-label")
            yield OptionList(id="resume", compact=True)
        yield ModelStatus(id="models")
        yield Footer()

    def on_mount(self) -> None:
        self._load_bank()
        self._list_unfinished()
        self.query_one("#start", Button).focus()
        self.call_after_refresh(self.interviewer.ensure_models)

    # -- the bank and its questions ---------------------------------------------------------------------
    def _bank_folder(self) -> Path | None:
        text = self.query_one("#bank", Input).value.strip()
        return Path(text).expanduser() if text else None

    def _load_bank(self) -> None:
        pick = self.query_one("#pick", SelectionList)
        pick.clear_options()
        try:
            self.bank = self.interviewer.load_bank(RoundOptions(bank=self._bank_folder()))
        except InterviewerError as exc:
            self.bank = None
            self.notify(printable(exc.message), title="Bank", severity="error", timeout=8, markup=False)
            return
        chosen = set(self.options.questions)
        for rubric_id, rubric in self.bank.items():
            question = printable(rubric.question, one_line=True)
            text = question if len(question) <= QUESTION_CHARS else question[: QUESTION_CHARS - 1] + "…"
            # Text, not str: an option list reads a str prompt as markup.
            pick.add_option((Text(f"{rubric_id}  {text}"), rubric_id, rubric_id in chosen))

    @on(Input.Submitted, "#bank")
    def _bank_entered(self) -> None:
        self._load_bank()

    def _list_unfinished(self) -> None:
        listing = self.query_one("#resume", OptionList)
        listing.clear_options()
        sessions = self.interviewer.services.store.unfinished()
        for session in sessions:
            bank = "" if session.bank == BUNDLED_BANK else f"  {Path(session.bank).name}"
            listing.add_option(Option(f"#{session.id}  {session.started_at[:16].replace('T', ' ')}  {session.mode}  "
                                      f"{session.answered}/{session.asked} answered{bank}", id=str(session.id)))
        if not sessions:
            listing.add_option(Option("none", disabled=True))

    # -- actions ----------------------------------------------------------------------------------------
    def chosen_options(self) -> RoundOptions | None:
        """The round the form describes (None, with a message, when the count is not a positive number)."""
        count_text = self.query_one("#count", Input).value.strip()
        try:
            count = int(count_text) if count_text else DEFAULT_COUNT
        except ValueError:
            count = 0
        picked = set(self.query_one("#pick", SelectionList).selected)
        questions = tuple(i for i in (self.bank or {}) if i in picked)
        if not questions and count <= 0:
            self.notify("How many questions? Give a positive number.", severity="error")
            return None
        mode = "voice" if self.query_one("#voice", RadioButton).value else "typed"
        return RoundOptions(bank=self._bank_folder(), questions=questions, count=count, mode=mode,
                            timed=self.query_one("#timed", Checkbox).value, seed=self.options.seed)

    def action_start(self) -> None:
        options = self.chosen_options()
        if options is not None:
            self.interviewer.begin(options)

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    def action_focus_resume(self) -> None:
        listing = self.query_one("#resume", OptionList)
        listing.focus()
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0

    @on(OptionList.OptionSelected, "#resume")
    def _resume(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.interviewer.resume_session(int(event.option.id))
