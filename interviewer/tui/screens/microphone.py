"""Choose the microphone, and test it: the input devices PortAudio lists, the system's default first; the
highlighted one is opened at once and its level shown on the meter (speak: the bar moves). Enter records from
it from now on and remembers it (``input_device`` in config.toml); Esc keeps the one before.

Opened from the start screen's Microphone row and from the command palette ("Microphone"). The list and the
test run in thread workers (PortAudio is imported there, never on the UI thread); the test records into a
temporary file that is deleted when it stops. With no microphone at all the modal says so, and typed
answers still work.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from interviewer.display import printable
from interviewer.tui.of_app import OfTheApp
from interviewer.tui.widgets.level_meter import LevelMeter

if TYPE_CHECKING:
    from interviewer.config import Settings
    from interviewer.speech.devices import AudioDevice
    from interviewer.tui.app import InterviewerApp

DEFAULT_ID = "default"  # the option for the system's default input (the setting unset)
LISTING = "Looking for microphones…"
TEST_HINT = "Speak: the bar should move. Enter uses the highlighted microphone, Esc keeps the one before."
NO_MICROPHONE = "You can still type your answers (Answers: Typed)."


def microphone_label(settings: Settings) -> str:
    """The microphone the settings name, in words (no device is looked up)."""
    return settings.input_device or "the system default"


def choose_microphone(app: InterviewerApp) -> None:
    """Open the modal (not while an answer is being recorded: the test would open the microphone twice)."""
    from interviewer.tui.widgets.voice_panel import VoicePanel

    if any(panel.state in ("starting", "recording") for panel in app.screen.query(VoicePanel)):
        app.notify("Stop recording first (ctrl+r), then choose the microphone.", severity="warning")
        return

    app.push_screen(MicrophoneModal(), lambda _: app.modal_closed())


class MicrophoneModal(OfTheApp, ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    @dataclass
    class Listed(Message):
        devices: list[AudioDevice]
        error: str | None = None

    @dataclass
    class Level(Message):
        level: float
        test: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, MicrophoneModal.Level)

    @dataclass
    class TestEnded(Message):
        """The test of ``test`` could not start or stopped by itself (``error``), or it started (``device``)."""

        test: int
        error: str | None = None
        device: str | None = None

    def __init__(self) -> None:
        super().__init__()
        self.devices: list[AudioDevice] = []
        self._tests = 0
        self._stop_test = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(id="mic-box"):
            yield Static("Microphone", id="mic-title")
            yield Static(LISTING, id="mic-hint", markup=False)
            yield OptionList(id="mic-list", compact=True)
            meter = LevelMeter(id="mic-meter")
            meter.testing = True
            yield meter
            yield Static("", id="mic-status", markup=False)
            with Horizontal(id="mic-buttons"):
                yield Button("Use this one (Enter)", id="mic-use", variant="primary")
                yield Button("Cancel (Esc)", id="mic-cancel")

    def on_mount(self) -> None:
        for widget in ("#mic-list", "#mic-meter", "#mic-use"):
            self.query_one(widget).display = False
        self._list()

    def on_unmount(self) -> None:
        self._stop_test.set()

    # -- the devices ------------------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="microphones", description="listing the microphones")
    def _list(self) -> None:
        from interviewer.tui.models import error_text

        try:
            self.post_message(self.Listed(self.interviewer.services.list_microphones()))
        except Exception as exc:  # noqa: BLE001 - no PortAudio: said in the modal
            self.post_message(self.Listed([], error_text(exc)))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        from interviewer.speech.devices import NO_INPUT, TYPED_FALLBACK, AudioDeviceError, match_input_device

        self.devices = message.devices
        hint = self.query_one("#mic-hint", Static)
        if message.error is not None or not self.devices:
            reason = (message.error or NO_INPUT).replace("; " + TYPED_FALLBACK, "").replace(TYPED_FALLBACK, "")
            hint.update(printable(reason.rstrip("; ") + ".\n\n" + NO_MICROPHONE))
            self.query_one("#mic-cancel", Button).label = "Close (Esc)"
            self.query_one("#mic-cancel", Button).focus()
            return
        listing = self.query_one("#mic-list", OptionList)
        default = next((d for d in self.devices if d.is_default), self.devices[0])
        listing.add_option(Option(printable(f"System default  ({default.name})", one_line=True), id=DEFAULT_ID))
        for device in self.devices:
            listing.add_option(Option(printable(f"{device.name}  ({device.host_api})", one_line=True),
                                      id=str(device.index)))
        configured = self.interviewer.services.settings.input_device
        highlighted = 0
        if configured is not None:
            try:
                highlighted = 1 + self.devices.index(match_input_device(self.devices, configured))
            except AudioDeviceError as exc:
                self.query_one("#mic-status", Static).update(printable(f"The configured one: {exc.message}"))
        for widget in ("#mic-list", "#mic-meter", "#mic-use"):
            self.query_one(widget).display = True
        hint.update(TEST_HINT)
        listing.highlighted = highlighted
        listing.focus()

    def _chosen(self) -> AudioDevice | None:
        """The highlighted device (None: the system default)."""
        option_id = self.query_one("#mic-list", OptionList).highlighted_option
        if option_id is None or option_id.id == DEFAULT_ID:
            return None
        return next(d for d in self.devices if str(d.index) == option_id.id)

    # -- the test ---------------------------------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#mic-list")
    def _highlighted(self) -> None:
        self._stop_test.set()  # the test before stops (its worker closes the device)
        self._stop_test = threading.Event()
        self._tests += 1
        meter = self.query_one(LevelMeter)
        meter.level = -120.0
        self.query_one("#mic-status", Static).update("Opening the microphone…")
        chosen = self._chosen()
        self._test(None if chosen is None else str(chosen.index), self._tests, self._stop_test)

    @work(thread=True, exit_on_error=False, group="microphone-test", description="testing the microphone")
    def _test(self, device: str | None, test: int, stop: threading.Event) -> None:
        from interviewer.errors import InterviewerError
        from interviewer.tui.models import error_text

        services = self.interviewer.services
        path = Path(tempfile.gettempdir()) / f"interviewer-mic-test-{os.getpid()}-{id(self)}-{test}.wav"
        try:
            recorder = services.make_recorder(path, device=device, max_seconds=services.settings.max_record_seconds,
                                              on_level=lambda db: self.post_message(self.Level(db, test)))
            recorder.start()
        except Exception as exc:  # noqa: BLE001 - busy, gone or no PortAudio: said in the modal
            self.post_message(self.TestEnded(test, error=error_text(exc)))
            return
        self.post_message(self.TestEnded(test, device=recorder.device.name if recorder.device else "?"))
        while not stop.is_set() and not recorder.wait(0.1):
            pass
        if stop.is_set():
            recorder.cancel()
            return
        try:  # it stopped by itself: the device failed, or the test reached the length limit
            recorder.stop()
            self.post_message(self.TestEnded(test, error="The test stopped at the length limit: highlight the "
                                                         "microphone again to test it again."))
        except InterviewerError as exc:
            self.post_message(self.TestEnded(test, error=exc.message))
        finally:
            path.unlink(missing_ok=True)

    @on(Level)
    def _level(self, message: Level) -> None:
        if message.test == self._tests:
            self.query_one(LevelMeter).level = message.level

    @on(TestEnded)
    def _test_ended(self, message: TestEnded) -> None:
        if message.test != self._tests:
            return  # a test of a device no longer highlighted
        status = self.query_one("#mic-status", Static)
        status.set_class(message.error is not None, "-failed")
        status.update(printable(message.error if message.error is not None else f"Listening to {message.device}."))

    # -- choosing ---------------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#mic-list")
    @on(Button.Pressed, "#mic-use")
    def _use(self) -> None:
        chosen = self._chosen()
        self._stop_test.set()
        problem = self.interviewer.services.choose_microphone(None if chosen is None else chosen.name)
        label = microphone_label(self.interviewer.services.settings)
        if problem is None:
            self.app.notify(printable(f"Recording from {label} (remembered)."), title="Microphone", markup=False)
            if self.interviewer.models.forget_failed_speech():  # spoken answers failed before: try this one
                self.interviewer.ensure_speech()
        else:
            self.app.notify(printable(f"Recording from {label}; {problem}"), title="Microphone", severity="warning",
                            timeout=10, markup=False)
        self.dismiss(None)

    @on(Button.Pressed, "#mic-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
