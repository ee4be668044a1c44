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
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Input,
    OptionList,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option

from interviewer import locations
from interviewer.display import clip, printable
from interviewer.errors import InterviewerError
from interviewer.session.round import DEFAULT_COUNT, bank_label
from interviewer.tui.of_app import OfTheApp
from interviewer.tui.screens.microphone import choose_microphone, microphone_label
from interviewer.tui.services import RoundOptions
from interviewer.tui.widgets.model_status import ModelStatus
from interviewer.tui.widgets.ticks import Choice, TickBox, TickList

if TYPE_CHECKING:
    from interviewer.rubrics.loader import Bank
    from interviewer.session.round import Interview

# A question's text in the pick list is cut to this (with "…") at 80 columns, so each fits one line.
QUESTION_CHARS = 62
QUESTION_MARGIN = 80 - QUESTION_CHARS  # wider terminals show more of it: all but this many columns
COUNT_HINT = " at random, unless you tick questions below (space)"


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

    @classmethod
    def after_round(cls, bank: Bank | None, interview: Interview | None, answer_mode: str) -> StartScreen:
        """The start screen for the next round: this round's bank, answers (as they are now: typed after ctrl+t)
        and timing are chosen (a candidate practising one bank should not have to choose it again every round)."""
        return cls(RoundOptions(bank=bank.root if bank is not None else None, mode=answer_mode,
                                timed=interview is not None and interview.timed))

    def compose(self) -> ComposeResult:
        options = self.options
        yield Static("interviewer  ·  a mock interview, typed or spoken, graded by meaning offline", id="start-bar")
        with Vertical(id="start-form"):
            with Horizontal(classes="row"):
                yield Static("Bank", classes="label")
                yield Select(self._bank_choices(), value=self._chosen_bank(), allow_blank=True, compact=True,
                             prompt=self._blank_prompt(), id="bank-select")
                yield Input(self._typed_bank(), placeholder="or a folder (Enter)", id="bank", compact=True)
            yield Static(f"Your own banks: one folder each in {locations.user_banks_dir()}", id="bank-hint",
                         markup=False)
            with Horizontal(classes="row"):
                yield Static("Questions", classes="label")
                yield Input(str(options.count or DEFAULT_COUNT), type="integer", id="count", compact=True)
                yield Static(COUNT_HINT, id="count-hint")
            yield TickList[str](id="pick", compact=True)
            with Horizontal(classes="row"):
                yield Static("Answers", classes="label")
                with RadioSet(id="mode", compact=True):
                    yield Choice("Typed", value=options.mode != "voice", id="typed")
                    yield Choice("Spoken", value=options.mode == "voice", id="voice")
                yield TickBox("Timed", options.timed, id="timed", compact=True)
                yield Button("Start", id="start", variant="primary", compact=True)
            with Horizontal(classes="row", id="mic-row"):
                yield Static("Microphone", classes="label")
                yield Static(microphone_label(self.interviewer.services.settings), id="mic-name", markup=False)
                yield Button("Choose and test…", id="microphone", compact=True)
            yield Static(self._recordings_hint(), id="recordings-hint", markup=False)
            yield Static("Unfinished sessions (Enter resumes)", id="resume-label")
            yield OptionList(id="resume", compact=True)
        yield ModelStatus(id="models")
        yield Footer()

    def _recordings_hint(self) -> str:
        folder = locations.shown(self.interviewer.services.recordings_root())
        return f"Recordings kept in {folder}/session-N/ (or --recordings DIR)"

    @on(RadioSet.Changed, "#mode")
    def _mode_chosen(self) -> None:
        """The microphone, and where recordings go, matter in a spoken round: shown then."""
        spoken = self.query_one("#voice", RadioButton).value
        self.query_one("#recordings-hint").display = self.query_one("#mic-row").display = spoken

    @on(Button.Pressed, "#microphone")
    def _choose_microphone(self) -> None:
        choose_microphone(self.interviewer)

    def on_screen_resume(self) -> None:
        """Back from the microphone modal (or the palette's): the microphone chosen now."""
        self.query_one("#mic-name", Static).update(microphone_label(self.interviewer.services.settings))

    def on_mount(self) -> None:
        self._mode_chosen()
        self._load_bank()
        self._list_unfinished()
        self.query_one("#start", Button).focus()
        self.call_after_refresh(self.interviewer.ensure_models)

    # -- the bank and its questions ---------------------------------------------------------------------
    def _bank_choices(self) -> list[tuple[str, str]]:
        """(prompt, folder) for every bank, by name: the bundled ones, then the user's own."""
        from interviewer.rubrics.banks import available_banks

        self._banks = [b for b in available_banks() if b.problem is None]
        return [(f"{b.name}  ·  {b.title}" + ("" if b.bundled else "  (yours)"), str(b.folder)) for b in self._banks]

    def _chosen_bank(self) -> object:
        """The listed bank the round options name (default: the configured bank), else blank (a typed folder)."""
        wanted = self.options.bank or self.interviewer.services.settings.bank_dir()
        for bank in self._banks:
            if bank.folder.resolve() == Path(wanted).expanduser().resolve():
                return str(bank.folder)
        return Select.NULL

    def _blank_prompt(self) -> str:
        """What the bank list says when no listed bank is chosen: the configured folder's bank, or "a folder"."""
        if self.options.bank is None and self.interviewer.services.settings.bank is not None:
            return f"the configured bank: {bank_label(str(self.interviewer.services.settings.bank_dir()))}"
        return "a folder (type it →)"

    def _typed_bank(self) -> str:
        return "" if self.options.bank is None or self._chosen_bank() != Select.NULL else str(self.options.bank)

    def _bank_folder(self) -> Path | None:
        from interviewer.rubrics.banks import resolve_bank

        text = self.query_one("#bank", Input).value.strip()
        if text:
            try:
                return resolve_bank(text)
            except InterviewerError:
                return Path(text).expanduser()  # loading it says what is wrong
        chosen = self.query_one("#bank-select", Select).value
        return None if chosen == Select.NULL else Path(str(chosen))

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
        width = max(QUESTION_CHARS, self.app.size.width - QUESTION_MARGIN)
        for rubric_id, rubric in self.bank.items():
            # The question first; the id (dim) only as detail. Text, not str: a str prompt is read as markup.
            prompt = Text(clip(printable(rubric.question, one_line=True), width))
            prompt.append(f"  {rubric_id}", style="dim")
            pick.add_option((prompt, rubric_id, rubric_id in chosen))
        self._ticks_changed()

    @on(Input.Submitted, "#bank")
    def _bank_entered(self) -> None:
        if self.query_one("#bank", Input).value.strip():
            with self.prevent(Select.Changed):
                self.query_one("#bank-select", Select).clear()
        self._load_bank()

    @on(Select.Changed, "#bank-select")
    def _bank_chosen(self, event: Select.Changed) -> None:
        if event.value != Select.NULL:
            self.query_one("#bank", Input).value = ""
            self._load_bank()

    @on(SelectionList.SelectedChanged, "#pick")
    def _ticks_changed(self) -> None:
        """Ticked questions win over the count: say so, and grey the count out while any are ticked."""
        ticked = len(self.query_one("#pick", SelectionList).selected)
        self.query_one("#count", Input).disabled = bool(ticked)
        self.query_one("#count-hint", Static).update(
            f" ← ignored: the {ticked} ticked question{'s are' if ticked > 1 else ' is'} asked" if ticked else COUNT_HINT)

    def _list_unfinished(self) -> None:
        listing = self.query_one("#resume", OptionList)
        listing.clear_options()
        sessions = self.interviewer.services.store.unfinished()
        for session in sessions:
            listing.add_option(Option(Text(printable(
                f"#{session.id}  {session.started_at[:16].replace('T', ' ')}  {bank_label(session.bank)}  "
                f"{session.mode}  {session.answered}/{session.asked} answered", one_line=True)), id=str(session.id)))
        if not sessions:
            listing.add_option(Option("none", disabled=True))
        listing.disabled = not sessions  # Tab skips an empty list: nothing there to resume

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
        if listing.disabled:
            self.notify("No unfinished sessions to resume.")
            return
        listing.focus()
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0

    @on(OptionList.OptionSelected, "#resume")
    def _resume(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.interviewer.resume_session(int(event.option.id))
