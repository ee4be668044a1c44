"""Progress across sessions: a small chart of each session's mean score, the sessions, and the key points
weakest recently (from ``interviewer.session.history``, the same figures as `interviewer history`)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from interviewer.display import printable
from interviewer.session.advice import STATUS_MARKS
from interviewer.tui.of_app import OfTheApp


SESSIONS_SHOWN = 20  # the chart and the table show the last this-many sessions
CONCEPTS_SHOWN = 8


class HistoryScreen(OfTheApp, Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        from interviewer.session.history import session_lines

        store = self.interviewer.services.store
        lines = session_lines(store, SESSIONS_SHOWN)
        means = [s.mean for s in lines if s.mean is not None]
        yield Static("History  ·  your sessions and key points", id="history-bar")
        with VerticalScroll(id="history-body"):
            if len(means) >= 2:
                yield Static(f"Mean score per session, oldest → newest: {means[0]:.1f} → {means[-1]:.1f} "
                             f"(lowest {min(means):.1f}, highest {max(means):.1f})", classes="heading")
                yield Sparkline(means, id="chart", min_color="red", max_color="green")
            elif not lines:
                yield Static("No sessions yet: a round you practise shows up here.", classes="heading")
            yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            yield Static("Key points, weakest recently first (oldest → newest)", classes="heading")
            yield DataTable(id="concepts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        from interviewer.session.history import concept_progress, session_lines, trend_label

        store = self.interviewer.services.store
        sessions = self.query_one("#sessions", DataTable)
        sessions.add_columns("session", "date", "mode", "answered", "mean", "trend")
        for s in reversed(session_lines(store, SESSIONS_SHOWN)):
            sessions.add_row(str(s.id), s.started_at.replace("T", " ")[:16], s.mode, f"{s.answered}/{s.asked}",
                             "–" if s.mean is None else f"{s.mean:.1f}",
                             trend_label(s.change) + ("" if s.finished else " unfinished"))
        concepts = self.query_one("#concepts", DataTable)
        concepts.add_columns("id", "key point", "answers", "covered")
        for p in concept_progress(store)[:CONCEPTS_SHOWN]:
            # Text, not str: a DataTable reads a str cell as markup.
            concepts.add_row(Text(printable(p.rubric_id, one_line=True)), Text(printable(p.label, one_line=True)[:40]), " ".join(STATUS_MARKS.get(s, "?") for s in p.statuses[-6:]),
                             f"{p.covered}/{len(p.statuses)}")
        sessions.focus()

    def action_back(self) -> None:
        self.dismiss(None)
