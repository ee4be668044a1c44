"""The error modal: what went wrong, in the words of the error, and (for speech) the offer to type instead."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from interviewer.display import printable


class ErrorModal(ModalScreen[bool]):
    """Dismissed with True when the candidate chose to type instead (``offer_typing``), else False."""

    BINDINGS = [
        Binding("escape", "dismiss(False)", "Close"),
        Binding("t", "type_instead", "Type instead", show=False),
    ]

    def __init__(self, title: str, message: str, *, offer_typing: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.offer_typing = offer_typing

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Static(printable(self.title_text), id="error-title", markup=False)
            yield Static(printable(self.message), id="error-message", markup=False)
            with Horizontal(id="error-buttons"):
                if self.offer_typing:
                    yield Button("Type instead (t)", id="type-instead", variant="primary")
                yield Button("Close (Esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#type-instead" if self.offer_typing else "#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "type-instead")

    def action_type_instead(self) -> None:
        if self.offer_typing:
            self.dismiss(True)
