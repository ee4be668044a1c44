"""The answer clock: time taken, and for a timed round the time left, with a warning near the end."""

from __future__ import annotations

from collections.abc import Callable

from textual.reactive import reactive
from textual.widgets import Static

DEFAULT_LIMIT_SECONDS = 180.0  # a timed question whose rubric gives no time limit
WARNING_SECONDS = 30.0  # the clock turns to a warning this long before the end (a quarter of short limits)
TICK_SECONDS = 0.5


def clock_text(seconds: float) -> str:
    minutes, rest = divmod(int(max(seconds, 0.0)), 60)
    return f"{minutes}:{rest:02d}"


class AnswerTimer(Static):
    """Counts from when it is mounted; ``stop()`` freezes it. ``limit`` None: elapsed time only."""

    state: reactive[str] = reactive("normal")
    """normal, warning (near the end) or over (time is up): also a CSS class (-warning, -over)."""

    def __init__(self, limit: float | None, clock: Callable[[], float], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.limit = limit
        self.clock = clock
        self.started = clock()
        self.stopped_at: float | None = None

    def on_mount(self) -> None:
        self.started = self.clock()
        self._tick()
        self.set_interval(TICK_SECONDS, self._tick)

    @property
    def elapsed(self) -> float:
        end = self.stopped_at if self.stopped_at is not None else self.clock()
        return max(0.0, end - self.started)

    def stop(self) -> float:
        if self.stopped_at is None:
            self.stopped_at = self.clock()
        self._tick()
        return self.elapsed

    def _tick(self) -> None:
        elapsed = self.elapsed
        if self.limit is None:
            self.update(f"⏱ {clock_text(elapsed)}")
            return
        left = self.limit - elapsed
        warn_at = min(WARNING_SECONDS, self.limit / 4)
        self.state = "over" if left <= 0 else "warning" if left <= warn_at else "normal"
        if self.state == "over":
            self.update(f"⏱ time is up ({clock_text(elapsed)} of {clock_text(self.limit)})")
        else:
            self.update(f"⏱ {clock_text(left)} left of {clock_text(self.limit)}")

    def watch_state(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")
