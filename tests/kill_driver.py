"""The victim of the kill -9 test: a plain practice round on stdin whose grading hangs on an answer
containing HANG, so the test can kill the process while it grades an answer it has already committed.

Run as ``python -m tests.kill_driver DB`` from the repository (grades with the deterministic test embedder
and the bundled bank, so it starts in a second).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from interviewer.cli.background import BackgroundGrader
from interviewer.cli.practice import run_round
from interviewer.locations import bundled_bank_dir
from interviewer.rubrics import load_bank
from interviewer.scoring.grader import Grader
from interviewer.session.round import Interview
from interviewer.store import Store

from .fakes import HashingEmbedder

QUESTIONS = ("q01", "q03", "q10")


class HangingGrader:
    def __init__(self) -> None:
        self.grader = Grader(HashingEmbedder())

    def grade(self, rubric, answer):  # type: ignore[no-untyped-def]
        if "HANG" in answer:
            time.sleep(600)  # killed here
        return self.grader.grade(rubric, answer)


def main() -> None:
    bank = load_bank(bundled_bank_dir())
    store = Store(Path(sys.argv[1]))
    interview = Interview.start(store, [bank[i] for i in QUESTIONS], bank_name="bundled")
    run_round(interview, BackgroundGrader(HangingGrader), sys.stdin, sys.stdout)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
