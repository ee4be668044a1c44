"""Cold paths a user meets on every command: one-shot `grade`, `grade --audio` and `report`, each a new process.

    .venv/bin/python benchmarks/cold_start.py [--runs 5] [--audio FILE]

Each command runs ``--runs`` times as a fresh `python -m interviewer …` process with the user's caches as
they are after one warm-up run (the rubric embeddings and the ONNX export are in the cache folder, the
model files in the page cache): the wall time from process start to exit is what the user waits for.
Issue 14's targets: `grade` ≤ 1.5 s, `grade --audio` (a 33 s clip) ≤ 5 s. ``report`` needs a session:
the script makes one in a temporary database (`interviewer practice --plain`, one typed answer) first.

The audio: by default a 33 s answer made of the real clips in ``../shared/audio`` (JFK, LJSpeech) joined
with 0.6 s pauses, written to the temporary folder (the issue's 33 s case); ``--audio FILE`` takes another.
The data folder is a temporary one, so nothing of the user's is read or written. The last line printed is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ANSWER = ("Data leakage is when information that would not be available at prediction time gets into training, "
          "for example fitting a scaler on the whole dataset before splitting. Split first, and fit every step "
          "inside a pipeline on the training folds only.")


def answer_clip(shared: Path, out: Path, seconds: float = 33.0) -> Path:
    """About ``seconds`` of the shared real clips, joined with 0.6 s pauses, as a 16 kHz WAV (or ``out``
    missing when the shared clips are not there)."""
    import wave

    import numpy as np

    sys.path.insert(0, str(REPO))
    from interviewer.speech.audio import SAMPLE_RATE, load_audio

    clips = sorted(shared.glob("*.wav"))
    if not clips:
        return out
    pause = np.zeros(int(0.6 * SAMPLE_RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    while sum(len(p) for p in parts) < seconds * SAMPLE_RATE:
        for clip in clips:
            parts += [load_audio(clip), pause]
    samples = np.concatenate(parts)[: int(seconds * SAMPLE_RATE)]
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out


def timed(argv: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "interviewer", *argv], env=env, cwd=REPO, input=stdin,
                          capture_output=True, text=True, timeout=300, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"cold_start: `interviewer {' '.join(argv)}` failed ({done.returncode}): "
                         f"{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--audio", type=Path, help="a spoken answer (default: 33 s of ../shared/audio clips)")
    parser.add_argument("--shared-audio", type=Path, default=REPO.parent / "shared" / "audio")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cold-start-"))
    if args.audio is None:
        args.audio = answer_clip(args.shared_audio, folder / "answer.wav")
    env = {**os.environ, "INTERVIEWER_DATABASE": str(folder / "sessions.db"),
           "INTERVIEWER_RECORDINGS": str(folder / "recordings")}
    commands = {
        "grade_s": ["grade", "--rubric", "q03", "--answer", ANSWER],
        "report_s": ["report", "-o", str(folder / "report.html"), "--force"],
    }
    if args.audio.is_file():
        commands["grade_audio_s"] = ["grade", "--rubric", "q03", "--audio", str(args.audio)]
    else:
        print(f"no audio at {args.audio}: grade --audio is not measured", file=sys.stderr)
    # A session for `report`: one typed answer in a plain round.
    timed(["practice", "--plain", "--questions", "q03"], env, stdin=ANSWER + "\n\n")
    figures: dict[str, object] = {"runs": args.runs}
    for name, argv in commands.items():
        timed(argv, env)  # warm-up: caches filled as they are after a first use
        times = [timed(argv, env) for _ in range(args.runs)]
        figures[name] = round(statistics.median(times), 2)
        figures[name.replace("_s", "_all_s")] = [round(t, 2) for t in times]
        print(f"{name}: median {figures[name]} s  ({', '.join(f'{t:.2f}' for t in times)})")
    print(json.dumps({"benchmark": "cold_start", **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
