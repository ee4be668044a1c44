"""A plain terminal practice round: ask questions, read typed answers, grade them, summarise.

Used where the Textual app cannot run (input piped in, ``--plain``). The embedding model loads in a
background thread while the first question is on screen, so the candidate can start typing at once.
Each answer is committed to the session store when it is submitted, before it is graded, so nothing
typed is lost if grading fails or the process dies; ``interviewer resume`` carries on from there.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from interviewer.cli.background import BackgroundGrader
from interviewer.cli.render import render_grade
from interviewer.display import printable
from interviewer.rubrics.loader import Bank
from interviewer.scoring.grader import Grader
from interviewer.scoring.result import Grade
from interviewer.session.lifecycle import NotSaved, Recorded, SavedAnswer, saved_answers, submit_answer
from interviewer.session.round import Interview, RoundSummary, Turn, choose_questions
from interviewer.store import Store

__all__ = ["choose_questions", "read_answer", "render_summary", "resume_plain", "run_round"]


def read_answer(stdin: TextIO, stdout: TextIO) -> str | None:
    """Read lines until an empty line (or end of input). None means end of input before any text."""
    lines: list[str] = []
    while True:
        stdout.write("> " if not lines else "  ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            return "\n".join(lines) if lines else None
        line = line.rstrip("\n")
        if not line.strip():
            return "\n".join(lines)
        lines.append(line)


def _grade(answer: SavedAnswer, grader: BackgroundGrader, stdout: TextIO) -> Grade:
    """Grade and record a saved answer (waiting for the model); a failure is raised as the one-line error it is."""
    if not grader.ready():
        print("Loading the grading model…", file=stdout, flush=True)
    outcome = answer.grade_and_record(grader.get)
    if isinstance(outcome, Recorded):
        return outcome.grade
    raise outcome.error  # GradingFailed: why; GradeNotSaved: the answer itself is safe, resume grades it


def run_round(interview: Interview, grader: BackgroundGrader, stdin: TextIO | None = None,
              stdout: TextIO | None = None) -> list[Turn]:
    """Ask the interview's unanswered questions (grading any saved but ungraded answers first). ``stdin`` and
    ``stdout`` default to the process's, looked up at call time."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    total = len(interview.turns)
    for saved in saved_answers(interview):  # a resumed session: answers saved before the last process died
        what = "answer" if saved.follow is None else "follow-up answer"
        rubric = f" ({saved.turn.rubric.id})" if saved.follow is None else ""
        print(f"Grading your saved {what} to question {saved.turn.position}/{total}{rubric}…", file=stdout)
        _grade(saved, grader, stdout)
    pending = interview.pending
    questions = f"{total} question{'s' * (total != 1)}"
    if interview.resumed:
        print(f"Resuming session {interview.session_id}: {len(pending)} of {questions} left.\n", file=stdout)
    else:
        print(f"Practice round: {questions}. Type your answer; an empty line submits it.", file=stdout)
    print("An empty answer skips the question; end of input (Ctrl-D) ends the round.\n", file=stdout)
    ended_early = False
    for turn in pending:
        print(f"Question {turn.position}/{total} ({turn.rubric.id}): {printable(turn.rubric.question)}", file=stdout)
        answer = read_answer(stdin, stdout)
        if answer is None:
            ended_early = True
            if interview.discard_if_empty():
                print("\nRound ended before any answer: nothing was saved.", file=stdout)
                return []
            print(f"\nRound ended early. `interviewer resume {interview.session_id}` carries on.", file=stdout)
            break
        if not answer.strip():
            print("Skipped: nothing is saved or scored for this question.\n", file=stdout)
            continue
        submitted = submit_answer(interview, turn, answer)  # committed before grading: nothing typed is lost
        if isinstance(submitted, NotSaved):
            raise submitted.error  # says where the answer was kept instead
        grade = _grade(submitted.answer, grader, stdout)
        print("", file=stdout)
        print(render_grade(grade), file=stdout)
        print("\n" + "-" * 60 + "\n", file=stdout)
    if not ended_early:
        if interview.discard_if_empty():  # every question skipped
            print("No answers given: nothing was saved.", file=stdout)
            return []
        interview.finish()
    print(render_summary(interview.summary()), file=stdout)
    if any(t.answered for t in interview.turns):
        print(f"\nSession {interview.session_id} is saved in {interview.store.path}", file=stdout)
    return [t for t in interview.turns if t.answered]


def render_summary(summary: RoundSummary) -> str:
    """The round's scores, strongest points and what to practise next (rubric text made ``printable``)."""
    if summary.mean is None:
        return "No answers graded."
    lines = ["Round summary:"]
    for rubric_id, question, score in summary.scores:
        shown = "  –  " if score is None else f"{score:4.1f}"
        lines.append(f"  {rubric_id}  {shown}/10  {question}")
    lines.append(f"  Mean: {summary.mean:.1f}/10")
    if summary.strongest:
        lines.append("Strongest: " + "; ".join(f"{c.label} ({c.rubric_id})" for c in summary.strongest[:3]))
    if summary.recovered:
        lines.append("Recovered in follow-up: " + "; ".join(f"{c.label} ({c.rubric_id})" for c in summary.recovered))
    if summary.practise_next:
        lines.append("Practise next: " + "; ".join(summary.practise_next))
    return printable("\n".join(lines))


def resume_plain(store: Store, bank: Bank, session_id: int, grader_factory: Callable[[], Grader],
                 stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Resume ``session_id`` in the plain terminal round (stdin and stdout by default); returns the exit code."""
    interview = Interview.resume(store, bank, session_id)
    background = BackgroundGrader(grader_factory)
    try:
        run_round(interview, background, stdin, stdout)
    except KeyboardInterrupt:
        print(f"\nRound stopped. Your answers are saved: `interviewer resume {session_id}`.", file=stdout)
        return 130
    return 0
