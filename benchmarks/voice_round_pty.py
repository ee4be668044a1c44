"""``voice_round.py --pty``: the spoken round's waits measured on the real program in a pseudo-terminal.

Each run starts ``python -m interviewer practice --mode voice --questions q03`` in a pseudo-terminal (100x30,
as ``app_startup.py`` does: ``spawn_in_pty``), with a temporary data folder (but the user's cache folder, warm,
as the Pilot mode uses) and a config that records from the null-sink microphone ("pulse"), keeps recordings in
the temporary folder and does not read the question aloud (the interviewer's voice would go into the same
sink). Once the trace says ``models-ready``, keys go to the terminal as a user presses them: ctrl+r starts
recording, the Piper-spoken answer is played into the sink, ctrl+r stops; a second take the same way
(re-recorded); then ctrl+s submits and ctrl+q quits. Times are wall-clock, from writing the key to the
terminal to the app's trace event once the screen is painted:
- stop → ``transcript-ready`` (the transcript is in the editor), first and later take;
- submit → ``feedback-shown`` (the feedback screen is painted).
The app also traces ``recording-stop`` when it handles the stop key: ``*_app_s`` are from there (without the
terminal's key delivery). Every run is a fresh process, for a 30 s and a 60 s answer in turn.
"""

from __future__ import annotations

import os
import select
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app_startup import isolated_env, read_trace, spawn_in_pty

CTRL_Q, CTRL_R, CTRL_S = b"\x11", b"\x12", b"\x13"
TAKES = ("first_take_transcript_s", "later_take_transcript_s")


class PtyApp:
    """The program running in a pseudo-terminal, its screen output drained while the benchmark waits."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        handle, name = tempfile.mkstemp(prefix="voice-round-trace-")
        os.close(handle)
        self.trace = Path(name)
        self.pid, self.fd = spawn_in_pty(argv, env, self.trace)
        self.closed = False

    def pump(self, seconds: float) -> None:
        """Read (and drop) the screen output for ``seconds``: the app blocks if nobody reads its terminal."""
        deadline = time.monotonic() + seconds
        while not self.closed and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if ready:
                try:
                    if not os.read(self.fd, 65536):
                        self.closed = True
                except OSError:  # the child closed the terminal
                    self.closed = True

    def events(self, name: str) -> list[float]:
        trace = read_trace(self.trace)
        failed = [event for event, _ in trace if event.endswith("-failed")]
        if failed:
            raise SystemExit(f"voice_round --pty: {', '.join(failed)} (trace {[e for e, _ in trace]})")
        return [stamp for event, stamp in trace if event == name]

    def press(self, key: bytes) -> float:
        """Type ``key``; when it was written (wall clock, as the trace)."""
        stamp = time.time()
        os.write(self.fd, key)
        return stamp

    def wait_for(self, name: str, seen: int, timeout: float) -> float:
        """The time of event ``name``'s occurrence number ``seen + 1`` (``seen`` were there before)."""
        deadline = time.monotonic() + timeout
        while len(stamps := self.events(name)) <= seen:
            if self.closed or time.monotonic() > deadline:
                raise SystemExit(f"voice_round --pty: no {name} after {timeout:.0f} s "
                                 f"(trace {[e for e, _ in read_trace(self.trace)]})")
            self.pump(0.02)
        return stamps[seen]

    def quit(self) -> float:
        """ctrl+q, then reap the child (killed if it has not quit in 30 s): its peak RSS (MB)."""
        try:
            self.press(CTRL_Q)
        except OSError:
            pass  # the program is gone already
        deadline = time.monotonic() + 30
        while True:
            self.pump(0.1)
            pid, _, usage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, 9)
                _, _, usage = os.wait4(self.pid, 0)
                break
            if self.closed:
                time.sleep(0.05)
        os.close(self.fd)
        self.trace.unlink()
        return usage.ru_maxrss / 1024


def one_run(clip: Path, mic: Any, env: dict[str, str]) -> dict[str, float]:
    """One spoken round in a fresh process: two takes of ``clip``, then submit."""
    from voice_round import QUESTION

    argv = [sys.executable, "-m", "interviewer", "practice", "--mode", "voice", "--questions", QUESTION]
    app = PtyApp(argv, env)
    figures: dict[str, float] = {}
    try:
        started = time.time()
        figures["models_ready_s"] = app.wait_for("models-ready", 0, 180) - started
        for n, take in enumerate(TAKES):
            app.press(CTRL_R)
            app.wait_for("recording-started", n, 30)
            app.pump(0.3)
            player = mic.play(clip)
            while player.poll() is None:
                app.pump(0.1)
            app.pump(0.8)  # the sound server's buffer plays out
            stopped = app.press(CTRL_R)
            shown = app.wait_for("transcript-ready", n, 60)
            figures[take] = shown - stopped
            figures[take.replace("_s", "_app_s")] = shown - app.wait_for("recording-stop", n, 1)
        submitted = app.press(CTRL_S)
        shown = app.wait_for("feedback-shown", 0, 60)
        figures["feedback_s"] = shown - submitted
        figures["feedback_app_s"] = shown - app.wait_for("answer-submitted", 0, 1)
    finally:
        figures["peak_rss_mb"] = app.quit()
    return figures


def run(runs: int, folder: Path, synthesizer: Any) -> dict[str, Any]:
    """``runs`` rounds for each answer, interleaved (30 s then 60 s): the medians, and each run's figures."""
    from interviewer.speech.audio import load_audio
    from tests.speech_support import piper_speak
    from voice_round import ANSWER_30S, ANSWER_60S, start_microphone

    clips = {name: piper_speak(synthesizer, text, folder / f"answer-{name}.wav")
             for name, text in (("30s", ANSWER_30S), ("60s", ANSWER_60S))}
    seconds = {name: round(len(load_audio(clip)) / 16000, 1) for name, clip in clips.items()}
    print("answer clips: " + ", ".join(f"{s} s" for s in seconds.values()) + " of Piper speech")
    home = folder / "home"
    home.mkdir()
    config = f'input_device = "pulse"\nspeak_questions = false\nrecordings = "{home / "recordings"}"\n'
    mic = start_microphone()  # this process's environment now points PulseAudio clients at the null sink
    env = isolated_env(home, config)
    from interviewer import locations

    env["INTERVIEWER_CACHE_DIR"] = str(locations.cache_dir())  # the user's, as the Pilot mode: assembled and warm
    by_answer: dict[str, list[dict[str, float]]] = {name: [] for name in clips}
    try:
        for n in range(runs):
            for name, clip in clips.items():
                by_answer[name].append(one_run(clip, mic, env))
                last = by_answer[name][-1]
                print(f"run {n + 1}, {name} answer: " + ", ".join(f"{k} {v:.2f}" for k, v in last.items()))
    finally:
        mic.stop()
    result: dict[str, Any] = {"mode": "pty", "runs": runs, "answer_seconds": seconds}
    for name, figures in by_answer.items():
        summary: dict[str, Any] = {}
        for key in figures[0]:
            summary[key] = round(statistics.median(f[key] for f in figures), 2)
            summary[key.replace("_s", "_all_s") if key.endswith("_s") else key + "_all"] = [round(f[key], 2)
                                                                                          for f in figures]
        result[f"answer_{name}"] = summary
    for key in (*TAKES, "feedback_s"):  # the target is for the 60 s answer
        result[key] = result["answer_60s"][key]
    result["peak_rss_mb"] = max(f["peak_rss_mb"] for figures in by_answer.values() for f in figures)
    return result
