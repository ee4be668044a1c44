"""A live input level bar for recording, with the time recorded."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

FLOOR_DBFS = -60.0  # the bar's left end; speech is around -30 to -10
WIDTH = 30


def level_bar(level_dbfs: float, width: int = WIDTH) -> str:
    share = min(1.0, max(0.0, (level_dbfs - FLOOR_DBFS) / -FLOOR_DBFS))
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled)


class LevelMeter(Static):
    """``level`` in dBFS and ``seconds`` recorded; set them from the UI thread only. ``testing``: the level
    alone (the microphone test, which keeps nothing)."""

    level: reactive[float] = reactive(-120.0)
    seconds: reactive[float] = reactive(0.0)
    limit: reactive[float] = reactive(600.0)
    testing: reactive[bool] = reactive(False)

    def render(self) -> str:
        shown = max(self.level, -99.0)
        if self.testing:
            return f"Level {level_bar(self.level)} {shown:5.1f} dB"
        return f"● REC {level_bar(self.level)} {shown:5.1f} dB  {self.seconds:5.1f} s / {self.limit:.0f} s"
