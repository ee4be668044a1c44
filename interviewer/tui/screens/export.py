"""Export the round's report (Markdown, HTML or JSON, by the file name's suffix) from the summary screen,
through ``interviewer.reports.export_session``; the file is written in a thread worker."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from interviewer.display import printable
from interviewer.tui.of_app import OfTheApp


class ExportModal(OfTheApp, ModalScreen[Path | None]):
    """Dismissed with the path written, or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, session_id: int, default: Path) -> None:
        super().__init__()
        self.session_id = session_id
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static("Export the report", id="export-title")
            yield Static("File (.md, .html or .json); Enter writes it, Esc cancels.")
            field = Input(str(self.default), id="export-path")
            if self.interviewer.still:
                field.cursor_blink = False
            yield field
            yield Static("", id="export-error", markup=False)

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip() or str(self.default)).expanduser()
        self.query_one("#export-error", Static).update("◌ writing…")
        self._export(path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export", description="writing the report")
    def _export(self, path: Path) -> Path:
        from interviewer.reports import export_session

        return export_session(self.interviewer.services.store, self.session_id, path, self.interviewer.bank)

    @on(Worker.StateChanged)
    def _done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "export":
            return
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            from interviewer.tui.models import error_text

            self.query_one("#export-error", Static).update(printable(error_text(event.worker.error)))
