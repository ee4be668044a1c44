"""The ``interviewer`` command line: the parser, built from each command module's ``add_parsers``, and ``main``.

Commands: ``practice`` (also the default), ``resume``, ``report``, ``history`` (``session_commands``);
``grade`` (typed or ``--audio``), ``grade-batch``, ``eval`` (``grading_commands``); ``devices``, ``record``,
``transcribe`` (``speech_commands``); ``rubric derive|check|list`` (``rubric_commands``).
Every error a user can cause prints one line, ``interviewer: error: …``, and exits non-zero (2 for bad
input); nothing here prints a traceback for those.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from interviewer import __version__
from interviewer.cli import grading_commands, rubric_commands, session_commands, speech_commands
from interviewer.cli.common import fileno
from interviewer.display import printable
from interviewer.errors import EXIT_RUNTIME, InterviewerError
from interviewer.outfile import write_error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interviewer",
        description="Offline mock interviewer: practise technical questions and get graded by meaning.",
    )
    parser.add_argument("--version", action="version", version=f"interviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    session_commands.add_practice_parser(sub)
    grading_commands.add_parsers(sub)
    speech_commands.add_parsers(sub)
    rubric_commands.add_parsers(sub)
    session_commands.add_parsers(sub)
    return parser


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
        fd = fileno(self._stream)
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
