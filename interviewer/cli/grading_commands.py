"""The grading commands: ``grade`` (a typed answer, or ``--audio``), ``grade-batch`` and ``eval``, with their flags.

Each ``cmd_*`` gets the parsed arguments and returns the exit code; every user error is an ``InputError``
(one line, no traceback). A missing or unreadable input fails before any model loads.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from interviewer.cli import common
from interviewer.cli.common import bank_of, bank_option, fileno, optional_bank, positive_int, settings_of
from interviewer.config import Settings
from interviewer.errors import EXIT_RUNTIME, InputError
from interviewer.rubrics.loader import Bank
from interviewer.textfile import MAX_ANSWER_BYTES, check_input_file, check_text, decode_utf8, read_capped, read_text


def add_parsers(sub: Any) -> None:
    """``grade``, ``grade-batch`` and ``eval``."""
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
    p.add_argument("input", metavar="IN.jsonl", help="one JSON object a line: 'answer' and 'rubric' (a bank id), "
                   "or 'reference_answer' to grade against")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl",
                   help="each input line plus 'predicted_score' and 'grade'; '-' for stdout")
    p.add_argument("--force", action="store_true", help="overwrite OUT.jsonl if it exists")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("-j", "--jobs", type=positive_int, default=1, metavar="N",
                   help="grade in N processes, each with its own models (~350 MB each; default 1)")
    p.set_defaults(func=cmd_grade_batch)

    p = sub.add_parser("eval", help="measure agreement with human grades on a graded JSONL file")
    bank_option(p)
    p.add_argument("input", metavar="IN.jsonl", help="same lines as grade-batch, plus 'score' (and 'max_score')")
    p.add_argument("--split", help="only lines whose 'split' field equals this (e.g. test_unseen_answers)")
    p.add_argument("--cross-validate", action="store_true",
                   help="score each question with a calibration fitted on the other questions only")
    p.add_argument("--calibration", metavar="FILE", help="a calibration JSON file (default: the shipped one)")
    p.add_argument("--limit", type=positive_int, help="only the first N lines")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_eval)


def cmd_grade(args: argparse.Namespace) -> int:
    from interviewer.cli.render import render_grade

    settings = settings_of(args)
    bank = bank_of(settings)
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
    grade = common.grader(settings, bank).grade(rubric, answer)
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
    from interviewer.cli.background import BackgroundGrader
    from interviewer.cli.render import render_delivery, render_grade, render_transcript
    from interviewer.cli.speech_commands import speech_report, transcribe_with_progress
    from interviewer.speech.audio import load_audio
    from interviewer.speech.delivery import measure_delivery
    from interviewer.speech.registry import load_configured_transcriber

    samples = load_audio(Path(args.audio))  # a missing or corrupt file fails before any model loads
    grader = BackgroundGrader(lambda: common.grader(settings, bank))  # the embedder loads while Whisper transcribes
    # warm=False: one file, decoded once, so a warm-up decode of noise would only add its ~0.7 s.
    transcript = transcribe_with_progress(load_configured_transcriber(settings, warm=False), samples, quiet=args.json)
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


def _skipped(source: Path, number: int, message: str) -> None:
    from tqdm import tqdm

    tqdm.write(f"interviewer: {source}:{number}: {message} (line skipped)", file=sys.stderr)


def _graded(source: Path, graded: Iterable[tuple[int, Any]], total: int | None,
            quiet: bool) -> Iterator[tuple[int, dict[str, Any]]]:
    """Graded JSONL records (``batch.grade_records``) with a progress bar on stderr; a bad line is reported as
    SOURCE:LINE and skipped."""
    from tqdm import tqdm

    from interviewer.scoring.batch import LineError

    # No bar when stderr is a file or a pipe: its redrawn lines would run into the skipped lines' messages there.
    with tqdm(total=total, unit="answer", file=sys.stderr, disable=quiet or not sys.stderr.isatty(),
              dynamic_ncols=True) as bar:
        for number, item in graded:
            bar.update(1)
            if isinstance(item, LineError):
                _skipped(source, number, item.message)
                continue
            yield number, item


def cmd_grade_batch(args: argparse.Namespace) -> int:
    from interviewer.outfile import check_output, is_stdout, open_output, same_file, write_error
    from interviewer.scoring.batch import count_lines, grade_records, grade_records_parallel, read_jsonl

    settings = settings_of(args)
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
        if same_file(fileno(sys.stdout), source):
            raise InputError(f"<stdout>: is the input file {source}; write the output to another file")
    else:
        check_output(target, force=args.force, inputs=(source,))
    bank = optional_bank(settings)
    if args.jobs > 1:  # each worker loads its own models, after the fork
        graded = grade_records_parallel(records(), lambda: common.grader(settings, bank), bank, args.jobs)
    else:
        graded = grade_records(records(), common.grader(settings, bank), bank)
    scores: list[float] = []
    with nullcontext(sys.stdout) if to_stdout else open_output(target) as out:
        for _, item in _graded(source, graded, total, args.quiet):
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
    from interviewer.scoring.batch import LineError, grade_records, read_jsonl
    from interviewer.scoring.evaluation import evaluate, gold_score, is_correct_label, render

    settings = settings_of(args)
    source = Path(args.input)
    records = [(n, r) for n, r in read_jsonl(source)
               if isinstance(r, LineError) or args.split is None or r.get("split") == args.split]
    if args.limit:
        records = records[: args.limit]
    if not records:
        raise InputError(f"{source}: no records" + (f" with split {args.split!r}" if args.split else ""))
    if args.calibration:
        check_input_file(Path(args.calibration), "calibration")  # a folder or a device: one line, before the model
    bank = optional_bank(settings)
    grader = common.grader(settings, bank, Path(args.calibration) if args.calibration else None)
    graded = []
    for number, item in _graded(source, grade_records(records, grader, bank), len(records), args.quiet):
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
