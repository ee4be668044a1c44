"""What every command shares: the settings (with ``--bank``), the bank, the grader, and small argparse helpers."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewer.config import Settings, load_settings
from interviewer.rubrics.loader import Bank, load_bank

if TYPE_CHECKING:
    from interviewer.scoring.grader import Grader


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings (config file and environment), with the command's ``--bank`` and ``--recordings`` if it has
    them."""
    settings = load_settings()
    if getattr(args, "bank", None):
        settings = replace(settings, bank=bank_option_folder(args.bank))
    if getattr(args, "recordings", None):
        settings = replace(settings, recordings=recordings_folder(args.recordings))
    return settings


def bank_option_folder(value: str) -> Path:
    """The folder ``--bank VALUE`` names (``resolve_bank``); an unknown name says it was ``--bank``'s."""
    from interviewer.errors import InputError
    from interviewer.rubrics.banks import resolve_bank

    try:
        return resolve_bank(value)
    except InputError as exc:
        raise InputError(f"--bank {exc.message}") from None


def recordings_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--recordings", metavar="DIR", help="keep recordings in DIR, one folder per session "
                        "(default: the `recordings` setting, else recordings/ of a clone or of the data folder)")


def recordings_folder(text: str) -> Path:
    """A ``--recordings DIR`` value: a folder, or a path where one can be made (an existing file is an error)."""
    from interviewer.errors import InputError

    path = Path(text).expanduser()
    if not text.strip():
        raise InputError("--recordings: expected a folder, got an empty value")
    if path.exists() and not path.is_dir():
        raise InputError(f"--recordings: {path}: not a folder")
    return path


def bank_of(settings: Settings) -> Bank:
    return load_bank(settings.bank_dir())


def optional_bank(settings: Settings) -> Bank | None:
    """The bank for batch work: None when the default bank is absent; a missing ``--bank`` is an error."""
    if settings.bank is None and not settings.bank_dir().exists():
        return None
    return bank_of(settings)


def grader(settings: Settings, bank: Bank | None = None, calibration: Path | None = None) -> Grader:
    """The grader a command grades with: ``interviewer.cli._grader``, looked up when called.

    That is ``scoring.factory.make_grader``; the tests and ``benchmarks/soak.py`` replace it with a grader
    on a fake embedder, for every command at once.
    """
    import interviewer.cli

    return interviewer.cli._grader(settings, bank, calibration)  # type: ignore[no-any-return]


def bank_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bank", metavar="NAME|DIR", help="a bank's name (practical-ml, behavioural, statistics, or "
                        "one of yours in the data folder's banks/) or a folder of rubric files (default: practical-ml)")


def positive_int(text: str) -> int:
    """The argparse type of every number argument (a session number, ``--limit``): a whole number from 1 to
    SQLite's largest integer, so a number the database cannot hold is a usage error (one line, exit 2), never a
    traceback. A leading ``#`` is allowed, as the app lists sessions (``#12``)."""
    from interviewer.display import clip
    from interviewer.store.sqlite import MAX_ID

    digits = text.removeprefix("#")
    try:
        value = int(digits)
    except ValueError:  # not a number, or over Python's digit limit for int() (then too large)
        value = MAX_ID + 1 if digits.isascii() and digits.isdigit() else 0
    if not 1 <= value <= MAX_ID:
        largest = f" (the largest is {MAX_ID})" if value > MAX_ID else ""  # not said of 0, -3 or abc
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {clip(text, 30)!r}{largest}")
    return value


def fileno(stream: Any) -> int | None:
    """The descriptor behind ``stream``, or None (a stream in memory, as in tests)."""
    try:
        return int(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return None
