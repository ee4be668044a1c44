"""Export the round's report (Markdown, HTML or JSON, by the file name's suffix) from the summary screen,
through ``interviewer.reports.export_session``; the file is written in a thread worker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

from interviewer.display import printable
from interviewer.tui.of_app import OfTheApp
from interviewer.tui.widgets.ticks import TickBox


class ExportModal(OfTheApp, ModalScreen[Path | None]):
    """Dismissed with the path written, or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    @dataclass
    class Exported(Message, bubble=False):
        path: Path

    @dataclass
    class ExportFailed(Message, bubble=False):
        error: str

    def __init__(self, session_id: int, default: Path, *, recordings: bool = False) -> None:
        super().__init__()
        self.session_id = session_id
        self.default = default
        self.recordings = recordings
        """The round has recordings: offer to copy them beside the report."""

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static("Export the report", id="export-title")
            yield Static("File (.md, .html or .json); Enter writes it, Esc cancels.")
            yield Input(str(self.default), id="export-path")
            if self.recordings:
                yield TickBox("Copy the recordings beside it (else they are linked where they are)", id="copy-audio",
                               compact=True)
            yield Static("", id="export-error", markup=False)

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip() or str(self.default)).expanduser()
        self.query_one("#export-error", Static).update("◌ writing…")
        copy = self.recordings and self.query_one("#copy-audio", Checkbox).value
        self._export(path, copy)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export", description="writing the report")
    def _export(self, path: Path, copy_audio: bool) -> None:
        from interviewer.reports import export_session
        from interviewer.tui.models import error_text

        try:
            written = export_session(self.interviewer.services.store, self.session_id, path, self.interviewer.bank,
                                     copy_audio=copy_audio)
        except Exception as exc:  # noqa: BLE001 - shown in the modal, which stays open
            self.post_message(self.ExportFailed(error_text(exc)))
        else:
            self.post_message(self.Exported(written))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.dismiss(message.path)

    @on(ExportFailed)
    def _failed(self, message: ExportFailed) -> None:
        self.query_one("#export-error", Static).update(printable(message.error))
