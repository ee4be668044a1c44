"""The end of a round: per-question scores, strongest and weakest points, what to practise next."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from interviewer.display import clip, printable
from interviewer.outfile import free_path
from interviewer.session.round import RoundSummary
from interviewer.tui.of_app import OfTheApp


def summary_text(summary: RoundSummary) -> Text:
    out = Text()
    if summary.mean is None:
        out.append("No answers graded.\n")
        return out
    out.append(f"Mean score {summary.mean:.1f} / 10\n", style="bold")
    sections = (("Strongest", "bold green", "✔", [t.label for t in summary.strongest]),
                ("Weakest", "bold red", "✘", [t.label for t in summary.weakest]),
                ("Recovered in follow-up", "bold yellow", "↻", [t.label for t in summary.recovered]),
                ("Practise next", "bold", "→", list(summary.practise_next)))
    for title, style, mark, items in sections:
        if items:
            out.append(f"\n{title}\n", style=style)
            for item in items:
                out.append(printable(f" {mark} {item}\n"))
    return out


class SummaryScreen(OfTheApp, Screen[None]):
    BINDINGS = [
        Binding("n", "new_round", "New round"),
        Binding("e", "export", "Export report"),
        Binding("h", "app.history", "History"),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def compose(self) -> ComposeResult:
        interview = self.interviewer.interview
        assert interview is not None
        bank = printable(interview.bank, one_line=True)
        yield Static(f"Round summary  ·  {bank}  ·  session {interview.session_id}" if bank else
                     f"Round summary  ·  session {interview.session_id}", id="summary-bar", markup=False)
        with VerticalScroll(id="summary-body"):
            yield DataTable(id="scores", cursor_type="row", zebra_stripes=True)
            yield Static(summary_text(interview.summary()), id="summary-text")
            yield Static(f"Saved in {interview.store.path}", id="saved-in", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        interview = self.interviewer.interview
        assert interview is not None
        table = self.query_one(DataTable)
        table.add_columns("#", "score", "question (Enter opens its feedback)")
        width = max(40, self.app.size.width - 24)  # the question as long as the terminal allows (56 at 80 columns)
        for turn in interview.turns:
            score = "–" if turn.score is None else f"{turn.score:.1f}"
            # Text, not str: a DataTable reads a str cell as markup. The id is detail, after the question.
            question = Text(clip(printable(turn.rubric.question, one_line=True), width))
            question.append(f"  {turn.rubric.id}", style="dim")
            table.add_row(str(turn.position), score, question, key=str(turn.position))
        table.focus()

    @on(DataTable.RowSelected, "#scores")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(str(event.row_key.value))

    def _open(self, position: str) -> None:
        """Reopen a question's feedback (follow-ups included) over the summary; Esc comes back."""
        from interviewer.tui.screens.feedback import FeedbackScreen

        interview = self.interviewer.interview
        assert interview is not None
        turn = next(t for t in interview.turns if str(t.position) == position)
        if turn.grade is None:
            self.notify("That question has no graded answer to show.", timeout=4)
            return
        self.app.push_screen(FeedbackScreen(turn, reopened=True))

    def action_new_round(self) -> None:
        self.interviewer.new_round()

    def action_export(self) -> None:
        from pathlib import Path

        from interviewer.tui.screens.export import ExportModal

        interview = self.interviewer.interview
        assert interview is not None

        def written(path: Path | None) -> None:
            if path is not None:
                self.query_one("#saved-in", Static).update(f"Saved in {interview.store.path}\nReport written to {path}")
                self.notify(f"Report written to {path}", title="Export")

        default = free_path(Path.cwd() / f"interviewer-session-{interview.session_id}.html")
        spoken = any(t.mode == "voice" for t in interview.turns)
        self.app.push_screen(ExportModal(interview.session_id, default, recordings=spoken), written)
