"""The CLI side of sessions: ``practice`` (the app or the plain round), ``resume``, ``report``, ``history``,
with their flags.

The round itself is ``interviewer.session``; the app is ``interviewer.tui``, the plain round ``practice.py``.
Every user error is an ``InterviewerError`` (one line, no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from interviewer.cli import common
from interviewer.cli.common import bank_option, positive_int, recordings_option, settings_of
from interviewer.config import Settings
from interviewer.display import clip, printable
from interviewer.errors import InputError
from interviewer.rubrics.loader import Bank
from interviewer.rubrics.model import Rubric


def add_practice_parser(sub: Any) -> None:
    """``practice`` (first in the help: it is the default command)."""
    p = sub.add_parser("practice", help="a practice round: the app on a terminal (the default command)")
    bank_option(p)
    p.add_argument("--questions", metavar="IDS", help="comma-separated rubric ids to ask, in order (e.g. q01,q05)")
    p.add_argument("--count", type=int, help=f"how many random questions (default {3})")
    p.add_argument("--seed", type=int, help="random seed for choosing questions")
    p.add_argument("--drill", action="store_true", help="ask the questions with your lowest recent scores")
    p.add_argument("--mode", choices=("typed", "voice"), help="type the answers (default) or speak them (the app only)")
    p.add_argument("--timed", action="store_true", help="a clock per question (the rubric's time limit), with a warning "
                   "near the end")
    p.add_argument("--plain", action="store_true", help="the plain line-by-line round instead of the app")
    recordings_option(p)
    p.set_defaults(func=cmd_practice)


def add_parsers(sub: Any) -> None:
    """``resume``, ``report`` and ``history``."""
    p = sub.add_parser("resume", help="carry on an unfinished session (default: the newest)")
    bank_option(p)
    p.add_argument("session", nargs="?", type=positive_int, metavar="SESSION",
                   help="session number (see `interviewer history`)")
    p.add_argument("--plain", action="store_true", help="the plain line-by-line round instead of the app")
    recordings_option(p)
    p.set_defaults(func=cmd_resume)

    p = sub.add_parser("report", help="a feedback report of a session (Markdown, HTML or JSON)")
    bank_option(p)
    p.add_argument("session", nargs="?", type=positive_int, metavar="SESSION",
                   help="session number (default: the latest)")
    p.add_argument("--format", choices=("md", "html", "json"),
                   help="report format (default: from the -o suffix, else md)")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write it; '-' for stdout (default: stdout for "
                   "md and json, interviewer-session-N.html for html)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.add_argument("--from-batch", metavar="OUT.jsonl", help="report on grade-batch output instead of a session")
    p.add_argument("--copy-audio", action="store_true", help="copy the recordings into FILE-recordings/ beside the "
                   "report and link them there (links are always relative to the report)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("history", help="past sessions with their mean scores and trend")
    p.add_argument("--concepts", action="store_true", help="progress per key point across sessions")
    p.add_argument("--limit", type=positive_int, metavar="N", help="only the last N sessions")
    p.set_defaults(func=cmd_history, bank=None)


def _bank_override(args: argparse.Namespace) -> Path | None:
    return common.bank_option_folder(args.bank) if getattr(args, "bank", None) else None


# -- practice and resume: the app on a terminal, else the plain round -----------------------------------
def use_app(args: argparse.Namespace) -> bool:
    """The Textual app runs when stdin and stdout are terminals and ``--plain`` was not given."""
    if getattr(args, "plain", False):
        return False
    return bool(sys.stdin is not None and sys.stdin.isatty() and sys.stdout is not None and sys.stdout.isatty())


def cmd_practice(args: argparse.Namespace) -> int:
    from interviewer.cli.background import BackgroundGrader
    from interviewer.cli.practice import run_round
    from interviewer.rubrics.loader import load_bank
    from interviewer.session.round import Interview, bank_name, choose_questions, fewer_than_asked
    from interviewer.store import open_store

    settings = settings_of(args)
    if use_app(args):
        return _practice_in_app(args, settings)
    if args.mode == "voice":
        raise InputError("--mode voice: spoken answers need the app, which runs in a terminal (without --plain)")
    bank = load_bank(settings.bank_dir())
    ids = [i.strip() for i in args.questions.split(",") if i.strip()] if args.questions else None
    if args.drill:
        rubrics = drill_rubrics(settings, bank, args.count, args.questions)
    else:
        rubrics = choose_questions(bank, ids, args.count, args.seed)
        if not ids and (note := fewer_than_asked(args.count, rubrics)):
            print(f"interviewer: {note}", file=sys.stderr)
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")  # bytes that are not UTF-8 become "?" rather than a crash
    with open_store(settings.database_path()) as store:
        interview = Interview.start(store, rubrics, bank_name=bank_name(settings.bank), mode="typed", timed=args.timed,
                                    bank=bank.name)
        background = BackgroundGrader(lambda: common.grader(settings, bank))
        try:
            run_round(interview, background)
        except KeyboardInterrupt:
            print(f"\nRound stopped. Your answers are saved: `interviewer resume {interview.session_id}`.")
            return 130
    return 0


def _practice_in_app(args: argparse.Namespace, settings: Settings) -> int:
    """Open the app: the round the flags describe at once, else the start screen (with the bank given)."""
    from interviewer.rubrics.loader import load_bank
    from interviewer.store import open_store
    from interviewer.tui import RoundOptions, Services, make_app

    ids = tuple(i.strip() for i in args.questions.split(",") if i.strip()) if args.questions else ()
    if getattr(args, "drill", False):
        ids = tuple(r.id for r in drill_rubrics(settings, load_bank(settings.bank_dir()), args.count, args.questions))
    options = RoundOptions(bank=_bank_override(args), questions=ids, count=args.count,
                           mode=args.mode or "typed", timed=args.timed, seed=args.seed)
    start = bool(ids or args.count is not None or args.mode is not None or args.timed)
    with open_store(settings.database_path()) as store:
        app = make_app(Services(settings, store), options, start=start)
        app.run()
    if app.interview is not None and app.interview.pending and any(t.answered for t in app.interview.turns):
        print(f"Your answers are saved: `interviewer resume {app.interview.session_id}` carries on.")
    code = app.return_code or 0
    _exit_without_waiting_for_workers(code)
    return code


def _exit_without_waiting_for_workers(code: int = 0) -> None:
    """Quit now even if a model is still loading in a worker thread.

    Python joins worker threads at exit, and an import of torch cannot be interrupted: quitting during
    start-up waited ~8 s. Every submitted answer is already committed and the store is closed.
    """
    import threading

    if any(t.is_alive() and t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def cmd_resume(args: argparse.Namespace) -> int:
    from interviewer.cli.practice import resume_plain
    from interviewer.session.resume import NothingToResume, resumable_session, session_bank
    from interviewer.store import open_store

    settings = settings_of(args)
    with open_store(settings.database_path()) as store:
        try:
            record = resumable_session(store, args.session)
        except NothingToResume as exc:
            print(f"interviewer: {exc.message}")
            return 0
        bank = session_bank(record, _bank_override(args))  # missing: one line
        if use_app(args):
            from interviewer.tui import RoundOptions, Services, make_app

            app = make_app(Services(settings, store), RoundOptions(bank=_bank_override(args)), resume=record.id)
            app.run()
        else:
            if hasattr(sys.stdin, "reconfigure"):
                sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
            return resume_plain(store, bank, record.id, lambda: common.grader(settings, bank))
    code = app.return_code or 0
    _exit_without_waiting_for_workers(code)
    return code


# -- report --------------------------------------------------------------------------------------------
def _report_bank(record_bank: str | None, args: argparse.Namespace, settings: Settings) -> Bank | None:
    """The bank for model answers; None (with a note) when it cannot be read: the report is still useful."""
    from interviewer.rubrics.loader import load_bank
    from interviewer.session.round import bank_folder

    override = _bank_override(args)
    if override is not None:
        return load_bank(override)  # asked for explicitly: a bad one is an error
    if record_bank is None:  # a batch file: the configured bank
        folder = settings.bank_dir()
    else:
        folder = bank_folder(record_bank)
    try:
        return load_bank(folder)
    except InputError as exc:
        print(f"interviewer: note: model answers left out ({exc.message})", file=sys.stderr)
        return None


def cmd_report(args: argparse.Namespace) -> int:
    from interviewer.outfile import check_output, is_stdout, write_output
    from interviewer.reports import batch_report, format_for_path, get_writer, session_report
    from interviewer.textfile import check_input_file

    settings = settings_of(args)
    output = None if args.output is None or is_stdout(args.output) else Path(args.output)
    try:
        fmt = args.format or (format_for_path(output) if output else None) or "md"
    except InputError as exc:
        raise InputError(f"{exc.message}, or give --format") from None
    if args.from_batch and args.session:
        raise InputError("give a SESSION or --from-batch FILE, not both")
    writer = get_writer(fmt, link_base=(output.parent if output else Path.cwd()))
    source = Path(args.from_batch) if args.from_batch else None
    if source is not None:
        check_input_file(source, "grade-batch output")
    inputs = (settings.database_path(),) if source is None else (source,)  # never write the report over them
    if output is not None:
        check_output(output, force=args.force, inputs=inputs)
    if source is not None:
        report = batch_report(source, _report_bank(None, args, settings))
        default_name = f"{source.stem}-report.{writer.extension}"
    else:
        from interviewer.store import open_store

        with open_store(settings.database_path(), read_only=True) as store:
            session_id = store.latest_session_id() if args.session is None else args.session
            if session_id is None:
                raise InputError(f"no sessions yet in {store.path}; `interviewer practice` starts one")
            record = store.session(session_id)
            _print_notes(store)
        report = session_report(record, _report_bank(record.bank, args, settings))
        default_name = f"interviewer-session-{record.id}.{writer.extension}"
    if output is None and (is_stdout(args.output) or writer.for_terminal):
        if args.copy_audio:
            raise InputError("--copy-audio: give -o FILE (the recordings are copied beside it)")
        sys.stdout.write(writer.render(report))
        return 0
    if output is None:  # HTML without -o: a file in the current folder, never dumped on the terminal
        output = Path(default_name)
        check_output(output, force=args.force, inputs=inputs)
    if args.copy_audio:
        from interviewer.reports.recordings import copy_recordings

        report, notes = copy_recordings(report, output)
        for note in notes:
            print(f"interviewer: note: {note}", file=sys.stderr)
    write_output(output, writer.render(report))
    print(f"wrote {output}", file=sys.stderr)
    return 0


# -- history -------------------------------------------------------------------------------------------
def cmd_history(args: argparse.Namespace) -> int:
    from interviewer.store import open_store

    settings = settings_of(args)
    with open_store(settings.database_path(), read_only=True) as store:
        code = _print_concepts(store) if args.concepts else _print_sessions(store, args.limit)
        _print_notes(store)
    return code


def _print_notes(store: Any) -> None:
    """Say which stored rows could not be read (broken JSON): they were left out, the rest is shown."""
    for note in store.notes:
        print(f"interviewer: note: {note}", file=sys.stderr)


def _print_sessions(store: Any, limit: int | None) -> int:
    from interviewer.session.history import bank_trends, session_lines, sparkline, trend_label

    lines = session_lines(store, limit)
    if not lines:
        print(f"No sessions yet in {store.path}; `interviewer practice` starts one.")
        return 0
    width = max(4, *(len(s.bank) for s in lines))
    print(f"{'session':>7}  {'date':16}  {'bank':{width}}  {'mode':5}  {'answered':>8}  {'mean':>5}  trend")
    for s in lines:
        mean = "    –" if s.mean is None else f"{s.mean:5.1f}"
        state = "" if s.finished else "  (unfinished: `interviewer resume " + str(s.id) + "`)"
        print(printable(f"{s.id:>7}  {s.started_at.replace('T', ' ')[:16]:16}  {s.bank:{width}}  {s.mode:5}  "
                        f"{f'{s.answered}/{s.asked}':>8}  {mean}  {trend_label(s.change):7}{state}".rstrip(), one_line=True))
    trends = bank_trends(lines)
    if trends:
        print()
    for bank, means in trends:  # one trend per bank: rounds of different banks are not comparable
        print(printable(f"Mean score, {bank}, over {len(means)} sessions: {sparkline(means)}  "
                        f"{means[0]:.1f} → {means[-1]:.1f}", one_line=True))
    return 0


def _print_concepts(store: Any) -> int:
    from interviewer.session.history import concept_progress

    progress = concept_progress(store)
    if not progress:
        print(f"No graded answers yet in {store.path}; `interviewer practice` starts a session.")
        return 0
    from interviewer.session.history import question_line

    from interviewer.session.advice import STATUS_MARKS as marks

    print("Key points, weakest recently first (✔ covered, ↻ recovered in follow-up, ◐ partial, ✘ missed; oldest → "
          "newest), by question:")
    for p in progress:
        history = " ".join(marks.get(s, "?") for s in p.statuses[-8:])
        also = f", {p.recovered} in a follow-up" if p.recovered else ""
        print(printable(f"  {clip(p.label, 46):46}  {history:15}  {p.covered}/{len(p.statuses)} covered{also}",
                        one_line=True))
        print(printable(f"      {question_line(p.bank, p.question, p.rubric_id)}", one_line=True))
    return 0


# -- practice --drill ----------------------------------------------------------------------------------
def drill_rubrics(settings: Settings, bank: Bank, count: int | None, questions: str | None) -> list[Rubric]:
    """The questions with the lowest recent scores, announcing each with the concepts to work on."""
    from interviewer.session.history import RECENT, drill
    from interviewer.session.round import DEFAULT_COUNT
    from interviewer.store import open_store

    if questions:
        raise InputError("--drill chooses the questions itself; leave out --questions")
    with open_store(settings.database_path()) as store:
        picks = drill(store, bank, DEFAULT_COUNT if count is None else count)
        _print_notes(store)
    print("Drill: the questions with your lowest recent scores.")
    for p in picks:
        weak = f"; work on: {', '.join(p.weak_concepts[:3])}" if p.weak_concepts else ""
        print(printable(f"  {clip(p.rubric.question, 70)}  ({bank.name} {p.rubric.id})", one_line=True))
        print(printable(f"      recent {p.recent_score:.1f}/10 over {min(p.attempts, RECENT)} answer(s){weak}", one_line=True))
    print()
    return [p.rubric for p in picks]
