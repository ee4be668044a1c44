"""``rubric derive``, ``rubric check`` and ``rubric list``, with their flags."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from interviewer.cli.common import bank_of, bank_option, settings_of
from interviewer.config import load_settings
from interviewer.display import clip, printable
from interviewer.errors import EXIT_USAGE, InputError
from interviewer.rubrics.loader import load_rubric, rubric_files
from interviewer.textfile import read_text


def add_parsers(sub: Any) -> None:
    """``rubric`` and its actions."""
    rubric = sub.add_parser("rubric", help="derive, check and list rubrics")
    rsub = rubric.add_subparsers(dest="rubric_command", metavar="ACTION", required=True)
    p = rsub.add_parser("derive", help="draft rubric files from a question/model-answer text")
    p.add_argument("file", metavar="FILE", help="'Q1: … Model Answer: …' text or Markdown with headings")
    p.add_argument("--out", metavar="DIR",
                   help="where to write drafts (default: rubric-drafts/ in the user's data folder, outside any bank)")
    p.add_argument("--prefix", help="id prefix, e.g. 'ml-' for ml-01, ml-02, … (default: from the file's name, "
                   "'questions.txt' -> questions-01; a prefix that reuses a bundled question's id is refused)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--no-model", action="store_true", help="rank cue phrases without the embedding model")
    p.set_defaults(func=cmd_rubric_derive)
    p = rsub.add_parser("review", help="show each draft concept, its cues and follow-up, and flag the weak ones")
    p.add_argument("path", metavar="FILE|DIR", help="a rubric file or a folder of them (e.g. the drafts)")
    p.set_defaults(func=cmd_rubric_review)
    p = rsub.add_parser("check", help="validate rubric files or folders")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, folders or bank names (default: the bank)")
    bank_option(p)
    p.set_defaults(func=cmd_rubric_check)
    p = rsub.add_parser("list", help="list the rubrics in the bank")
    bank_option(p)
    p.set_defaults(func=cmd_rubric_list)


def cmd_rubric_derive(args: argparse.Namespace) -> int:
    from interviewer.rubrics.derive import bank_info_for, derive_rubrics, write_bank_info, write_drafts
    from interviewer.scoring.factory import load_embedder

    source = Path(args.file)
    text = read_text(source, "question file")
    settings = load_settings()
    embedder = None if args.no_model else load_embedder(settings)  # the settings' backend (ONNX: no torch)
    from interviewer import locations
    from interviewer.rubrics.banks import bundled_banks
    from interviewer.rubrics.loader import load_bank

    reserved = {rubric_id for entry in bundled_banks() if entry.problem is None
                for rubric_id in load_bank(entry.folder)}

    def progress(n: int, total: int, question: str) -> None:
        print(printable(f"derive: question {n}/{total}: {clip(question, 60)}", one_line=True), file=sys.stderr,
              flush=True)

    rubrics = derive_rubrics(text, str(source), embedder, prefix=args.prefix, reserved=reserved, progress=progress)
    info = bank_info_for(source.name, args.prefix, len(rubrics), reserved={e.name for e in bundled_banks()})

    out = Path(args.out) if args.out else locations.data_dir() / "rubric-drafts"
    paths = write_drafts(rubrics, out, source.name, force=args.force)
    for rubric, path in zip(rubrics, paths, strict=True):
        concepts, claims = len(rubric.concepts), len(rubric.misconceptions)
        print(f"{path}: {concepts} concept{'s' * (concepts != 1)}, {claims} misconception draft{'s' * (claims != 1)}")
    written = write_bank_info(out, info)
    print(f"{written}: bank '{info.name}' ({info.title}); edit its name and title freely" if written else
          f"{out / 'bank.yaml'}: kept as it is (derive never overwrites a bank.yaml)")
    print(f"wrote {len(paths)} draft rubric{'s' * (len(paths) != 1)}; `interviewer rubric review {out}` shows what "
          f"to edit, then `interviewer rubric check {out}`")
    return 0


def cmd_rubric_review(args: argparse.Namespace) -> int:
    """Each rubric's concepts (label, cues, follow-up) and misconceptions (claim, correction), with ⚠ on the
    weak ones; a last line counts them. Exit 2 if a file is not a valid rubric (as ``check``)."""
    from interviewer.rubrics.review import review_rubric

    weak = total = 0
    files = rubric_files(Path(args.path))
    if not files:
        raise InputError(f"{args.path}: no rubric files (*.yaml) found")
    for path in files:
        rubric = load_rubric(path)
        print(printable(f"{rubric.id}  {rubric.question}  ({path})", one_line=True))
        for point in review_rubric(rubric):
            total += 1
            weak += bool(point.problems)
            mark = "⚠" if point.problems else " "
            if point.kind == "concept":
                print(printable(f"  {mark} {point.label}", one_line=True))
                print(printable(f"      cues: {', '.join(point.cues) or '(none)'}", one_line=True))
                print(printable(f"      follow-up: {point.follow_up}", one_line=True))
            else:
                print(printable(f"  {mark} wrong claim: {point.label}", one_line=True))
                print(printable(f"      correction: {point.follow_up}", one_line=True))
            for problem in point.problems:
                print(printable(f"      ⚠ {problem}", one_line=True))
        print()
    print(f"{weak} of {total} point(s) flagged in {len(files)} rubric(s)" +
          ("; edit them, then `interviewer rubric check`" if weak else ""))
    return 0


def cmd_rubric_check(args: argparse.Namespace) -> int:
    failures = 0
    checked = 0
    seen: dict[str, Path] = {}
    for target in args.paths or [str(settings_of(args).bank_dir())]:
        for path in rubric_files(_check_target(target)):
            checked += 1
            try:
                rubric = load_rubric(path)
            except InputError as exc:
                print(f"interviewer: error: {printable(exc.message, one_line=True)}", file=sys.stderr)
                for problem in getattr(exc, "problems", ())[1:]:  # the rest of this rubric's problems, one each
                    print(f"  also {printable(problem, one_line=True)}", file=sys.stderr)
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


def _check_target(target: str) -> Path:
    """What ``rubric check`` reads for PATH: the file or folder, else the bank of that name (as ``--bank``
    takes it: ``rubric check statistics``)."""
    path = Path(target)
    if path.exists() or path.is_symlink():
        return path
    from interviewer.rubrics.banks import available_banks, resolve_bank

    try:
        return resolve_bank(target)
    except InputError:
        names = ", ".join(e.name for e in available_banks())
        raise InputError(f"{target}: no such file or folder, and no bank of that name (banks: {names})") from None


def cmd_rubric_list(args: argparse.Namespace) -> int:
    bank = bank_of(settings_of(args))
    for rubric_id, rubric in bank.items():
        tags = f"  [{', '.join(rubric.tags)}]" if rubric.tags else ""
        print(printable(f"{rubric_id}  {rubric.question}{tags}", one_line=True))
    return 0
