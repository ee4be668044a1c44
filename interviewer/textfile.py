"""Reading a user's text file with errors that name the file and say what to do."""

from __future__ import annotations

from pathlib import Path

from interviewer.errors import InputError


def read_text(path: Path, what: str, error: type[InputError] = InputError) -> str:
    """The file's UTF-8 text; a missing, unreadable or non-UTF-8 file raises ``error`` naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file ({what})") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start}); save the {what} as UTF-8") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror})") from None
