"""The speech commands: ``devices``, ``record``, ``transcribe`` with their flags, and the audio half of
``grade --audio``.

Output goes to stdout; the level meter and progress go to stderr so ``--json`` output stays clean. Audio,
NumPy and the engines are imported inside the commands: the parser is built on every run.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from interviewer import locations
from interviewer.cli.common import recordings_option, settings_of
from interviewer.errors import InputError
from interviewer.outfile import is_stdout

if TYPE_CHECKING:
    import numpy as np

    from interviewer.speech.delivery import Delivery
    from interviewer.speech.engine import Transcriber
    from interviewer.speech.transcript import Segment, Transcript

LONG_AUDIO_SECONDS = 30.0  # transcriptions of longer audio show a progress bar
METER_WIDTH = 30
METER_FLOOR_DBFS = -60.0  # the meter's left end


__all__ = ["add_parsers", "meter", "speech_report", "transcribe_with_progress"]


def add_parsers(sub: Any) -> None:
    """``devices``, ``record`` and ``transcribe``."""
    p = sub.add_parser("devices", help="list the microphones (audio input devices)")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("record", help="record a spoken answer from the microphone to a WAV file")
    p.add_argument("-o", "--output", metavar="FILE", help="the WAV file to write (default: a new file in the recordings folder)")
    p.add_argument("--seconds", type=float, metavar="N", help="stop after N seconds (default: Enter, Ctrl-C or the "
                   "max_record_seconds setting)")
    p.add_argument("--device", metavar="D", help="input device name (or a unique part of it) or index; see `devices`")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.add_argument("--transcribe", action="store_true", help="transcribe while recording; print the transcript and "
                   "delivery when it stops")
    p.add_argument("-q", "--quiet", action="store_true", help="no level meter")
    recordings_option(p)
    p.set_defaults(func=cmd_record, bank=None)

    p = sub.add_parser("transcribe", help="transcribe a recorded answer offline and measure its delivery")
    p.add_argument("file", metavar="FILE", help="audio file: WAV, FLAC, MP3, … (any sample rate, mono or stereo)")
    p.add_argument("--json", action="store_true", help="print text, segments, word timings and delivery as JSON")
    p.add_argument("--words", action="store_true", help="also list every word with its start and end time")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_transcribe, bank=None)


def transcribe_with_progress(transcriber: Transcriber, samples: np.ndarray, *, quiet: bool = False,
                             stream: TextIO | None = None) -> Transcript:
    """Transcribe 16 kHz samples; more than ``LONG_AUDIO_SECONDS`` of audio shows a progress bar on stderr."""
    from interviewer.speech.audio import seconds
    from interviewer.speech.transcriber import transcribe_samples

    duration = seconds(samples)
    if quiet or duration < LONG_AUDIO_SECONDS:
        return transcribe_samples(transcriber, samples)
    from tqdm import tqdm

    with tqdm(total=round(duration, 1), unit="s", desc="transcribing", file=stream or sys.stderr, dynamic_ncols=True,
              disable=stream is None and not sys.stderr.isatty(),  # a log file gets no redrawn bar
              bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s of audio [{elapsed}]") as bar:
        def advance(segment: Segment, done: float) -> None:
            bar.update(round(done * duration - bar.n, 1))

        transcript = transcribe_samples(transcriber, samples, on_segment=advance)
        bar.update(bar.total - bar.n)
    return transcript


def speech_report(transcript: Transcript, delivery: Delivery) -> dict[str, object]:
    """The ``transcript`` and ``delivery`` keys of ``--json`` output."""
    return {"transcript": transcript.to_dict(), "delivery": delivery.to_dict()}


# -- devices -------------------------------------------------------------------------------------------
def cmd_devices(args: argparse.Namespace) -> int:
    from interviewer.speech.devices import (
        NO_INPUT,
        AudioDeviceError,
        list_input_devices,
    )

    inputs = list_input_devices()
    if not inputs:
        raise AudioDeviceError(NO_INPUT)
    for device in inputs:
        mark = "*" if device.is_default else " "
        print(f"{mark} {device.index:>3}  {device.name}  ({device.host_api}, {device.channels} ch, "
              f"{device.default_sample_rate:.0f} Hz)")
    print("* the default input; choose another with --device NAME|INDEX or input_device in the config")
    return 0


# -- record --------------------------------------------------------------------------------------------
def default_recording_path(folder: Path) -> Path:
    """A new file in ``folder`` (the settings' recordings folder), made if need be."""
    locations.make_recordings_folder(folder, "pass -o FILE or --recordings DIR")
    return folder / f"answer-{datetime.now():%Y%m%d-%H%M%S}.wav"


def meter(level_dbfs: float, elapsed: float, limit: float) -> str:
    """One status line: a level bar, the level, and the time recorded of the limit."""
    share = min(1.0, max(0.0, (level_dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS))
    filled = round(share * METER_WIDTH)
    return f"\r● REC [{'#' * filled}{'-' * (METER_WIDTH - filled)}] {level_dbfs:6.1f} dB  {elapsed:6.1f} s / {limit:.0f} s "


def _enter_pressed(event: threading.Event) -> None:
    """Set ``event`` when the user presses Enter (daemon thread; stdin must be a terminal)."""
    try:
        sys.stdin.readline()
    except (OSError, ValueError):
        return
    event.set()


def cmd_record(args: argparse.Namespace) -> int:
    from interviewer.cli.render import render_delivery, render_transcript
    from interviewer.speech.delivery import measure_delivery
    from interviewer.speech.recorder import Recorder
    from interviewer.speech.registry import load_configured_transcriber

    settings = settings_of(args)
    if is_stdout(args.output):
        raise InputError("-o -: a recording cannot go to stdout (its header is rewritten as it grows); give a file name")
    path = Path(args.output) if args.output else default_recording_path(settings.recordings_dir())
    limit = settings.max_record_seconds
    if args.seconds is not None:
        if args.seconds <= 0:
            raise InputError(f"--seconds: expected a positive number, got {args.seconds:g}")
        limit = min(args.seconds, limit)
    device = args.device if args.device is not None else settings.input_device
    interactive = sys.stderr.isatty() and not args.quiet
    level = [-120.0]
    live = None
    if args.transcribe:  # transcribe while recording: the transcript is ready moments after stopping
        from interviewer.speech.live import LiveTranscriber

        live = LiveTranscriber(load_configured_transcriber(settings))
    recorder = Recorder(path, device=device, max_seconds=limit, overwrite=args.force,
                        on_level=lambda db: level.__setitem__(0, db), on_audio=live.feed if live else None)
    recorder.start()
    stop = threading.Event()
    if sys.stdin is not None and sys.stdin.isatty():
        threading.Thread(target=_enter_pressed, args=(stop,), daemon=True, name="enter-to-stop").start()
        how = "press Enter or Ctrl-C to stop"
    else:
        how = "Ctrl-C to stop"
    print(f"recording from {recorder.device.name if recorder.device else '?'} to {path} "
          f"(at most {limit:.0f} s; {how})", file=sys.stderr)
    try:
        while not recorder.wait(0.1) and not stop.is_set():
            if interactive:
                print(meter(level[0], recorder.seconds, limit), end="", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        pass  # Ctrl-C stops the recording and keeps it
    finally:
        recording = recorder.stop()
        if interactive:
            print(file=sys.stderr)
    why = {"max_length": "reached the maximum length", "stopped": "stopped"}.get(recording.reason, recording.reason)
    dropped = f"; {recording.overflows} block(s) dropped (machine busy)" if recording.overflows else ""
    print(f"saved {recording.path} ({recording.seconds:.1f} s, {why}{dropped})", file=sys.stderr)
    if live is None:
        print(f"next: interviewer transcribe {recording.path}   or   interviewer grade --rubric ID --audio {recording.path}",
              file=sys.stderr)
        return 0
    transcript = live.finish()
    print(render_transcript(transcript))
    print()
    print(render_delivery(measure_delivery(transcript)))
    return 0


# -- transcribe ----------------------------------------------------------------------------------------
def cmd_transcribe(args: argparse.Namespace) -> int:
    from interviewer.cli.render import render_delivery, render_transcript
    from interviewer.speech.audio import load_audio
    from interviewer.speech.delivery import measure_delivery
    from interviewer.speech.registry import load_configured_transcriber

    settings = settings_of(args)
    path = Path(args.file)
    samples = load_audio(path)  # a missing or corrupt file fails here, before the model loads
    # warm=False: one file, decoded once, so a warm-up decode of noise would only add its ~0.7 s.
    transcript = transcribe_with_progress(load_configured_transcriber(settings, warm=False), samples, quiet=args.quiet)
    delivery = measure_delivery(transcript)
    if args.json:
        print(json.dumps({"file": str(path), **speech_report(transcript, delivery)}, indent=2, ensure_ascii=False))
        return 0
    print(render_transcript(transcript))
    if not transcript.no_speech and args.words:
        print()
        print("Words (start, end in seconds):")
        for word in transcript.words:
            print(f"  {word.start:7.2f} {word.end:7.2f}  {word.text.strip()}")
    print()
    print(render_delivery(delivery))
    return 0
