"""Play the interviewer's voice through PortAudio: start, stop, replay, and never hang or raise for want of a device.

A machine with no sound card, no sound server or no PortAudio is normal (a server, a container, a muted
laptop): ``find_output_device`` and ``Player.play`` then return a ``NoOutput`` value whose ``message`` the
app shows before it goes on silently. Each ``play`` opens its own stream (tens of milliseconds on
PulseAudio), so ``stop`` and ``replay`` never race an old stream's callback.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from interviewer.speech.devices import AudioDevice, AudioDeviceError, match_device, query_devices, sounddevice_module
from interviewer.speech.tts import Speech

BLOCK_SECONDS = 0.05  # PortAudio asks for this much audio at a time: stop takes effect within it
LEAD_IN_SECONDS = 0.3  # silence played first: a starting stream (PulseAudio through ALSA) swallows its first moments
BUFFER_SECONDS = 0.15  # what a stream holds before PortAudio reports its latency (ALSA's default: 3 blocks)
MAX_LATENCY_SECONDS = 2.0  # an output latency reported above this is not believed (waited at most this long)
STALL_MARGIN_SECONDS = 5.0  # a stream that has not finished this long after the audio's length is stuck: stop it
PA_INVALID_SAMPLE_RATE = -9997  # paInvalidSampleRate: the device cannot play the voice's 22,050 Hz itself
SILENT = "questions are shown, not spoken"
NO_PORTAUDIO = ("the interviewer's voice needs the PortAudio library, which is not installed: run "
                f"`sudo apt-get install libportaudio2`; {SILENT}")
NO_OUTPUT = ("no speaker or headphones found (PortAudio lists no output device): plug them in or check that the "
             f"sound server (PulseAudio/PipeWire) is running; {SILENT}")


@dataclass(frozen=True)
class NoOutput:
    """Why nothing can be played. The app shows ``message`` (one line, says what to do) and goes on silently."""

    message: str


def list_output_devices() -> list[AudioDevice] | NoOutput:
    """Every device with at least one output channel, in PortAudio's order (or why there are none)."""
    try:
        sd = sounddevice_module()
    except AudioDeviceError:
        return NoOutput(NO_PORTAUDIO)
    try:
        outputs = query_devices(sd, "output")
    except sd.PortAudioError as exc:
        return NoOutput(f"cannot list audio devices ({_reason(exc)}); {SILENT}")
    return outputs or NoOutput(NO_OUTPUT)


def find_output_device(spec: str | int | None = None) -> AudioDevice | NoOutput:
    """The output for a setting: None (the default output), an index, or a name (exact, else a unique part)."""
    outputs = list_output_devices()
    if isinstance(outputs, NoOutput):
        return outputs
    try:
        return match_device(outputs, spec, "output")
    except AudioDeviceError as exc:
        return NoOutput(f"{exc}; {SILENT}")


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Linear resampling of mono samples from ``rate`` to ``target`` Hz (enough for a voice on a speaker)."""
    if rate == target or len(samples) == 0:
        return np.asarray(samples, dtype=np.float32)
    count = max(1, round(len(samples) * target / rate))
    positions = np.arange(count, dtype=np.float64) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


class _Playback:
    """One stream playing one array; PortAudio's thread pulls blocks from it through ``callback``.

    ``samples`` is the lead-in silence and the speech, all of which must be heard; silence follows until
    ``end``, as much as the stream buffers and two blocks more, because when a stream finishes, what the
    device still holds is dropped (seen: the last 0.1 s, and 0.5 s with a 0.5 s buffer).

    What underran (ALSA's "underrun occurred", dozens of times per question): through ALSA's PulseAudio
    plugin, a new stream whose buffer (0.15 s) is shorter than the sound server's current latency (set by
    other clients: here the recorder on the null sink's monitor) is drained at once. PortAudio recovers each
    underrun by re-preparing the device, which drops the PulseAudio stream with the audio queued in it, and
    starts again, which underruns again: for up to 1.5 s every block written was lost, so the start of the
    question, or all of it, was never heard. A larger buffer (0.5 s) only moved the threshold (a recorder
    with a larger latency brought the underruns back, and the monitor then lost audio). So ``callback``
    plays again what an underrun dropped: the speech waits (seen: up to 0.4 s; a bare stream's runs of
    underruns lasted up to 1.5 s) instead of vanishing. ALSA still prints "underrun occurred".
    """

    def __init__(self, samples: np.ndarray, rate: int, stop_exception: type[BaseException]) -> None:
        self.samples = samples
        self.rate = rate
        self.position = 0
        self.done = threading.Event()
        self.stream: Any = None
        self._stop = stop_exception
        self._set_buffer(BUFFER_SECONDS)
        self._resume_at = 0  # where the speech goes on after an underrun
        self._underrun_at = -self.rewind - 1  # where the last underrun was reported
        self.underruns = 0
        self._began = float("inf")  # time.monotonic() when the stream started
        self._latency = 0.0  # the stream's output latency, as PortAudio reports it
        self._heard_at: float | None = None  # from PortAudio's clock, once the speech's last block is written

    def _set_buffer(self, seconds: float) -> None:
        self.rewind = int((seconds + BLOCK_SECONDS) * self.rate)  # the most the device holds: an underrun drops it
        self.end = len(self.samples) + self.rewind + int(BLOCK_SECONDS * self.rate)

    def started(self) -> None:
        self._latency = min(float(getattr(self.stream, "latency", 0.0) or 0.0), MAX_LATENCY_SECONDS)
        self._set_buffer(max(BUFFER_SECONDS, self._latency))
        self._began = time.monotonic()

    @property
    def heard_by(self) -> float:
        """When (``time.monotonic()``) the speech's last sample has reached the speaker.

        PortAudio says "finished" once the last block is handed to the sound server, which may still hold a
        second or two of it (seen: 2 s after an underrun). So: when PortAudio expected that sample at the
        speaker (its DAC time, told to the callback), never before the speech's length has passed since the
        start; when the host API gives no times, the start plus the speech's length plus the output latency.
        """
        length = len(self.samples) / self.rate
        if self._heard_at is None:
            return self._began + length + self._latency
        return max(self._heard_at, self._began + length)

    def heard(self) -> bool:
        return self.done.is_set() and time.monotonic() >= self.heard_by

    def callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        if getattr(status, "output_underflow", False):
            # The device was re-prepared, dropping what it held: play that again. A run of underruns (each
            # call flagged, or a few calls between them) resumes from where the first one did.
            self.underruns += 1
            if self.position - self._underrun_at > self.rewind:
                self._resume_at = max(0, self.position - self.rewind)
            self.position = self._underrun_at = self._resume_at
        begin = self.position
        chunk = self.samples[begin : begin + frames]
        outdata[: len(chunk), 0] = chunk
        outdata[len(chunk) :, 0] = 0.0
        self.position += frames
        if begin < len(self.samples) <= self.position:
            self._heard_at = _dac_time(time_info, (len(self.samples) - begin) / self.rate)
        if self.position >= self.end:
            raise self._stop  # PortAudio hands over what was written, then calls finished()

    def finished(self) -> None:
        self.done.set()


class Player:
    """Plays ``Speech`` on one output device: ``play`` (returns at once), ``stop``, ``replay``, ``wait``.

    Every method may be called from any thread; none raises for a missing or failing device: ``play`` and
    ``replay`` return ``NoOutput`` instead, and the last ``NoOutput`` stays in ``problem``.
    """

    def __init__(self, device: str | int | None = None) -> None:
        self._device_spec = device
        self._lock = threading.Lock()  # guards _current (stop may come from another thread mid-play)
        self._play_lock = threading.Lock()  # one play() at a time: two at once would leave one stream unowned
        self._current: _Playback | None = None
        self._last: Speech | None = None
        self.problem: NoOutput | None = None

    def check(self) -> AudioDevice | NoOutput:
        """The device that would play (or why none would), without playing anything."""
        return find_output_device(self._device_spec)

    def play(self, speech: Speech) -> NoOutput | None:
        """Stop what is playing and start ``speech``. None once it has started, or why it cannot play."""
        with self._play_lock:
            return self._play(speech)

    def _play(self, speech: Speech) -> NoOutput | None:
        self.stop()
        self._last = speech
        device = find_output_device(self._device_spec)
        if isinstance(device, NoOutput):
            return self._fail(device)
        sd = sounddevice_module()  # found above, so it imports
        playback: _Playback | None = None
        error: Exception | None = None
        for rate in dict.fromkeys((speech.rate, int(device.default_sample_rate))):  # the voice's rate, else the device's
            lead_in = np.zeros(int(LEAD_IN_SECONDS * rate), dtype=np.float32)
            playback = _Playback(np.concatenate([lead_in, resample(speech.samples, speech.rate, rate)]), rate,
                                 sd.CallbackStop)
            try:
                playback.stream = sd.OutputStream(samplerate=rate, channels=1, dtype="float32", device=device.index,
                                                  blocksize=int(rate * BLOCK_SECONDS), callback=playback.callback,
                                                  finished_callback=playback.finished)
                break
            except sd.PortAudioError as exc:
                error, playback = exc, None
                if _code(exc) != PA_INVALID_SAMPLE_RATE:
                    break
        if playback is None:
            return self._fail(NoOutput(f"output {device.name!r}: cannot play on it ({_reason(error)}); another program "
                                       f"may be using it; {SILENT}"))
        try:
            playback.stream.start()
            playback.started()
        except sd.PortAudioError as exc:
            _close(playback)
            return self._fail(NoOutput(f"output {device.name!r}: cannot play on it ({_reason(exc)}); {SILENT}"))
        with self._lock:
            self._current = playback
        self.problem = None
        return None

    def replay(self) -> NoOutput | None:
        """Play the last speech again from its start (``NoOutput`` if nothing was played yet)."""
        if self._last is None:
            return NoOutput("nothing to replay yet")
        return self.play(self._last)

    def stop(self) -> None:
        """Stop at once (within one block); idempotent."""
        with self._lock:
            playback, self._current = self._current, None
        if playback is not None:
            _close(playback, abort=True)

    @property
    def playing(self) -> bool:
        with self._lock:
            return self._current is not None and not self._current.heard()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current speech has been heard (True), or ``timeout`` passed (False, still playing).

        Heard: the stream has finished and the audio's length (plus the output latency) has passed since it
        started, so a recording begun now does not pick up the end of the question from the speaker. A stream
        that never finishes (a stalled device) is stopped once the audio's length plus a margin has passed,
        so this never blocks for ever.
        """
        with self._lock:
            playback = self._current
        if playback is None:
            return True
        began = time.monotonic()
        limit = playback.end / playback.rate + STALL_MARGIN_SECONDS
        if playback.done.wait(limit if timeout is None else min(timeout, limit)):
            left = playback.heard_by - time.monotonic()
            if left > 0:
                if timeout is not None and time.monotonic() - began + left > timeout:
                    return False  # finished, but still in the sound server's buffer
                time.sleep(left)
            _close(playback)
            return True
        if timeout is None or timeout >= limit:
            self.stop()
            self.problem = NoOutput(f"the output device stopped playing; {SILENT}")
            return True
        return False

    def close(self) -> None:
        self.stop()

    def _fail(self, problem: NoOutput) -> NoOutput:
        self.problem = problem
        return problem


def _dac_time(time_info: Any, offset: float) -> float | None:
    """``time.monotonic()`` when the sample ``offset`` seconds into the block being written will be heard, from
    PortAudio's times for the block (None when the host API gives none, or ones not to be believed)."""
    dac = float(getattr(time_info, "outputBufferDacTime", 0.0) or 0.0)
    ahead = dac - float(getattr(time_info, "currentTime", 0.0) or 0.0)
    if dac <= 0.0 or not 0.0 <= ahead <= MAX_LATENCY_SECONDS:
        return None
    return time.monotonic() + ahead + offset


def _close(playback: _Playback, *, abort: bool = False) -> None:
    stream = playback.stream
    if stream is None:
        return
    with contextlib.suppress(Exception):  # closing a failed stream must never stop the interview
        if abort:
            stream.abort()
        stream.close()
    playback.done.set()


def _code(exc: Exception) -> int | None:
    args = getattr(exc, "args", ())
    return args[1] if len(args) > 1 and isinstance(args[1], int) else None


def _reason(exc: Exception | None) -> str:
    if exc is None:
        return "unknown error"
    text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return text.split("[PaErrorCode")[0].strip() or type(exc).__name__
