"""Peak RSS of the app alone in a spoken round (issue 12/14's ≤ 800 MB), without the benchmark's own work.

    .venv/bin/python benchmarks/spoken_round_rss.py [--runs 1] [--speak]

``benchmarks/voice_round.py`` reports the peak of its whole process: that includes the Piper voice
synthesising the candidate's 60 s answer (~450 MB with the voice) and, for the grade gap, a second Whisper
and a second grader. Here the answer is synthesised by a child process, and this process only runs
``voice_round.one_run`` (the real app built by ``make_app``, real models, the answer played into the
PulseAudio null sink, recorded with live transcription, graded), as the app would with
``speak_questions = false``. With ``--speak`` the question is read aloud as the app does by default in a
spoken round (``speak_questions = true``): the real Piper voice, loaded and warmed up by the app, synthesises
it (its disk cache starts empty, as in a first round) and plays it through PortAudio into the null sink;
recording starts once it has been heard, and the run ends once the voice has synthesised the follow-up the
feedback offers. Prints VmHWM (the kernel's peak resident set) after each run, whether torch or Piper was
imported, and how many Whisper / ONNX models are alive. The last line is one JSON object.

VmHWM only grows: with ``--runs`` above 1 a later run reports the highest peak so far (run the script once
per figure for independent runs).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

_SYNTHESISE = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from benchmarks.voice_round import ANSWER_60S
from interviewer.speech.tts import Synthesizer
from tests.speech_support import piper_speak
piper_speak(Synthesizer(), ANSWER_60S, Path(sys.argv[2]))
"""


def memory_mb() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB."""
    figures = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = round(int(value.split()[0]) / 1024, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--speak", action="store_true", help="the questions are read aloud (the app's default)")
    args = parser.parse_args()
    from benchmarks.voice_round import one_run, start_microphone

    result: dict[str, object] = {"runs": args.runs, "speak": args.speak, "load_average_start": list(os.getloadavg())}
    with tempfile.TemporaryDirectory(prefix="spoken-rss-") as tmp:
        clip = Path(tmp) / "answer-60s.wav"
        subprocess.run([sys.executable, "-c", _SYNTHESISE, str(REPO), str(clip)], check=True)
        result["start"] = memory_mb()
        mic = start_microphone()
        try:
            peaks, phases = [], []
            for n in range(args.runs):
                folder = Path(tmp) / f"run{n}"
                folder.mkdir()
                figures = asyncio.run(one_run(clip, mic, folder, speak=args.speak))
                peaks.append(memory_mb()["VmHWM"])
                phases.append({k[4:-3]: round(v) for k, v in figures.items() if k.startswith("hwm_")})
                print(f"run {n + 1}: peak RSS {peaks[-1]:.0f} MB (so far, after each phase: "
                      + ", ".join(f"{k} {v}" for k, v in phases[-1].items()) + "); "
                      + ", ".join(f"{k} {v:.2f}" for k, v in figures.items() if not k.startswith("hwm_")), flush=True)
        finally:
            mic.stop()
    gc.collect()
    from faster_whisper import WhisperModel

    from interviewer.scoring.onnx_models import OnnxEmbedder, OnnxStance

    alive = gc.get_objects()
    result.update(peak_rss_after_each_run_mb=peaks, peak_rss_mb=max(peaks), peak_by_phase_mb=phases,
                  load_average=list(os.getloadavg()),
                  imported={name: name in sys.modules for name in ("torch", "transformers", "piper")},
                  alive={kind.__name__: sum(isinstance(o, kind) for o in alive)
                         for kind in (WhisperModel, OnnxEmbedder, OnnxStance)})
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
