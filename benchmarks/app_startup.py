"""Start-up of the Textual app: time from process start to the first question on screen and to the models
being ready, and the peak RSS of the process.

Each run starts `python -m interviewer practice --count 1` in a pseudo-terminal (a real terminal for
Textual, 100x30), with $INTERVIEWER_TUI_TRACE pointing at a file where the app notes when the question
was first painted and when each model finished loading. The run ends with ctrl+q once the models are
ready; the peak RSS comes from the kernel's rusage of that child. Typed rounds load the embedding model;
spoken rounds (`--voice`, needs PulseAudio: a null-sink microphone is started for them) also load
Whisper and open the microphone.

    .venv/bin/python benchmarks/app_startup.py [--runs 5] [--voice]

The last line printed is one JSON object with the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import statistics
import struct
import sys
import tempfile
import termios
import fcntl
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 60.0
CTRL_Q = b"\x11"
SIZE = (30, 100)  # rows, columns


def spawn_in_pty(argv: list[str], env: dict[str, str], trace: Path) -> tuple[int, int]:
    """Start ``argv`` (a Python command line) from the checkout in a new pseudo-terminal of ``SIZE``, with
    $INTERVIEWER_TUI_TRACE set to ``trace``: the child's pid and the terminal's file descriptor. The caller
    must keep reading the descriptor (or the app blocks writing its screen) and reap the child."""
    env = {**env, "INTERVIEWER_TUI_TRACE": str(trace), "TERM": "xterm-256color"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: a fresh interpreter on the pseudo-terminal
        os.chdir(REPO)
        os.execve(sys.executable, argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[0], SIZE[1], 0, 0))
    return pid, fd


def read_trace(trace: Path) -> list[tuple[str, float]]:
    """The app's trace so far: (event, wall-clock seconds), in the order written (an event may recur)."""
    text = trace.read_text()
    lines = [line.split() for line in text[: text.rfind("\n") + 1].splitlines()]  # a line still being written waits
    return [(parts[0], float(parts[1])) for parts in lines if len(parts) == 2]


def isolated_env(home: Path, config: str = "") -> dict[str, str]:
    """This process's environment with the app's data folder and config file in ``home`` (``config``: the
    file's text; empty: the defaults) and its cache there unless $INTERVIEWER_CACHE_DIR is set."""
    (home / "config.toml").write_text(config)
    env = {**os.environ, "INTERVIEWER_DATA_DIR": str(home / "data"), "INTERVIEWER_CONFIG": str(home / "config.toml")}
    env.setdefault("INTERVIEWER_CACHE_DIR", str(home / "cache"))
    return env


class PtyApp:
    """The program running in a pseudo-terminal, its screen output drained while the benchmark waits."""

    def __init__(self, argv: list[str], env: dict[str, str], name: str) -> None:
        """``name``: the benchmark's, for its messages."""
        self.name = name
        handle, path = tempfile.mkstemp(prefix="app-trace-")
        os.close(handle)
        self.trace = Path(path)
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
            raise SystemExit(f"{self.name}: {', '.join(failed)} (trace {[e for e, _ in trace]})")
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
                raise SystemExit(f"{self.name}: no {name} after {timeout:.0f} s "
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


def one_run(mode: str, env: dict[str, str]) -> dict[str, float]:
    argv = [sys.executable, "-m", "interviewer", "practice", "--count", "1", "--mode", mode]
    started = time.time()
    app = PtyApp(argv, env, "app_startup")
    try:
        ready = app.wait_for("models-ready", 0, TIMEOUT_SECONDS)  # stops the benchmark if a model failed
        question = app.wait_for("question", 0, 1)
    finally:
        peak_rss_mb = app.quit()
    return {"first_question_s": question - started, "models_ready_s": ready - started, "peak_rss_mb": peak_rss_mb}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--voice", action="store_true", help="also measure spoken rounds (Whisper + microphone)")
    args = parser.parse_args()
    env = isolated_env(Path(tempfile.mkdtemp(prefix="app-startup-")))  # an empty config: the defaults
    modes = ["typed"] + (["voice"] if args.voice else [])
    mic = None
    if args.voice:
        sys.path.insert(0, str(REPO))
        from tests.speech_support import VirtualMicrophone

        mic = VirtualMicrophone()
        mic.start()
        env.update(XDG_RUNTIME_DIR=mic.env["XDG_RUNTIME_DIR"], PULSE_CLIENTCONFIG=mic.env["PULSE_CLIENTCONFIG"])
        env.pop("PULSE_SERVER", None)
    results: dict[str, dict[str, float]] = {}
    try:
        one_run("typed", env)  # warm the disk cache and the rubric-embedding cache; not counted
        for mode in modes:
            runs = [one_run(mode, env) for _ in range(args.runs)]
            for key in runs[0]:
                values = [r[key] for r in runs]
                results.setdefault(mode, {})[key] = round(statistics.median(values), 3)
                print(f"{mode:5}  {key:17} median {statistics.median(values):8.3f}   runs: "
                      + " ".join(f"{v:.3f}" for v in values))
    finally:
        if mic is not None:
            mic.stop()
    typed = results["typed"]
    verdict = {"first_question_ok": typed["first_question_s"] <= 1.0,
               "peak_rss_ok": max(r["peak_rss_mb"] for r in results.values()) <= 800}
    print(json.dumps({"runs": args.runs, **{f"{m}_{k}": v for m, r in results.items() for k, v in r.items()},
                      **verdict}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
