"""Record a spoken answer: record / stop / re-record, a live level meter and the time recorded, then the
transcript (the screen puts it in its editor, to be checked before it is submitted).

The recorder and live transcriber run in one thread worker. They report back only with messages: the
level (about ten a second, replaceable), started, transcribing, transcribed. If Whisper is ready when
recording starts, the answer is transcribed while it is spoken (``LiveTranscriber``); otherwise the saved
file is transcribed when recording stops. The WAV file is written as it is recorded, in the session's folder
of recordings. A take the candidate discards (records again, types instead, or leaves the question without
submitting) is deleted; the screen calls ``keep()`` once the answer it belongs to is saved.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Static

from interviewer.tui.of_app import OfTheApp
from interviewer.tui.widgets.level_meter import LevelMeter


_HINT = {
    "idle": "Press ctrl+r (or the button) to record your answer.",
    "starting": "Opening the microphone…",
    "recording": "Recording: speak your answer; ctrl+r stops.",
    "transcribing": "◌ Transcribing…",
    "done": "Check the transcript below, edit it if needed, then ctrl+s submits. ctrl+r records again.",
}
_BUTTON = {"idle": "● Record", "starting": "● Record", "recording": "■ Stop", "transcribing": "■ Stop",
           "done": "↺ Re-record"}


NO_SPEECH = "No speech detected in the recording: record again (ctrl+r), or type your answer."


def review_notice(transcript: Any) -> str:
    """The status line over a transcript to check: no speech, or how much audio was dropped as invented."""
    from interviewer.speech.delivery import dropped_notice

    if transcript.no_speech:
        return NO_SPEECH
    return dropped_notice(transcript) or ""


class VoicePanel(OfTheApp, Widget):
    """Recording controls. ``toggle()`` records, stops, or records again."""

    @dataclass
    class Started(Message, bubble=False):
        device: str

    @dataclass
    class LevelMeasured(Message, bubble=False):
        level: float
        seconds: float
        take: int = 0
        """Which recording it measured: the meter ignores a take that is over."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, VoicePanel.LevelMeasured)

    @dataclass
    class TranscribingStarted(Message):
        seconds: float

    @dataclass
    class Transcribed(Message):
        """The recording is transcribed: ``text`` goes into the editor."""

        path: Path
        seconds: float
        transcript: Any
        delivery: Any

    @dataclass
    class Ended(Message, bubble=False):
        """The recording was discarded, or it failed (``error``)."""

        error: str | None = None

    state: reactive[str] = reactive("idle")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stop = threading.Event()
        self._discard = threading.Event()
        self._take: Path | None = None
        """The last finished take, until it is kept with a saved answer: deleted when discarded."""
        self._takes = 0
        """Recordings started; the meter shows only the newest one's messages."""

    def compose(self) -> ComposeResult:
        yield Static(_HINT["idle"], id="voice-hint")
        meter = LevelMeter(id="level-meter")
        meter.limit = self.interviewer.services.settings.max_record_seconds
        yield meter
        yield Button(_BUTTON["idle"], id="record", compact=True)

    def watch_state(self, state: str) -> None:
        if not self.query("#voice-hint"):
            return  # not composed yet, or torn down (the app quit mid-take): nothing to show it on
        self.query_one("#voice-hint", Static).update(_HINT[state])
        self.query_one("#record", Button).label = _BUTTON[state]
        self.query_one(LevelMeter).display = state in ("starting", "recording")
        self.set_class(state == "recording", "-recording")

    @on(Button.Pressed, "#record")
    def _pressed(self) -> None:
        self.toggle()

    def toggle(self) -> None:
        if self.state in ("idle", "done"):
            self.start()
        elif self.state in ("starting", "recording"):
            self.interviewer.trace("recording-stop")  # the benchmark's stop → transcript starts here
            self._stop.set()

    def start(self) -> None:
        voice = self.interviewer.services.voice
        voice.stop()  # the microphone must not hear the interviewer
        # nor the answer's transcription and grading pay for the voice's model (~130 MB; freeing it takes ~0.2 s)
        self.run_worker(voice.rest, thread=True, group="voice-rest", exit_on_error=False,
                        description="freeing the voice's model while the candidate answers")
        self._drop_take()  # recording again discards the take before
        self._stop.clear()
        self._discard.clear()
        self._takes += 1
        meter = self.query_one(LevelMeter)
        meter.level, meter.seconds = -120.0, 0.0  # not the last take's level and time until this one reports
        self.state = "starting"
        interview = self.interviewer.interview
        self._record(None if interview is None else interview.session_id)

    def keep(self) -> None:
        """The last take belongs to a saved answer: it stays on disk."""
        self._take = None

    def discard(self) -> None:
        """Stop and delete a recording under way, and the last take unless it was kept (the candidate types
        instead, or the screen is closing)."""
        self._discard.set()
        self._stop.set()
        self._drop_take()

    def on_unmount(self) -> None:
        """The panel goes with its screen (or the app quits): a take still recording is cancelled (its worker
        thread would otherwise wait on the microphone until the take's time limit, and the program could not
        exit), and a take no saved answer kept is deleted."""
        self.discard()

    def _drop_take(self) -> None:
        take, self._take = self._take, None
        if take is not None:
            with contextlib.suppress(OSError):  # a file that cannot be deleted is left, not a crash
                take.unlink(missing_ok=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record", description="recording")
    def _record(self, session_id: int | None) -> None:
        from interviewer.tui.models import error_text

        take = self._takes  # this take's number: no other can start before this worker reports back
        try:
            self._record_and_transcribe(self.interviewer.services.recording_path(session_id), take)
        except Exception as exc:  # noqa: BLE001 - no microphone, PortAudio or Whisper: offered typing instead
            self.post_message(self.Ended(error_text(exc)))

    def _record_and_transcribe(self, path: Path, take: int) -> None:
        """Record to ``path`` until stopped, then transcribe (worker thread)."""
        from interviewer.speech.delivery import measure_delivery
        from interviewer.speech.recorder import Recorder
        from interviewer.speech.transcriber import transcribe_file

        app = self.interviewer
        settings = app.services.settings
        whisper = app.transcriber_ready()
        live = None
        if whisper is not None:  # transcribe while the candidate speaks
            from interviewer.speech.live import LiveTranscriber

            live = LiveTranscriber(whisper)
        recorder: Recorder | None = None

        def level(db: float) -> None:
            self.post_message(self.LevelMeasured(db, recorder.seconds if recorder else 0.0, take))

        recorder = app.services.make_recorder(path, device=settings.input_device,
                                              max_seconds=settings.max_record_seconds, on_level=level,
                                              on_audio=live.feed if live else None)
        try:
            recorder.start()
        except BaseException:
            if live is not None:
                live.finish()
            raise
        self.post_message(self.Started(recorder.device.name if recorder.device else "?"))
        while not self._stop.is_set() and not recorder.wait(0.1):
            pass
        if self._discard.is_set():
            recorder.cancel()
            if live is not None:
                live.finish()
            self.post_message(self.Ended())
            return
        recording = recorder.stop()
        self.post_message(self.TranscribingStarted(recording.seconds))
        transcript = live.finish() if live is not None else transcribe_file(app.transcriber_blocking(), recording.path)
        if self._discard.is_set():  # discarded (the screen closed) while it was transcribed
            recording.path.unlink(missing_ok=True)
            return
        self.post_message(self.Transcribed(recording.path, recording.seconds, transcript, measure_delivery(transcript)))

    @on(Started)
    def _started(self) -> None:
        self.state = "recording"
        self.interviewer.trace("recording-started")

    @on(LevelMeasured)
    def _level(self, message: LevelMeasured) -> None:
        if message.take != self._takes:
            return  # a take that is over (its last blocks arrived after the next one started)
        meter = self.query_one(LevelMeter)
        meter.level, meter.seconds = message.level, message.seconds

    @on(TranscribingStarted)
    def _transcribing(self) -> None:
        self.state = "transcribing"

    @on(Transcribed)
    def _transcribed(self, message: Transcribed) -> None:
        if self._discard.is_set():  # discarded while it was being transcribed
            with contextlib.suppress(OSError):
                message.path.unlink(missing_ok=True)
            message.stop()
            return
        self._take = message.path
        self.state = "done"  # the message bubbles on to the screen, which fills its editor

    @on(Ended)
    def _ended(self, message: Ended) -> None:
        if message.error is not None:
            self.state = "idle"
            self.interviewer.speech_failed(message.error)
        elif self.state in ("starting", "recording"):
            self.state = "idle"  # discarded
