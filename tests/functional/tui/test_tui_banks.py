"""Issue 13 in the app: banks chosen by name on the start screen, ticks that visibly win over the count, the
question text (not the id) everywhere, and the summary's rows reopening each answer's feedback."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, DataTable, Input, RadioButton, Select, SelectionList, Static

from interviewer import locations
from interviewer.tui import RoundOptions
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.screens.start import COUNT_HINT, StartScreen
from interviewer.tui.screens.summary import SummaryScreen
from interviewer.rubrics import load_bank
from interviewer.session.round import Interview
from interviewer.store import Store
from tests.conftest import FIXTURES
from tests.tui_support import LEAKAGE_ANSWER, SCALING_ANSWER, app, wait_for

pytestmark = pytest.mark.asyncio


async def test_the_start_screen_lists_the_banks_by_name(tmp_path: Path) -> None:
    the_app = app(tmp_path, start=False)
    async with the_app.run_test(size=(80, 24)) as pilot:
        screen = the_app.screen
        assert isinstance(screen, StartScreen)
        select = screen.query_one("#bank-select", Select)
        prompts = [str(prompt) for prompt, _ in select._options if _ != Select.NULL]  # noqa: SLF001
        assert [p.split("  ·  ")[0] for p in prompts] == ["practical-ml", "behavioural", "statistics"]
        assert str(locations.user_banks_dir()) in str(screen.query_one("#bank-hint", Static).render())
        select.value = str(locations.bundled_bank_dir("statistics"))
        await wait_for(pilot, lambda: screen.bank is not None and screen.bank.name == "statistics", what="bank")
        pick = screen.query_one("#pick", SelectionList)
        first = str(pick.get_option_at_index(0).prompt)
        assert first.startswith("What does a p-value") or not first.startswith("stat01")  # the question first
        assert first.rstrip().endswith("stat01")  # the id only as detail
        screen.query_one("#bank", Input).value = "behavioural"  # a name typed in the folder field works too
        await screen.query_one("#bank", Input).action_submit()
        await wait_for(pilot, lambda: screen.bank is not None and screen.bank.name == "behavioural", what="bank")


async def test_tab_from_start_skips_an_empty_resume_list(tmp_path: Path) -> None:
    """With nothing to resume, Tab goes from Start round to the bank (it stopped on an empty list), and ctrl+o
    says there is nothing; with an unfinished session, the list is the next stop."""
    the_app = app(tmp_path, start=False)
    async with the_app.run_test(size=(80, 24)) as pilot:
        assert the_app.focused is not None and the_app.focused.id == "start"
        await pilot.press("tab")
        assert the_app.focused is not None and the_app.focused.id == "bank-select"
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert the_app.focused.id == "bank-select"
        assert any("No unfinished sessions" in str(n.message) for n in the_app._notifications)  # noqa: SLF001
    bank = load_bank(FIXTURES / "bank")
    store = Store(tmp_path / "sessions.db")
    Interview.start(store, [bank["scaling"]], bank_name=str(FIXTURES / "bank"))
    store.close()
    the_app = app(tmp_path, start=False)
    async with the_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab")
        assert the_app.focused is not None and the_app.focused.id == "resume"


async def test_ticked_questions_win_over_the_count_and_say_so(tmp_path: Path) -> None:
    the_app = app(tmp_path, start=False)
    async with the_app.run_test(size=(80, 24)) as pilot:
        screen = the_app.screen
        count, hint = screen.query_one("#count", Input), screen.query_one("#count-hint", Static)
        assert str(hint.render()) == COUNT_HINT.strip() or str(hint.render()) == COUNT_HINT
        assert not count.disabled
        screen.query_one("#pick").focus()
        await pilot.press("home", "space")
        await pilot.pause()
        assert count.disabled and "ignored: the 1 ticked question is asked" in str(hint.render())
        await pilot.press("space")  # untick: the count counts again
        await pilot.pause()
        assert not count.disabled and "at random" in str(hint.render())


async def test_an_unticked_box_is_empty_without_colour(tmp_path: Path) -> None:
    """Textual tells a ticked box from an unticked one by colour alone (both draw the mark); here the cells say
    it: a terminal without colour, tmux's capture or a screen reader sees which are ticked."""
    the_app = app(tmp_path, start=False)
    async with the_app.run_test(size=(80, 24)) as pilot:
        screen = the_app.screen
        pick = screen.query_one("#pick", SelectionList)

        def box(line: int) -> str:
            return pick.render_line(line).text[:3]

        assert (box(0), box(1)) == ("▐ ▌", "▐ ▌")
        pick.focus()
        await pilot.press("home", "space")
        await pilot.pause()
        assert (box(0), box(1)) == ("▐X▌", "▐ ▌")
        timed = screen.query_one("#timed", Checkbox)
        assert timed.render().plain.startswith("▐ ▌") != timed.value
        timed.value = not timed.value
        await pilot.pause()
        assert timed.render().plain.startswith("▐X▌") == timed.value
        typed, spoken = screen.query_one("#typed", RadioButton), screen.query_one("#voice", RadioButton)
        assert typed.value and typed.render().plain.startswith("▐●▌") and spoken.render().plain.startswith("▐ ▌")


async def test_a_count_above_the_banks_size_says_all_are_asked(tmp_path: Path) -> None:
    the_app = app(tmp_path, start=False)
    async with the_app.run_test(size=(100, 30)) as pilot:
        screen = the_app.screen
        await wait_for(pilot, lambda: screen.bank is not None, what="bank")
        size = len(screen.bank)
        screen.query_one("#count", Input).value = "99"
        screen.action_start()
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen), what="the first question")
        note = f"Questions 99: the bank has {size} questions; asking all {size}"
        await wait_for(pilot, lambda: note in [n.message for n in the_app._notifications], what="the note")
        assert len(the_app.interview.pending) == size


async def test_the_summary_reopens_each_feedback(tmp_path: Path) -> None:
    the_app = app(tmp_path, RoundOptions(questions=("scaling", "leakage")))
    async with the_app.run_test(size=(80, 24)) as pilot:
        for answer in (SCALING_ANSWER, LEAKAGE_ANSWER):
            await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen))
            the_app.screen.query_one("#editor").insert(answer)  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="feedback")
            await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="summary")
        table = the_app.screen.query_one("#scores", DataTable)
        assert "How do you approach feature scaling" in str(table.get_row_at(0)[2])  # the question, not the id
        await pilot.press("down", "enter")  # the second row: leakage
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="reopened feedback")
        assert the_app.screen.turn.rubric.id == "leakage"  # type: ignore[attr-defined]
        assert "back to the summary" in str(the_app.screen.query_one("#feedback-hint").render())
        # the footer says where n goes: back, not "Next" (a new user's trial)
        footer = {b.binding.key: b.binding.description for b in the_app.active_bindings.values() if b.enabled}
        assert footer["n"] == "Back" and footer["enter"] == "Back"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="the summary again")
        await pilot.press("enter")  # the second row again; n goes back too
        await wait_for(pilot, lambda: isinstance(the_app.screen, FeedbackScreen), what="reopened feedback")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(the_app.screen, SummaryScreen), what="the summary again")


async def test_a_new_round_starts_from_the_last_rounds_bank_and_timing(tmp_path: Path) -> None:
    """After a statistics round, "New round" opened the start screen on practical-ml again (a new user's trial):
    it now keeps the round's bank, answer mode and timing chosen."""
    from textual.widgets import Checkbox, RadioButton

    statistics = locations.bundled_bank_dir("statistics")
    the_app = app(tmp_path, RoundOptions(bank=statistics, questions=("stat01",), timed=True))
    async with the_app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(the_app.screen, InterviewScreen), what="the question")
        the_app.new_round()
        await wait_for(pilot, lambda: isinstance(the_app.screen, StartScreen), what="the start screen")
        screen = the_app.screen
        await wait_for(pilot, lambda: screen.bank is not None, what="the bank")
        assert screen.bank.name == "statistics"
        assert screen.query_one("#bank-select", Select).value == str(statistics)
        assert screen.query_one("#timed", Checkbox).value and screen.query_one("#typed", RadioButton).value


async def test_a_wide_terminal_shows_more_of_each_question(tmp_path: Path) -> None:
    """At 80 columns a long question is cut with "…" to fit one line; at 140 the pick list shows it whole (it
    was cut at 62 characters whatever the width)."""
    bank = load_bank(locations.bundled_bank_dir("statistics"))
    long = next((rid, r.question) for rid, r in bank.items() if 62 < len(r.question) < 120)
    shown = {}
    for width in (80, 140):
        the_app = app(tmp_path, start=False)
        async with the_app.run_test(size=(width, 30)) as pilot:
            screen = the_app.screen
            screen.query_one("#bank-select", Select).value = str(locations.bundled_bank_dir("statistics"))
            await wait_for(pilot, lambda: screen.bank is not None and screen.bank.name == "statistics", what="bank")
            pick = screen.query_one("#pick", SelectionList)
            shown[width] = next(str(o.prompt) for o in (pick.get_option_at_index(i) for i in range(pick.option_count))
                                if str(o.prompt).rstrip().endswith(long[0]))
    assert "…" in shown[80] and long[1] not in shown[80]
    assert shown[140].startswith(long[1]) and "…" not in shown[140]
