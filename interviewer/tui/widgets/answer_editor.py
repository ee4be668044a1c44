"""The answer editor: a ``TextArea`` that inserts keys arriving faster than it handles them in one edit.

A terminal without bracketed paste (or ``tmux paste-buffer`` without ``-p``) sends a pasted answer as one key
event per character. ``TextArea`` re-wraps the whole line, rebuilds its highlights and records an undo step
for every one of them, so the time grows with the square of the paste: 8,000 characters took 27 s, and a
38 KB answer froze the app for minutes (a new user's trial). Here a printable key (or Enter) is kept, and
the keys kept are inserted together once the events queued behind them are handled. Typing by hand still
inserts each key at once (nothing is queued behind it); a bracketed paste is one event, as before.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import TextArea


class AnswerEditor(TextArea):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[str] = []

    async def _on_key(self, event: events.Key) -> None:
        if self.read_only or not (event.is_printable or event.key == "enter") or event.character is None:
            self.flush_keys()  # arrows, backspace, ctrl+…: after the text typed before them
            return  # TextArea's own _on_key runs next (Textual calls each class's handler in turn)
        event.stop()
        event.prevent_default()
        self._restart_blink()
        if not self._pending:
            self.call_later(self.flush_keys)  # behind the key events already queued: they join this edit
        self._pending.append("\n" if event.key == "enter" else event.character)

    async def _on_paste(self, event: events.Paste) -> None:
        self.flush_keys()  # keys typed before a paste go in before it (TextArea's _on_paste runs next)

    async def _on_mouse_down(self, event: events.MouseDown) -> None:
        self.flush_keys()  # where they were typed, before a click moves the cursor or starts a selection

    def flush_keys(self) -> None:
        """Insert the keys kept so far at the cursor (replacing the selection), as one edit."""
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            start, end = self.selection
            self._replace_via_keyboard(text, start, end)

    @property  # type: ignore[override]
    def text(self) -> str:
        """The document, with every key received so far in it (a submit never misses the last keys)."""
        self.flush_keys()
        return TextArea.text.fget(self)  # type: ignore[attr-defined,no-any-return]

    @text.setter
    def text(self, value: str) -> None:
        self._pending.clear()
        TextArea.text.fset(self, value)  # type: ignore[attr-defined]
