"""Tick boxes that are empty when not ticked.

Textual draws its mark (``X`` in a check box or a selection list, ``●`` in a radio button) in every box and
tells the states apart by colour alone: an unticked box's mark is drawn in the box's own colour. Without
colour (``tmux capture-pane``, a monochrome terminal, ``NO_COLOR``, a screen reader reading the cells) every
box reads as ticked. These draw the mark only when the box is ticked, so the cell itself says the state.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets._toggle_button import ToggleButton

SelectionType = TypeVar("SelectionType")

EMPTY = " "


class TickBox(Checkbox):
    """A check box: ``X`` when ticked, empty when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's class attribute, per state
        return Checkbox.BUTTON_INNER if self.value else EMPTY


class Choice(RadioButton):
    """A radio button: ``●`` when chosen, empty when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802
        return RadioButton.BUTTON_INNER if self.value else EMPTY


class TickList(SelectionList[SelectionType], Generic[SelectionType]):
    """A selection list whose unticked options have an empty box."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count or self.get_option_at_index(index).value in self.selected:
            return strip
        segments = list(strip)
        # SelectionList.render_line draws [left side, mark, right side, " ", prompt...]: blank the mark.
        if len(segments) > 1 and segments[1].text == ToggleButton.BUTTON_INNER:
            segments[1] = Segment(EMPTY * len(ToggleButton.BUTTON_INNER), segments[1].style)
            return Strip(segments, strip.cell_length)
        return strip
