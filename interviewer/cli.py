"""The ``interviewer`` command line.

Commands: ``practice`` (also the default), ``grade`` (typed or ``--audio``), ``grade-batch``, ``eval``,
``rubric derive|check|list``, the speech commands ``devices``, ``record``, ``transcribe``
(in ``interviewer.speech.commands``), and ``resume``, ``report``, ``history`` (in
``interviewer.session_commands``).
Every error a user can cause prints one line, ``interviewer: error: …``, and exits non-zero (2 for bad
input); nothing here prints a traceback for those.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from interviewer import __version__
from interviewer.config import Settings, load_settings
from interviewer.display import printable
from interviewer.errors import EXIT_RUNTIME, EXIT_USAGE, InputError, InterviewerError
from interviewer.outfile import write_error
from interviewer.rubrics.loader import Bank, load_bank, load_rubric, rubric_files
from interviewer.textfile import (MAX_ANSWER_BYTES, check_input_file, check_text, decode_utf8, read_capped,
                                  read_text)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    if getattr(args, "bank", None):
        from dataclasses import replace

        settings = replace(settings, bank=Path(args.bank))
    return settings


def _bank(settings: Settings) -> Bank:
    return load_bank(settings.bank_dir())


def _optional_bank(settings: Settings) -> Bank | None:
    """The bank for batch work: None when the default bank is absent; a missing ``--bank`` is an error."""
    if settings.bank is None and not settings.bank_dir().exists():
        return None
    return _bank(settings)


def _grader(settings: Settings, bank: Bank | None = None, calibration: Path | None = None):  # type: ignore[no-untyped-def]
    from interviewer import locations
    from interviewer.scoring.calibration import load_calibration
    from interviewer.scoring.embedder import load_embedder
    from interviewer.scoring.grader import Grader
    from interviewer.scoring.stance import load_stance

    calibrations = load_calibration(calibration) if calibration else None
    embedder = load_embedder(settings.embedding_model, settings.embedding_precision)
    return Grader(embedder, calibrations, stance=load_stance(precision=embedder.precision), bank=bank,
                  max_answer_words=settings.max_answer_words, cache_dir=locations.cache_dir())


# -- commands ------------------------------------------------------------------------------------------
def cmd_practice(args: argparse.Namespace) -> int:
    from interviewer.session_commands import cmd_practice as run

    return run(args, _settings(args), lambda settings, bank: _grader(settings, bank))


def cmd_grade(args: argparse.Namespace) -> int:
    from interviewer.render import render_grade

    settings = _settings(args)
    bank = _bank(settings)
    rubric = bank[args.rubric]
    if args.audio is not None:
        return _grade_audio(args, settings, rubric, bank)
    if args.answer is not None:
        answer = check_text(args.answer, "--answer", "answer", limit=MAX_ANSWER_BYTES)
    elif args.answer_file is not None:
        answer = read_text(Path(args.answer_file), "answer", limit=MAX_ANSWER_BYTES)
    elif not sys.stdin.isatty():
        answer = _read_stdin_answer()
    else:
        raise InputError("no answer: give --answer TEXT, --answer-file FILE, or pipe the answer on stdin")
    grade = _grader(settings, bank).grade(rubric, answer)
    if args.json:
        print(json.dumps(grade.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(render_grade(grade, show_model_answer=rubric.model_answer if args.model_answer else None))
    return 0


def _read_stdin_answer() -> str:
    """The answer piped on stdin, read as bytes (at most ``MAX_ANSWER_BYTES``) and decoded strictly: the
    text layer would turn stray bytes into surrogates that fail only when the answer is printed back."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # replaced by a text-only stream (tests)
        return check_text(sys.stdin.read(MAX_ANSWER_BYTES + 1), "<stdin>", "answer", limit=MAX_ANSWER_BYTES)
    try:
        data = read_capped(stream, MAX_ANSWER_BYTES, "<stdin>", "answer")
    except OSError as exc:
        raise InputError(f"<stdin>: cannot read the answer ({exc.strerror})") from None
    return decode_utf8(data, "<stdin>", "answer")


def _grade_audio(args: argparse.Namespace, settings: Settings, rubric, bank: Bank) -> int:  # type: ignore[no-untyped-def]
    """``grade --audio FILE``: transcribe, grade the transcript like a typed answer, add delivery feedback."""
    from interviewer.background import BackgroundGrader
    from interviewer.render import render_delivery, render_grade, render_transcript
    from interviewer.speech.audio import load_audio
    from interviewer.speech.commands import load_configured_transcriber, speech_report, transcribe_with_progress
    from interviewer.speech.delivery import measure_delivery

    samples = load_audio(Path(args.audio))  # a missing or corrupt file fails before any model loads
    grader = BackgroundGrader(lambda: _grader(settings, bank))  # the embedder loads while Whisper transcribes
    transcript = transcribe_with_progress(load_configured_transcriber(settings), samples, quiet=args.json)
    delivery = measure_delivery(transcript)
    grade = grader.get().grade(rubric, transcript.text)
    if args.json:
        print(json.dumps({**grade.to_dict(), **speech_report(transcript, delivery)}, indent=2, ensure_ascii=False))
        return 0
    print("Transcript:")
    print(render_transcript(transcript, segments=False))
    print()
    print(render_grade(grade, show_model_answer=rubric.model_answer if args.model_answer else None))
    print()
    print(render_delivery(delivery))
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from interviewer.speech.commands import cmd_devices as run

    return run(args)


def cmd_record(args: argparse.Namespace) -> int:
    from interviewer.speech.commands import cmd_record as run

    return run(args, _settings(args))


def cmd_transcribe(args: argparse.Namespace) -> int:
    from interviewer.speech.commands import cmd_transcribe as run

    return run(args, _settings(args))


def _skipped(source: Path, number: int, message: str) -> None:
    from tqdm import tqdm

    tqdm.write(f"interviewer: {source}:{number}: {message} (line skipped)", file=sys.stderr)


def _graded(source: Path, records: Iterable[tuple[int, Any]], total: int | None, grader: Any, bank: Bank | None,
            quiet: bool) -> Iterator[tuple[int, dict[str, Any]]]:
    """Grade JSONL records with a progress bar on stderr; a bad line is reported as SOURCE:LINE and skipped."""
    from tqdm import tqdm

    from interviewer.scoring.batch import LineError, grade_records

    with tqdm(total=total, unit="answer", file=sys.stderr, disable=quiet, dynamic_ncols=True) as bar:
        for number, item in grade_records(records, grader, bank):
            bar.update(1)
            if isinstance(item, LineError):
                _skipped(source, number, item.message)
                continue
            yield number, item


def cmd_grade_batch(args: argparse.Namespace) -> int:
    from interviewer.outfile import check_output, is_stdout, open_output, same_file, write_error
    from interviewer.scoring.batch import count_lines, read_jsonl

    settings = _settings(args)
    source = Path(args.input)
    total = count_lines(source)  # a missing file, a folder or a device fails here, before any model loads
    read = [0]  # lines read (a pipe is read once, so not counted beforehand: total is None)

    def records() -> Iterator[tuple[int, Any]]:
        for record in read_jsonl(source):
            read[0] += 1
            yield record

    to_stdout = is_stdout(args.output)
    target = Path("<stdout>") if to_stdout else Path(args.output)
    if to_stdout:
        if same_file(_fileno(sys.stdout), source):
            raise InputError(f"<stdout>: is the input file {source}; write the output to another file")
    else:
        check_output(target, force=args.force, inputs=(source,))
    bank = _optional_bank(settings)
    grader = _grader(settings, bank)
    scores: list[float] = []
    with nullcontext(sys.stdout) if to_stdout else open_output(target) as out:
        for _, item in _graded(source, records(), total, grader, bank, args.quiet):
            line = json.dumps(item, ensure_ascii=False)
            if not line.isascii():
                try:
                    line.encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate escaped in the input: keep it escaped
                    line = json.dumps(item)
            try:
                out.write(line + "\n")
                out.flush()
            except OSError as exc:
                if not to_stdout:
                    raise
                raise write_error(target, exc, kept=False) from None
            scores.append(float(item["predicted_score"]))
    failed = read[0] - len(scores)
    mean = f", mean score {sum(scores) / len(scores):.2f}" if scores else ""
    print(f"graded {len(scores)} answer(s){mean}; {failed} line(s) failed; wrote {target}", file=sys.stderr)
    return EXIT_RUNTIME if failed else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from interviewer.evaluation import evaluate, gold_score, is_correct_label, render
    from interviewer.scoring.batch import LineError, read_jsonl

    settings = _settings(args)
    source = Path(args.input)
    records = [(n, r) for n, r in read_jsonl(source)
               if isinstance(r, LineError) or args.split is None or r.get("split") == args.split]
    if args.limit:
        records = records[: args.limit]
    if not records:
        raise InputError(f"{source}: no records" + (f" with split {args.split!r}" if args.split else ""))
    if args.calibration:
        check_input_file(Path(args.calibration), "calibration")  # a folder or a device: one line, before the model
    bank = _optional_bank(settings)
    grader = _grader(settings, bank, Path(args.calibration) if args.calibration else None)
    graded = []
    for number, item in _graded(source, records, len(records), grader, bank, args.quiet):
        try:
            graded.append((item, gold_score(item)))
        except InputError as exc:
            _skipped(source, number, exc.message)
    failures = len(records) - len(graded)
    if not graded:
        raise InputError(f"{source}: no line could be graded")
    items = [item for item, _ in graded]
    gold = [g for _, g in graded]
    profiles = [item["grade"]["profile"] for item in items]
    profile = max(set(profiles), key=profiles.count)
    if args.cross_validate:
        groups = [str(item.get("rubric") or item.get("question_id") or item["grade"]["rubric_id"]) for item in items]
        if profile == "rubric" and bank is not None and all(isinstance(item.get("points"), dict) for item in items):
            from interviewer.scoring.crossval import cross_validated_rubric_scores

            # The concept model and the checklist curve are refitted without each question.
            predicted = cross_validated_rubric_scores(grader, [(bank[str(g)], item["answer"]) for g, item in
                                                               zip(groups, items, strict=True)],
                                                      [item["points"] for item in items], gold, groups)
        else:
            from interviewer.scoring.fit import cross_validated_scores

            correct = [is_correct_label(item) for item in items]
            labels = None if any(c is None for c in correct) else [bool(c) for c in correct]
            predicted = cross_validated_scores([item["grade"]["features"] for item in items], gold, groups, profile,
                                               labels)
    else:
        predicted = [float(item["predicted_score"]) for item in items]
    threshold = grader.calibration[profile].threshold
    result = evaluate(predicted, gold, items, threshold)
    if args.json:
        print(json.dumps({"input": str(source), "split": args.split, "cross_validated": args.cross_validate,
                          "failed_lines": failures, **result.to_dict()}, indent=2))
    else:
        how = "cross-validated by question" if args.cross_validate else "shipped calibration"
        print(render(result, f"{source}{' [' + args.split + ']' if args.split else ''} ({how})"))
        if failures:
            print(f"{failures} line(s) skipped")
    return EXIT_RUNTIME if failures else 0


def cmd_rubric_derive(args: argparse.Namespace) -> int:
    from interviewer.rubrics.derive import derive_rubrics, write_drafts
    from interviewer.scoring.embedder import load_embedder

    source = Path(args.file)
    text = read_text(source, "question file")
    settings = load_settings()
    embedder = None if args.no_model else load_embedder(settings.embedding_model, settings.embedding_precision)
    rubrics = derive_rubrics(text, str(source), embedder, prefix=args.prefix)
    from interviewer import locations

    out = Path(args.out) if args.out else locations.data_dir() / "rubric-drafts"
    paths = write_drafts(rubrics, out, source.name, force=args.force)
    for rubric, path in zip(rubrics, paths, strict=True):
        print(f"{path}: {len(rubric.concepts)} concepts, {len(rubric.misconceptions)} misconception drafts")
    print(f"wrote {len(paths)} draft rubric(s); review them by hand, then `interviewer rubric check {out}`")
    return 0


def cmd_rubric_check(args: argparse.Namespace) -> int:
    failures = 0
    checked = 0
    seen: dict[str, Path] = {}
    for target in args.paths or [str(_settings(args).bank_dir())]:
        for path in rubric_files(Path(target)):
            checked += 1
            try:
                rubric = load_rubric(path)
            except InputError as exc:
                print(f"interviewer: error: {printable(exc.message, one_line=True)}", file=sys.stderr)
                failures += 1
                continue
            if rubric.id in seen and seen[rubric.id] != path:
                print(printable(f"interviewer: error: {path}: field 'id': {rubric.id!r} is already used by "
                                f"{seen[rubric.id]}", one_line=True), file=sys.stderr)
                failures += 1
                continue
            seen[rubric.id] = path
            print(printable(f"ok  {path}  ({len(rubric.concepts)} concepts, {len(rubric.misconceptions)} misconceptions)"))
    if checked == 0:
        raise InputError(f"{', '.join(args.paths)}: no rubric files (*.yaml) found")
    print(f"{checked - failures} of {checked} rubric file(s) valid")
    return EXIT_USAGE if failures else 0


def cmd_rubric_list(args: argparse.Namespace) -> int:
    bank = _bank(_settings(args))
    for rubric_id, rubric in bank.items():
        tags = f"  [{', '.join(rubric.tags)}]" if rubric.tags else ""
        print(printable(f"{rubric_id}  {rubric.question}{tags}", one_line=True))
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    from interviewer.session_commands import cmd_resume as run

    return run(args, _settings(args), lambda settings, bank: _grader(settings, bank))


def cmd_report(args: argparse.Namespace) -> int:
    from interviewer.session_commands import cmd_report as run

    return run(args, _settings(args))


def cmd_history(args: argparse.Namespace) -> int:
    from interviewer.session_commands import cmd_history as run

    return run(args, _settings(args))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


# -- parser --------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interviewer",
        description="Offline mock interviewer: practise technical questions and get graded by meaning.",
    )
    parser.add_argument("--version", action="version", version=f"interviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def bank_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--bank", metavar="DIR", help="folder of rubric files (default: the bundled bank)")

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
    p.set_defaults(func=cmd_practice)

    p = sub.add_parser("grade", help="grade one answer against a rubric")
    bank_option(p)
    p.add_argument("--rubric", required=True, metavar="ID", help="rubric id, e.g. q03")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--answer", metavar="TEXT", help="the answer text")
    source.add_argument("--answer-file", metavar="FILE", help="read the answer from a UTF-8 text file")
    source.add_argument("--audio", metavar="FILE", help="a spoken answer (WAV, FLAC, …): transcribe it, grade it, "
                        "and add feedback on delivery")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--model-answer", action="store_true", help="also print the model answer")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("grade-batch", help="grade every line of a JSONL file")
    bank_option(p)
    p.add_argument("input", metavar="IN.jsonl")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl")
    p.add_argument("--force", action="store_true", help="overwrite OUT.jsonl if it exists")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_grade_batch)

    p = sub.add_parser("eval", help="measure agreement with human grades on a graded JSONL file")
    bank_option(p)
    p.add_argument("input", metavar="IN.jsonl", help="same lines as grade-batch, plus 'score' (and 'max_score')")
    p.add_argument("--split", help="only lines whose 'split' field equals this (e.g. test_unseen_answers)")
    p.add_argument("--cross-validate", action="store_true",
                   help="score each question with a calibration fitted on the other questions only")
    p.add_argument("--calibration", metavar="FILE", help="a calibration JSON file (default: the shipped one)")
    p.add_argument("--limit", type=_positive_int, help="only the first N lines")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("devices", help="list the microphones (audio input devices)")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("record", help="record a spoken answer from the microphone to a WAV file")
    p.add_argument("-o", "--output", metavar="FILE", help="the WAV file to write (default: a new file in recordings/)")
    p.add_argument("--seconds", type=float, metavar="N", help="stop after N seconds (default: Enter, Ctrl-C or the "
                   "max_record_seconds setting)")
    p.add_argument("--device", metavar="D", help="input device name (or a unique part of it) or index; see `devices`")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.add_argument("--transcribe", action="store_true", help="transcribe while recording; print the transcript and "
                   "delivery when it stops")
    p.add_argument("-q", "--quiet", action="store_true", help="no level meter")
    p.set_defaults(func=cmd_record, bank=None)

    p = sub.add_parser("transcribe", help="transcribe a recorded answer offline and measure its delivery")
    p.add_argument("file", metavar="FILE", help="audio file: WAV, FLAC, MP3, … (any sample rate, mono or stereo)")
    p.add_argument("--json", action="store_true", help="print text, segments, word timings and delivery as JSON")
    p.add_argument("--words", action="store_true", help="also list every word with its start and end time")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_transcribe, bank=None)

    rubric = sub.add_parser("rubric", help="derive, check and list rubrics")
    rsub = rubric.add_subparsers(dest="rubric_command", metavar="ACTION", required=True)
    p = rsub.add_parser("derive", help="draft rubric files from a question/model-answer text")
    p.add_argument("file", metavar="FILE", help="'Q1: … Model Answer: …' text or Markdown with headings")
    p.add_argument("--out", metavar="DIR",
                   help="where to write drafts (default: rubric-drafts/ in the user's data folder, outside any bank)")
    p.add_argument("--prefix", default="q", help="id prefix (default %(default)s: q01, q02, …)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--no-model", action="store_true", help="rank cue phrases without the embedding model")
    p.set_defaults(func=cmd_rubric_derive)
    p = rsub.add_parser("check", help="validate rubric files or folders")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the bank)")
    p.set_defaults(func=cmd_rubric_check, bank=None)
    p = rsub.add_parser("list", help="list the rubrics in the bank")
    bank_option(p)
    p.set_defaults(func=cmd_rubric_list)
    _session_parsers(sub, bank_option)
    return parser


def _session_parsers(sub: Any, bank_option: Any) -> None:
    """``resume``, ``report`` and ``history`` (in ``interviewer.session_commands``)."""
    p = sub.add_parser("resume", help="carry on an unfinished session (default: the newest)")
    bank_option(p)
    p.add_argument("session", nargs="?", metavar="SESSION", help="session number (see `interviewer history`)")
    p.add_argument("--plain", action="store_true", help="the plain line-by-line round instead of the app")
    p.set_defaults(func=cmd_resume)

    p = sub.add_parser("report", help="a feedback report of a session (Markdown, HTML or JSON)")
    bank_option(p)
    p.add_argument("session", nargs="?", metavar="SESSION", help="session number (default: the latest)")
    p.add_argument("--format", choices=("md", "html", "json"),
                   help="report format (default: from the -o suffix, else md)")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write it; '-' for stdout (default: stdout for "
                   "md and json, interviewer-session-N.html for html)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.add_argument("--from-batch", metavar="OUT.jsonl", help="report on grade-batch output instead of a session")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("history", help="past sessions with their mean scores and trend")
    p.add_argument("--concepts", action="store_true", help="progress per key point across sessions")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="only the last N sessions")
    p.set_defaults(func=cmd_history, bank=None)


def main(argv: Sequence[str] | None = None) -> int:
    from interviewer.scoring.embedder import force_offline

    force_offline()  # before any thread imports huggingface_hub, which reads the setting once
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["practice", *(argv or [])])
    stdout = sys.stdout
    sys.stdout = _GuardedStdout(stdout)  # type: ignore[assignment]
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # here, not at exit: a full stdout is then one line, not "Exception ignored"
        return code
    except InterviewerError as exc:
        print(f"interviewer: error: {printable(exc.message, one_line=True)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interviewer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing to say, and nothing left to write
        return EXIT_RUNTIME
    except OSError as exc:
        if exc.filename is None:
            raise  # not a file's fault: a bug, shown with its traceback
        print(f"interviewer: error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)  # still one line
        return EXIT_RUNTIME
    finally:
        sys.stdout = stdout


class _GuardedStdout:
    """stdout, whose failed writes (a full disk, ``> /dev/full``) become one ``<stdout>: cannot write`` error.

    After a failure the descriptor is pointed at /dev/null, so what is still buffered does not fail again at
    exit with "Exception ignored". A closed pipe stays a ``BrokenPipeError`` (a quiet exit)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise self._failed(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _failed(self, exc: OSError) -> Exception:
        fd = _fileno(self._stream)
        if fd is not None:
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, fd)
                os.close(devnull)
            except OSError:
                pass
        if isinstance(exc, BrokenPipeError):
            return exc
        return write_error("<stdout>", exc, kept=False)


def _fileno(stream: Any) -> int | None:
    """The descriptor behind ``stream``, or None (a stream in memory, as in tests)."""
    try:
        return int(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return None
