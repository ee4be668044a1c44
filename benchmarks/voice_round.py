"""A spoken round's waits, measured on the real thing, and how far a spoken answer's grade is from the same answer typed.

    .venv/bin/python benchmarks/voice_round.py [--runs 3] [--gap-only | --no-gap | --pty]

``--pty`` runs the real program in a pseudo-terminal instead, with a 30 s and a 60 s answer (no grade gap):
see ``voice_round_pty.py``.

Voice round (issue 12's targets): a PulseAudio null sink is started as the microphone (as in the tests) and a
60 s answer spoken by the Piper voice is played into it while the app (built by ``make_app`` with the real
models, driven by Textual's Pilot headless, in this process) records it with the real recorder and live
transcription. Each run is a fresh app (so the first take pays whatever Whisper's first decode costs):
- ``first_take_transcript_s``: stop (ctrl+r) → the transcript is in the editor, for the first take;
- ``later_take_transcript_s``: the same for a second take (re-recorded);
- ``feedback_s``: submit (ctrl+s) → the feedback screen.
Each is the median over ``--runs`` runs. Targets: ≤ 1.0 s, ≤ 1.0 s, ≤ 0.6 s. The questions are not read
aloud (the interviewer's voice would go into the same sink).

Grade gap: ``GAP_ANSWERS`` (written for this benchmark) are spoken by Piper, transcribed by Whisper base and
graded; each is also graded as typed. ``spoken_typed_gap_points`` is mean |spoken − typed| (target ≤ 0.75).

By default not a pseudo-terminal (``--pty`` is one): the Pilot runs the same app and messages, and times the
messages themselves rather than screen scraping. The machine is shared (2 cores): other work running meanwhile
lengthens the waits.
The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ANSWER_60S = (
    "Data leakage is when information that would not be available at prediction time reaches the model during "
    "training, so the offline metrics look far better than what you will see in production. A concrete example "
    "is fitting a standard scaler or an imputer on the whole data set before splitting it into training and test "
    "sets: the test rows then shape the statistics the model learns from. Another classic case is a feature that "
    "is only recorded after the outcome, such as a refund flag in a fraud model, or the discharge summary in a "
    "model that predicts hospital readmission. Time series are especially risky, because a random split lets the "
    "model peek at the future. To prevent it, split first, then fit every preprocessing step inside a pipeline on "
    "the training folds only, use time based splits for temporal data, and review each feature by asking whether "
    "it would exist at the moment of prediction. Duplicate rows across the split, or the same patient in both "
    "sets, leak in the same way. If a validation score looks too good to be true, it usually is.")
ANSWER_30S = (  # the same question, about half as long (``--pty`` plays both)
    "Data leakage is when information that would not be available at prediction time reaches the model during "
    "training, so the offline metrics look far better than production will. A concrete example is fitting a "
    "standard scaler on the whole data set before splitting it, so the test rows shape the statistics the model "
    "learns from. Another is a feature recorded only after the outcome, such as a refund flag in a fraud model. To "
    "prevent it, split first, fit every preprocessing step inside a pipeline on the training folds only, and use "
    "time based splits for temporal data.")
QUESTION = "q03"  # "What is data leakage and give a concrete example." (bundled practical-ml bank)

GAP_ANSWERS = {  # (rubric id, answer): a range of quality, written for this benchmark
    "q03": ANSWER_60S,
    "q02": "For missing data I first look at why it is missing. If values are missing at random I impute, with the "
           "median for numeric columns or the most frequent value for categories, fitted on the training split "
           "only, and I add an indicator column so the model can learn from the missingness itself.",
    "q01": "Feature engineering is turning raw data into inputs a model can use. It matters because good features "
           "often help more than a better algorithm.",
    "q06": "Data drift is when the input distribution in production moves away from the training data. I detect it "
           "by comparing feature distributions over time, with a population stability index or a Kolmogorov "
           "Smirnov test, and by watching the model's prediction distribution and, when labels arrive, its accuracy.",
    "q08": "I would use an ensemble when I need the extra accuracy and can afford the cost, like gradient boosting "
           "on tabular data. A single model is simpler to explain and to serve.",
    "q07": "I am not really sure, maybe one hot encoding everything.",
}


def start_microphone() -> Any:
    """The null-sink microphone (tests/speech_support.py), with this process's PortAudio pointed at it."""
    from interviewer.speech import devices
    from tests.speech_support import VirtualMicrophone

    mic = VirtualMicrophone()
    mic.start()
    os.environ.update(XDG_RUNTIME_DIR=mic.env["XDG_RUNTIME_DIR"], PULSE_CLIENTCONFIG=mic.env["PULSE_CLIENTCONFIG"])
    os.environ.pop("PULSE_SERVER", None)
    devices.refresh()
    return mic


def fresh_voice(folder: Path) -> Any:
    """``Services.load_synthesizer`` as the app's (the packaged voice, warmed up, audio cached on disk), but with
    its disk cache in ``folder``: every text is synthesised by Piper, as in a first round, not read from the
    user's cache."""
    def load() -> Any:
        from interviewer.speech.tts import Synthesizer

        synthesizer = Synthesizer(cache_dir=folder)
        synthesizer.warm_up()
        return synthesizer

    return load


async def one_run(clip: Path, mic: Any, folder: Path, *, speak: bool = False) -> dict[str, float]:
    """One spoken round of ``QUESTION`` in a fresh app. ``speak``: the question is read aloud first (the real
    Piper voice played through PortAudio to the null sink, as the app does by default), recording starts once
    it has been heard, and the run ends once the voice has prepared what it would say next."""
    from interviewer.config import Settings
    from interviewer.store import Store
    from interviewer.tui import RoundOptions
    from interviewer.tui.app import make_app
    from interviewer.tui.screens.feedback import FeedbackScreen
    from interviewer.tui.services import Services
    from interviewer.tui.widgets.question_voice import QuestionVoice
    from interviewer.tui.widgets.voice_panel import VoicePanel

    settings = Settings(database=folder / "sessions.db", recordings=folder / "recordings", input_device="pulse",
                        speak_questions=speak)
    loaders = {"load_synthesizer": fresh_voice(folder / "cache")} if speak else {}
    app = make_app(Services(settings, Store(settings.database_path()), **loaders),
                   RoundOptions(questions=(QUESTION,), mode="voice"), start=True)
    arrived: list[tuple[str, float]] = []
    said: list[str | None] = []

    def hook(message: object) -> None:
        if isinstance(message, VoicePanel.Transcribed):
            arrived.append(("transcribed", time.perf_counter()))
        elif isinstance(message, QuestionVoice.Said):
            said.append(message.problem)

    async def until(condition: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"voice_round: timed out waiting for {what}")
            await pilot.pause(0.02)

    figures: dict[str, float] = {}

    def phase_rss(phase: str) -> None:
        """The process's peak RSS so far (VmHWM, MB) once ``phase`` is over: where a round's peak is reached."""
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
        figures[f"hwm_{phase}_mb"] = int(status["VmHWM"].split()[0]) / 1024

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await until(lambda: app.speech_state == "ready" and app.grader_state == "ready", 180, "the models")
        phase_rss("models")
        if speak:
            await until(lambda: bool(said), 60, "the question read aloud")
            if said[0] is not None:
                raise SystemExit(f"voice_round: the question was not heard: {said[0]}")
            phase_rss("heard")
        panel = app.screen.query_one(VoicePanel)
        for take in ("first_take_transcript_s", "later_take_transcript_s"):
            await pilot.press("ctrl+r")
            await until(lambda: panel.state == "recording", 30, "recording")
            await pilot.pause(0.3)
            await asyncio.to_thread(lambda: mic.play(clip).wait(timeout=120))
            await pilot.pause(0.8)  # the sound server's buffer plays out
            arrived.clear()
            stopped = time.perf_counter()
            await pilot.press("ctrl+r")
            await until(lambda: bool(arrived), 60, "the transcript")
            figures[take] = arrived[0][1] - stopped
            await until(lambda: panel.state == "done", 10, "the transcript shown")
            phase_rss(take.split("_")[0] + "_take")
        words = len(app.screen.query_one("#editor").text.split())  # type: ignore[attr-defined]
        submitted = time.perf_counter()
        await pilot.press("ctrl+s")
        await until(lambda: isinstance(app.screen, FeedbackScreen), 60, "the feedback")
        figures["feedback_s"] = time.perf_counter() - submitted
        figures["transcript_words"] = words
        phase_rss("feedback")
        if speak:  # the voice synthesises the follow-up offered and the next question while feedback is read
            await pilot.pause(0.2)
            await until(lambda: not [w for w in app.workers if w.group == "prepare-voice" and not w.is_finished],
                        60, "the next question's voice")
            phase_rss("prepared")
    app.services.store.close()
    return figures


def grade_gap(synthesizer: Any, folder: Path) -> tuple[float, list[dict[str, Any]]]:
    """Mean |spoken − typed| over ``GAP_ANSWERS``, and each answer's figures."""
    from interviewer.config import Settings
    from interviewer.rubrics import load_bank
    from interviewer.scoring.factory import make_grader
    from interviewer.speech.registry import load_configured_transcriber
    from interviewer.speech.transcriber import transcribe_file
    from tests.speech_support import piper_speak

    settings = Settings()
    bank = load_bank(settings.bank_dir())
    grader = make_grader(settings, bank)
    whisper = load_configured_transcriber(settings)  # as the app loads it
    rows = []
    for rubric_id, text in GAP_ANSWERS.items():
        spoken = transcribe_file(whisper, piper_speak(synthesizer, text, folder / f"gap-{rubric_id}.wav")).text
        typed_score = grader.grade(bank[rubric_id], text).score
        spoken_score = grader.grade(bank[rubric_id], spoken).score
        rows.append({"rubric": rubric_id, "typed": round(typed_score, 2), "spoken": round(spoken_score, 2),
                     "gap": round(abs(spoken_score - typed_score), 2)})
        print(f"  {rubric_id}: typed {typed_score:.2f}  spoken {spoken_score:.2f}  |gap| {rows[-1]['gap']:.2f}")
    return round(statistics.fmean(r["gap"] for r in rows), 2), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gap-only", action="store_true", help="only the spoken-vs-typed grade gap")
    parser.add_argument("--no-gap", action="store_true", help="only the voice round")
    parser.add_argument("--pty", action="store_true", help="the voice round only, on the real program in a "
                        "pseudo-terminal, with a 30 s and a 60 s answer (see voice_round_pty.py)")
    args = parser.parse_args()
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from interviewer.speech.tts import Synthesizer

    synthesizer = Synthesizer()
    if args.pty:
        sys.path.insert(0, str(REPO / "benchmarks"))
        import voice_round_pty

        with tempfile.TemporaryDirectory(prefix="voice-round-pty-") as tmp:
            print(json.dumps(voice_round_pty.run(args.runs, Path(tmp), synthesizer)))
        return 0
    result: dict[str, Any] = {"runs": args.runs, "answer": QUESTION}
    with tempfile.TemporaryDirectory(prefix="voice-round-") as tmp:
        folder = Path(tmp)
        if not args.gap_only:
            from tests.speech_support import piper_speak
            from interviewer.speech.audio import load_audio

            clip = piper_speak(synthesizer, ANSWER_60S, folder / "answer-60s.wav")
            result["answer_seconds"] = round(len(load_audio(clip)) / 16000, 1)
            print(f"answer clip: {result['answer_seconds']} s of Piper speech")
            mic = start_microphone()
            try:
                runs = []
                for n in range(args.runs):
                    run_dir = folder / f"run{n}"
                    run_dir.mkdir()
                    runs.append(asyncio.run(one_run(clip, mic, run_dir)))
                    print(f"run {n + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in runs[-1].items()))
            finally:
                mic.stop()
            for key in ("first_take_transcript_s", "later_take_transcript_s", "feedback_s"):
                result[key] = round(statistics.median(r[key] for r in runs), 2)
                result[key.replace("_s", "_all_s")] = [round(r[key], 2) for r in runs]
        if not args.no_gap:
            print("grade gap, Piper-spoken vs typed:")
            result["spoken_typed_gap_points"], result["gap_answers"] = grade_gap(synthesizer, folder)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
