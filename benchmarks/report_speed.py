"""Report generation speed: a 15-question session as Markdown, HTML and JSON.

    .venv/bin/python benchmarks/report_speed.py [--runs 25] [--cli-runs 5] [--keep DIR]

The session is built once with real grades: each of the bundled bank's 15 model answers is graded with
the real model (all-MiniLM-L6-v2) and saved in a temporary session database, with one follow-up per
question, so every section of the report has content. Then, per format, the median of ``--runs``
in-process generations (read the session from the database, build the report, render it, write the
file), and the median of ``--cli-runs`` whole ``interviewer report`` commands (a new Python process each,
as a user runs it). The last line of output is one JSON object with the figures.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer import locations  # noqa: E402
from interviewer.locations import bundled_bank_dir  # noqa: E402
from interviewer.reports import FORMATS, get_writer, session_report  # noqa: E402
from interviewer.rubrics import load_bank  # noqa: E402
from interviewer.session.round import Interview, follow_up_rubric  # noqa: E402
from interviewer.store import Store  # noqa: E402


def build_session(db: Path) -> int:
    """A finished 15-question session: the model answers, graded for real, each with one graded follow-up."""
    from interviewer.scoring.embedder import load_embedder
    from interviewer.scoring.grader import Grader
    from interviewer.scoring.stance import load_stance

    bank = load_bank(bundled_bank_dir())
    embedder = load_embedder()
    grader = Grader(embedder, stance=load_stance(precision=embedder.precision), bank=bank,
                    cache_dir=locations.cache_dir())
    rubrics = list(bank.values())
    with Store(db) as store:
        interview = Interview.start(store, rubrics, bank_name="bundled")
        for turn in interview.turns:
            interview.submit(turn, turn.rubric.model_answer, seconds=90.0)
            interview.record_grade(turn, grader.grade(turn.rubric, turn.rubric.model_answer))
            concept = turn.rubric.concepts[-1]
            follow = interview.submit_follow_up(turn, concept.id, concept.follow_up, concept.statement)
            interview.record_follow_up_grade(follow, grader.grade(follow_up_rubric(turn.rubric, concept.id),
                                                                  concept.statement))
        interview.finish()
    return interview.session_id


def time_in_process(db: Path, session_id: int, fmt: str, out: Path, runs: int) -> tuple[float, int]:
    bank = load_bank(bundled_bank_dir())
    times = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        with Store(db) as store:
            record = store.session(session_id)
        writer = get_writer(fmt, out.parent)
        writer.write(session_report(record, bank), out)
        times.append(time.perf_counter() - start)
        size = out.stat().st_size
    return statistics.median(times), size


def time_cli(db: Path, session_id: int, fmt: str, out: Path, runs: int) -> float:
    env = dict(os.environ, INTERVIEWER_DATABASE=str(db), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "interviewer", "report", str(session_id), "--format", fmt, "-o", str(out), "--force"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--cli-runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the three reports into this folder to look at")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        db = Path(temp) / "bench.db"
        start = time.perf_counter()
        session_id = build_session(db)
        print(f"built a 15-question session with real grades in {time.perf_counter() - start:.1f} s")
        figures: dict[str, object] = {"questions": 15, "runs": args.runs, "cli_runs": args.cli_runs}
        for fmt in FORMATS:
            out = folder / f"report.{get_writer(fmt).extension}"
            median, size = time_in_process(db, session_id, fmt, out, args.runs)
            cli = time_cli(db, session_id, fmt, out, args.cli_runs)
            print(f"{fmt:5} in process: {median * 1000:7.1f} ms (median of {args.runs})   whole command: "
                  f"{cli:5.2f} s (median of {args.cli_runs})   {size / 1024:6.1f} KiB")
            figures[f"{fmt}_ms"] = round(median * 1000, 2)
            figures[f"{fmt}_cli_s"] = round(cli, 3)
            figures[f"{fmt}_kib"] = round(size / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
