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


def one_run(mode: str, env: dict[str, str]) -> dict[str, float]:
    handle, name = tempfile.mkstemp(prefix="app-trace-")
    os.close(handle)
    trace = Path(name)
    argv = [sys.executable, "-m", "interviewer", "practice", "--count", "1", "--mode", mode]
    started = time.time()
    pid, fd = spawn_in_pty(argv, env, trace)
    events: dict[str, float] = {}
    deadline = time.monotonic() + TIMEOUT_SECONDS
    quit_sent = False
    while True:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                os.read(fd, 65536)  # drain the screen output, or the app blocks writing it
            except OSError:
                break
        for name, stamp in read_trace(trace):
            events.setdefault(name, stamp - started)
        if not quit_sent and ("models-ready" in events or any(k.endswith("-failed") for k in events)):
            os.write(fd, b"\x11")  # ctrl+q
            quit_sent = True
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            break
    _, status, usage = os.wait4(pid, 0)
    os.close(fd)
    trace.unlink()
    failed = [k for k in events if k.endswith("-failed")]
    if failed or "models-ready" not in events:
        raise SystemExit(f"app_startup: run failed ({', '.join(failed) or 'timed out'}; events {sorted(events)})")
    return {"first_question_s": events["question"], "models_ready_s": events["models-ready"],
            "peak_rss_mb": usage.ru_maxrss / 1024}


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
