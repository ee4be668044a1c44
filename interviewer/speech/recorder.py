"""Record the microphone to a WAV file, written while recording so a crash loses at most half a second.

PortAudio calls back on its own thread with each 100 ms block; the callback only queues the bytes. A
writer thread appends them to the WAV file (header patched and flushed every ``SYNC_SECONDS``), reports
the level for a meter, hands the samples to an optional consumer (live transcription), and stops at the
maximum length. ``stop()`` keeps the file; ``cancel()`` deletes it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from interviewer.errors import InputError, InterviewerError
from interviewer.outfile import check_output
from interviewer.speech.audio import CHANNELS, SAMPLE_RATE, level_dbfs, pcm16_to_float
from interviewer.speech.devices import TYPED_FALLBACK, AudioDevice, resolve_input_device, sounddevice_module
from interviewer.speech.wavwriter import WavWriter

BLOCK_SECONDS = 0.1  # PortAudio delivers audio in blocks this long; the meter updates as often
SYNC_SECONDS = 0.5  # the WAV header is patched and flushed this often: the most a crash can lose
NO_AUDIO_TIMEOUT = 5.0  # a device that delivers nothing for this long is busy or broken: stop, never hang
DEFAULT_MAX_SECONDS = 600.0  # ten minutes: longer than any interview answer
PA_INVALID_SAMPLE_RATE = -9997  # paInvalidSampleRate: the device cannot capture at 16 kHz itself

StopReason = Literal["stopped", "max_length", "cancelled", "failed"]
LevelCallback = Callable[[float], None]
"""Called about ten times a second with the last block's level in dBFS (-120 silence … 0 full scale)."""
AudioCallback = Callable[[np.ndarray], None]
"""Called with each block of 16 kHz mono float32 samples as it is written."""


@dataclass(frozen=True)
class Recording:
    path: Path
    seconds: float
    device: str
    reason: StopReason
    overflows: int = 0
    """Blocks PortAudio dropped because the machine was too busy (0 normally)."""


class _Resampler:
    """Streams int16 mono blocks at the device's rate into 16 kHz (for devices that cannot do 16 kHz)."""

    def __init__(self, rate: int) -> None:
        import av  # FFmpeg's resampler, stateful across blocks (no clicks at block edges)

        self._av = av
        self._rate = rate
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)

    def __call__(self, block: np.ndarray) -> np.ndarray:
        frame = self._av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self._rate
        out = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int16)


class Recorder:
    """One recording: ``start()``, then ``stop()`` (keep) or ``cancel()`` (delete); ``wait()`` for the max length."""

    def __init__(self, path: Path, *, device: str | int | None = None, max_seconds: float = DEFAULT_MAX_SECONDS,
                 on_level: LevelCallback | None = None, on_audio: AudioCallback | None = None,
                 overwrite: bool = False) -> None:
        if max_seconds <= 0:
            raise InputError(f"maximum length {max_seconds:g} s: expected a positive number of seconds")
        self.path = path
        self.max_seconds = max_seconds
        self._device_spec = device
        self._on_level = on_level
        self._on_audio = on_audio
        self._overwrite = overwrite
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._finished = threading.Event()
        self._reason: StopReason = "stopped"
        self._error: InterviewerError | None = None
        self._overflows = 0
        self._stream: Any = None
        self._writer: WavWriter | None = None
        self._thread: threading.Thread | None = None
        self.device: AudioDevice | None = None
        self._frames = 0

    # -- control -------------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the device and the file and start capturing. Errors say what to do; nothing is left open."""
        # A WAV file is rewritten in place as it grows: a device, a FIFO or a folder is refused, not written.
        check_output(self.path, force=self._overwrite, streams=False,
                     hint="choose another file or use --force to overwrite")
        sd = sounddevice_module()
        self.device = resolve_input_device(self._device_spec)
        rate, resample = SAMPLE_RATE, None
        try:
            self._stream = self._open(sd, rate)
        except sd.PortAudioError as exc:
            if _pa_code(exc) != PA_INVALID_SAMPLE_RATE:
                raise self._open_error(exc) from None
            rate = int(self.device.default_sample_rate)
            resample = _Resampler(rate)
            try:
                self._stream = self._open(sd, rate)
            except sd.PortAudioError as exc2:
                raise self._open_error(exc2) from None
        try:
            self._writer = WavWriter(self.path, exclusive=not self._overwrite)
        except OSError as exc:
            self._stream.close()
            raise InputError(f"{self.path}: cannot write the recording ({exc.strerror})") from None
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._write_loop, args=(resample,), daemon=True, name="recorder-writer")
        self._thread.start()
        try:
            self._stream.start()
        except sd.PortAudioError as exc:
            self._shutdown()
            self.path.unlink(missing_ok=True)
            raise self._open_error(exc) from None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the recording ends by itself (maximum length, or the device failed); True if it has."""
        return self._finished.wait(timeout)

    @property
    def seconds(self) -> float:
        """Audio written so far."""
        return self._frames / SAMPLE_RATE

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def stop(self) -> Recording:
        """Stop capturing and close the file (kept). Raises the device's error, if it failed, after saving."""
        self._shutdown()
        if self._error is not None:
            raise self._error
        return Recording(self.path, round(self.seconds, 3), self.device.name if self.device else "?", self._reason,
                         self._overflows)

    def cancel(self) -> None:
        """Stop capturing and delete the file."""
        self._reason = "cancelled"
        self._shutdown()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Recorder:
        self.start()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self._thread is not None and self._thread.is_alive():
            if exc_type is None:
                self.stop()
            else:
                self._shutdown()  # keep what was recorded, let the exception through

    # -- internals -----------------------------------------------------------------------------------
    def _open(self, sd: Any, rate: int) -> Any:
        assert self.device is not None
        return sd.RawInputStream(samplerate=rate, channels=CHANNELS, dtype="int16", device=self.device.index,
                                 blocksize=int(rate * BLOCK_SECONDS), callback=self._callback)

    def _open_error(self, exc: Exception) -> InterviewerError:
        name = self.device.name if self.device else str(self._device_spec)
        text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)  # args: (message, code, …)
        reason = text.split("[PaErrorCode")[0].strip() or type(exc).__name__
        return InterviewerError(f"device {name!r}: cannot record from it ({reason}); another program may be using it: "
                                f"close it or choose another device with --device (see `interviewer devices`); {TYPED_FALLBACK}")

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        # PortAudio's thread: no file I/O, no locks held long; just hand the bytes over.
        if status and getattr(status, "input_overflow", False):
            self._overflows += 1
        if not self._finished.is_set():
            self._queue.put(bytes(indata))

    def _write_loop(self, resample: _Resampler | None) -> None:
        assert self._writer is not None
        max_frames = int(self.max_seconds * SAMPLE_RATE)
        last_sync = 0
        try:
            while True:
                try:
                    item = self._queue.get(timeout=0.25)
                except queue.Empty:
                    if self._frames == 0 and time.monotonic() - self._started > NO_AUDIO_TIMEOUT:
                        name = self.device.name if self.device else "?"
                        self._fail(InterviewerError(
                            f"device {name!r}: no audio arrived in {NO_AUDIO_TIMEOUT:g} s; it may be busy or muted: "
                            f"choose another with --device (see `interviewer devices`); {TYPED_FALLBACK}"))
                    continue
                if item is None:
                    break
                if self._finished.is_set():
                    continue
                block = np.frombuffer(item, dtype="<i2")
                if resample is not None:
                    block = resample(block)
                block = block[: max(0, max_frames - self._frames)]
                if len(block) == 0:
                    continue
                self._writer.write(block.tobytes())
                self._frames += len(block)
                samples = pcm16_to_float(block.tobytes())
                if self._on_level is not None:
                    self._on_level(level_dbfs(samples))
                if self._on_audio is not None:
                    self._on_audio(samples)
                if self._frames - last_sync >= SYNC_SECONDS * SAMPLE_RATE:
                    self._writer.sync()
                    last_sync = self._frames
                if self._frames >= max_frames:
                    self._reason = "max_length"
                    self._finished.set()
        except OSError as exc:
            self._fail(InterviewerError(f"{self.path}: writing the recording failed ({exc.strerror}); "
                                        "what was recorded until then is in the file"))
        except InterviewerError as exc:
            self._fail(exc)
        except Exception as exc:  # noqa: BLE001  (a failing callback must stop the recording visibly, not silently)
            self._fail(InterviewerError(f"{self.path}: recording stopped ({type(exc).__name__}: {exc}); "
                                        "what was recorded until then is in the file"))
        finally:
            self._writer.close()

    def _fail(self, error: InterviewerError) -> None:
        self._error = error
        self._reason = "failed"
        self._finished.set()

    def _shutdown(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:  # noqa: BLE001  (closing a failed stream must not hide the recording)
                pass
            self._stream = None
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        elif self._writer is not None:
            self._writer.close()
        self._finished.set()


def _pa_code(exc: Exception) -> int | None:
    """The PortAudio error code of a ``PortAudioError`` (its second argument), if any."""
    args = getattr(exc, "args", ())
    return args[1] if len(args) > 1 and isinstance(args[1], int) else None
