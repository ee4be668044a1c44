"""``voice_round.py --pty``: the spoken round's waits measured on the real program in a pseudo-terminal.

Each run starts ``python -m interviewer practice --mode voice --questions q03`` in a pseudo-terminal (100x30,
as ``app_startup.py`` does: ``PtyApp``), with a temporary data folder (but the user's cache folder, warm,
as the Pilot mode uses) and a config that records from the null-sink microphone ("pulse"), keeps recordings in
the temporary folder and does not read the question aloud (the interviewer's voice would go into the same
sink). Once the trace says ``models-ready``, keys go to the terminal as a user presses them: ctrl+r starts
recording, the Piper-spoken answer is played into the sink, ctrl+r stops; a second take the same way
(re-recorded); then ctrl+s submits. If the feedback offers a follow-up (the app traces ``follow-up-offered``;
the 30 s answer misses key points, the 60 s one usually covers them all), f opens it and a Piper-spoken follow-up
answer (``FOLLOW_UP_ANSWER``, about 12 s) is recorded the same way and submitted. Then ctrl+q quits. Times are
wall-clock, from writing the key to the terminal to the app's trace event once the screen is painted:
- stop → ``transcript-ready`` (the transcript is in the editor), first and later take;
- submit → ``feedback-shown`` (the feedback screen is painted);
- for the follow-up: stop → ``follow-up-transcript-ready`` (``followup_transcript_s``) and submit →
  ``follow-up-feedback-shown`` (``followup_feedback_s``, its grade painted); runs without a follow-up have none.
The app also traces ``recording-stop`` and ``answer-submitted`` / ``follow-up-submitted`` when it handles the
key: ``*_app_s`` are from there (without the terminal's key delivery). Every run is a fresh process, for a 30 s
and a 60 s answer in turn.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

from app_startup import CTRL_Q, PtyApp, isolated_env

CTRL_R, CTRL_S = b"\x12", b"\x13"
TAKES = ("first_take_transcript_s", "later_take_transcript_s")
FOLLOW_UPS = ("followup_transcript_s", "followup_feedback_s")
# The answer to q03's follow-up the 30 s answer gets ("What question would you ask about each feature before
# letting it into the model?"); any follow-up offered is answered with it: the waits, not the grade, are timed.
FOLLOW_UP_ANSWER = (
    "I would ask whether the feature would really be known at the moment the prediction is made. If it is only "
    "recorded after the outcome, or computed from data collected later, it leaks the target, so I leave it out.")


def record(app: PtyApp, mic: Any, clip: Path, n: int) -> float:
    """Take number ``n`` (counted over the run): ctrl+r, ``clip`` played into the sink, ctrl+r; when stopped."""
    app.press(CTRL_R)
    app.wait_for("recording-started", n, 30)
    app.pump(0.3)
    player = mic.play(clip)
    while player.poll() is None:
        app.pump(0.1)
    app.pump(0.8)  # the sound server's buffer plays out
    return app.press(CTRL_R)


def one_run(clip: Path, follow_up: Path, mic: Any, env: dict[str, str]) -> dict[str, float]:
    """One spoken round in a fresh process: two takes of ``clip``, then submit; then ``follow_up`` as the
    answer to a follow-up, if one is offered."""
    from voice_round import QUESTION

    argv = [sys.executable, "-m", "interviewer", "practice", "--mode", "voice", "--questions", QUESTION]
    app = PtyApp(argv, env, "voice_round --pty")
    figures: dict[str, float] = {}
    try:
        started = time.time()
        figures["models_ready_s"] = app.wait_for("models-ready", 0, 180) - started
        for n, take in enumerate(TAKES):
            stopped = record(app, mic, clip, n)
            shown = app.wait_for("transcript-ready", n, 60)
            figures[take] = shown - stopped
            figures[take.replace("_s", "_app_s")] = shown - app.wait_for("recording-stop", n, 1)
        submitted = app.press(CTRL_S)
        shown = app.wait_for("feedback-shown", 0, 60)
        figures["feedback_s"] = shown - submitted
        figures["feedback_app_s"] = shown - app.wait_for("answer-submitted", 0, 1)
        if app.events("follow-up-offered"):  # traced before feedback-shown
            app.press(b"f")
            app.wait_for("follow-up-shown", 0, 30)
            stopped = record(app, mic, follow_up, len(TAKES))
            shown = app.wait_for("follow-up-transcript-ready", 0, 60)
            figures["followup_transcript_s"] = shown - stopped
            figures["followup_transcript_app_s"] = shown - app.wait_for("recording-stop", len(TAKES), 1)
            submitted = app.press(CTRL_S)
            shown = app.wait_for("follow-up-feedback-shown", 0, 60)
            figures["followup_feedback_s"] = shown - submitted
            figures["followup_feedback_app_s"] = shown - app.wait_for("follow-up-submitted", 0, 1)
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
    follow_up = piper_speak(synthesizer, FOLLOW_UP_ANSWER, folder / "answer-follow-up.wav")
    seconds = {name: round(len(load_audio(clip)) / 16000, 1)
               for name, clip in (*clips.items(), ("follow_up", follow_up))}
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
                by_answer[name].append(one_run(clip, follow_up, mic, env))
                last = by_answer[name][-1]
                print(f"run {n + 1}, {name} answer: " + ", ".join(f"{k} {v:.2f}" for k, v in last.items()))
    finally:
        mic.stop()
    result: dict[str, Any] = {"mode": "pty", "runs": runs, "answer_seconds": seconds}
    for name, figures in by_answer.items():
        summary: dict[str, Any] = {}
        for key in dict.fromkeys(key for f in figures for key in f):  # the follow-up's only where one was offered
            values = [f[key] for f in figures if key in f]
            summary[key] = round(statistics.median(values), 2)
            summary[key.replace("_s", "_all_s") if key.endswith("_s") else key + "_all"] = [round(v, 2) for v in values]
        result[f"answer_{name}"] = summary
    for key in (*TAKES, "feedback_s"):  # the target is for the 60 s answer
        result[key] = result["answer_60s"][key]
    answered = [f for figures in by_answer.values() for f in figures if FOLLOW_UPS[0] in f]
    result["followups_answered"] = len(answered)
    for key in FOLLOW_UPS:  # over every run that answered one (whichever answer it followed)
        result[key] = round(statistics.median(f[key] for f in answered), 2) if answered else None
    result["peak_rss_mb"] = max(f["peak_rss_mb"] for figures in by_answer.values() for f in figures)
    return result
