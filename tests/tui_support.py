"""Building the Textual app for tests: a fake grader (HashingEmbedder), a store in a temp folder, a clock
that moves only when told, a fixed date, no animation and no blinking cursor, so runs and screenshots are
repeatable. The fakes themselves (``FakeClock``, ``FakeTranscriber``, ``fake_stance``) are in ``fakes.py``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import events, on

from interviewer.config import Settings
from interviewer.store import Store
from interviewer.tui import RoundOptions, Services, make_app
from interviewer.tui.app import InterviewerApp

from .conftest import FIXTURES
from .fakes import FakeClock, FakePlayer, FakeSynthesizer, HashingEmbedder, fake_stance

SCALING_ANSWER = ("Feature scaling puts features on comparable ranges. Distance-based models such as KNN and SVM "
                  "need scaling. Fit the scaler on the training data only.")
LEAKAGE_ANSWER = "Data leakage is when information from the test set leaks into training."


class StillApp(InterviewerApp):
    """The app with no animation, and a cursor that does not blink (in whichever editor or field has focus),
    so screenshots are the same every time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.animation_level = "none"

    @on(events.DescendantFocus)
    def _no_blink(self, event: events.DescendantFocus) -> None:
        if hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False


def services(tmp_path: Path, *, bank: Path | None = FIXTURES / "bank", clock: FakeClock | None = None,
             **kwargs: Any) -> Services:
    """Test services: the fixture bank (``bank=None``: the bundled one), a store in ``tmp_path``; questions are
    not read aloud unless the test sets ``speak_questions`` (with a fake voice and player unless it passes its own)."""
    settings = Settings(bank=bank, database=tmp_path / "sessions.db", speak_questions=False)
    if "settings" in kwargs:
        settings = replace(settings, **kwargs.pop("settings"))
    recordings = tmp_path / "recordings"
    recordings.mkdir(exist_ok=True)
    kwargs.setdefault("load_embedder", HashingEmbedder)
    kwargs.setdefault("load_stance", fake_stance)
    kwargs.setdefault("load_synthesizer", FakeSynthesizer)
    kwargs.setdefault("make_player", FakePlayer)
    return Services(settings=settings, store=Store(settings.database_path()), clock=clock or FakeClock(),
                    now=lambda: datetime(2026, 11, 28, 9, 30, 0), recordings_dir=lambda: recordings, **kwargs)


def app(tmp_path: Path, options: RoundOptions | None = None, *, start: bool = True, resume: int | None = None,
        **kwargs: Any) -> InterviewerApp:
    """The app with test services; ``options`` start at once unless ``start`` is False."""
    return make_app(services(tmp_path, **kwargs), options, start=start, resume=resume, app_class=StillApp)


async def wait_for(pilot: Any, condition: Any, timeout: float = 30.0, what: str = "") -> None:
    """Pause the pilot until ``condition()`` holds (workers run in threads meanwhile)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)
    await asyncio.sleep(0)


def shown_text(widget: Any) -> str:
    """What a ``Static`` shows, as plain text (its content may be a Rich renderable such as a ``Group`` of grids,
    whose ``str`` is not its text)."""
    import io

    from rich.console import Console

    if isinstance(widget.content, str):
        return widget.content
    console = Console(width=200, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(widget.content)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]
