"""``OfTheApp``: what every screen and widget of the interviewer uses to reach its app, typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from interviewer.tui.app import InterviewerApp


class OfTheApp:
    """Mixed into a screen or widget (before the Textual base): ``self.interviewer`` is ``self.app``, typed."""

    @property
    def interviewer(self) -> InterviewerApp:
        return cast("InterviewerApp", self.app)  # type: ignore[attr-defined]
