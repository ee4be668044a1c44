"""Progress across sessions: a small chart of each session's mean score, the sessions, and the key points
weakest recently (from ``interviewer.session.history``, the same figures as `interviewer history`)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from interviewer.display import clip, printable
from interviewer.session.advice import STATUS_MARKS
from interviewer.session.history import SessionLine
from interviewer.tui.of_app import OfTheApp


SESSIONS_SHOWN = 20  # the chart and the table show the last this-many sessions
CONCEPTS_SHOWN = 8


CHART_ROWS = 5  # the chart's height in lines; each line is 2 points of the 0-10 scale
BLOCKS = " ▁▂▃▄▅▆▇█"


BANK_CHARS = 12  # a bank's name under its group of bars is cut to this (with "…")
GROUP_GAP = "  "  # between two banks' groups of bars


def score_chart(lines: list[SessionLine]) -> Text:
    """A bar per session's mean score on a 0–10 axis (so 5.1 is half a bar, never a flat line), with the axis
    labelled and each bar's session number under it. Sessions of two or more banks are grouped by bank (in the
    order each bank first appears, oldest first within a bank), with the bank's name under its group: a trend
    is read within one bank, as the heading and `interviewer history` give it."""
    shown = [s for s in lines if s.mean is not None]
    width = max(len(str(s.id)) for s in shown) + 1
    groups: dict[str, list[SessionLine]] = {}
    for session in shown:
        groups.setdefault(session.bank, []).append(session)
    # Names as the sessions table shows them, measured in cells (a CJK letter takes two).
    labels = [clip(printable(bank, one_line=True), BANK_CHARS) for bank in groups]
    several = len(groups) > 1
    # Each group is as wide as its bars, or as its bank's (cut) name when that is wider.
    widths = [max(width * len(g), cell_len(label) + 1 if several else 0) for label, g in zip(labels, groups.values())]
    out = Text(no_wrap=True, overflow="crop")  # many banks: cut at the screen's edge, never wrapped into the bars
    for row in range(CHART_ROWS, 0, -1):
        top = 10 * row / CHART_ROWS
        out.append(f"{top:>4.0f} ┤", style="dim")  # every line's top: 10, 8, 6, 4, 2 (then 0 below)
        for number, (group, group_width) in enumerate(zip(groups.values(), widths, strict=True)):
            out.append(GROUP_GAP if number else "")
            for s in group:
                fill = min(max((s.mean or 0.0) - (top - 10 / CHART_ROWS), 0.0) / (10 / CHART_ROWS), 1.0)
                colour = "green" if (s.mean or 0) >= 7 else "yellow" if (s.mean or 0) >= 4 else "red"
                out.append(BLOCKS[round(fill * 8)].rjust(width), style=colour)
            out.append(" " * (group_width - width * len(group)))
        out.append("\n")
    span = sum(widths) + len(GROUP_GAP) * (len(widths) - 1)
    out.append("   0 └" + "─" * span + "\n", style="dim")
    numbers = GROUP_GAP.join("".join(str(s.id).rjust(width) for s in group).ljust(group_width)
                             for group, group_width in zip(groups.values(), widths, strict=True))
    out.append("      " + numbers + "  session", style="dim")
    if several:
        names = GROUP_GAP.join(" " + label + " " * (group_width - 1 - cell_len(label))
                               for label, group_width in zip(labels, widths, strict=True))
        out.append("\n      " + names + "  bank", style="dim")
    return out


class HistoryScreen(OfTheApp, Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        from interviewer.session.history import bank_trends, session_lines

        store = self.interviewer.services.store
        lines = session_lines(store, SESSIONS_SHOWN)
        means = [s.mean for s in lines if s.mean is not None]
        yield Static("History  ·  your sessions and key points", id="history-bar")
        with VerticalScroll(id="history-body"):
            if len(means) >= 2:
                # A trend is within one bank: a statistics round's mean says nothing about a behavioural one's.
                trends = "; ".join(f"{bank} {mine[0]:.1f} → {mine[-1]:.1f}" for bank, mine in bank_trends(lines))
                heading = "Mean score per session (0–10)" + (f", per bank, oldest → newest: {trends}"
                                                             if trends else "")
                yield Static(printable(heading, one_line=True), classes="heading", markup=False)
                yield Static(score_chart(lines), id="chart")
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
        sessions.add_columns("session", "date", "bank", "mode", "answered", "mean", "trend")
        bank_width = max(16, min(40, self.app.size.width - 66))  # the other columns take ~66 of a wide terminal
        for s in reversed(session_lines(store, SESSIONS_SHOWN)):
            bank = Text(clip(printable(s.bank, one_line=True), bank_width))
            sessions.add_row(str(s.id), s.started_at.replace("T", " ")[:16], bank, s.mode,
                             f"{s.answered}/{s.asked}",
                             "–" if s.mean is None else f"{s.mean:.1f}",
                             trend_label(s.change) + ("" if s.finished else " unfinished"))
        concepts = self.query_one("#concepts", DataTable)
        concepts.add_columns("key point", "question", "answers", "covered")
        spare = max(0, self.app.size.width - 80)  # wider than 80 columns: the two text columns share the rest
        for p in concept_progress(store)[:CONCEPTS_SHOWN]:
            # Text, not str: a DataTable reads a str cell as markup. The question by its text, cut with "…".
            concepts.add_row(Text(clip(printable(p.label, one_line=True), 30 + spare // 2)),
                             Text(clip(printable(p.question or p.rubric_id, one_line=True), 28 + spare - spare // 2)),
                             " ".join(STATUS_MARKS.get(s, "?") for s in p.statuses[-6:]), p.tally())
        sessions.focus()

    def action_back(self) -> None:
        self.dismiss(None)
