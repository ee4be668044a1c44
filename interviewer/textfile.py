"""Reading a user's input: errors that name the file and say what to do, and a cap on what is read.

Where a file is expected, a folder says "is a folder", a link that leads nowhere says so, and a device
(``/dev/zero``, a terminal, a disk) or a socket is refused before anything is read. A pipe (``<(cmd)``) is
read like a file. No read is unbounded: each reads at most its limit and refuses what is longer, naming
the limit (``MAX_TEXT_BYTES`` for a whole file by default, ``MAX_ANSWER_BYTES`` for an answer). Limits are
module constants in bytes, written ``N * KIB`` or ``N * MIB``, and shown with ``size_text``.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from interviewer.errors import InputError

KIB = 1024
MIB = 1024 * KIB
MAX_TEXT_BYTES = 4 * MIB  # a whole text file (a rubric, a question file): hundreds of times any real one
MAX_ANSWER_BYTES = 256 * KIB  # one answer: about 40,000 words, 8 times what is graded (max_answer_words)


def size_text(limit: int) -> str:
    """A limit in bytes as people say it: "256 KiB", "4 MiB", "900 bytes"."""
    for unit, name in ((MIB, "MiB"), (KIB, "KiB")):
        if limit >= unit and limit % unit == 0:
            return f"{limit // unit} {name}"
    return f"{limit} bytes"


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("a folder", "a character device", …)."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device (a disk)"), (stat.S_ISFIFO, "a pipe (FIFO)"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def check_input_file(path: Path, what: str, error: type[InputError] = InputError, *,
                     pipes: bool = True) -> os.stat_result:
    """The ``stat`` of a file we are about to read; anything that is not a regular file (or, with ``pipes``, a
    pipe) raises ``error``."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise error(f"{path}: a link to {os.readlink(path)}, which does not exist ({what})") from None
        raise error(f"{path}: no such file ({what})") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error(f"{path}: a symbolic link that loops back on itself ({what})") from None
        raise error(f"{path}: cannot read the {what} ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{path}: is a folder; give the {what} file")
    if not (stat.S_ISREG(info.st_mode) or (pipes and stat.S_ISFIFO(info.st_mode))):
        raise error(f"{path}: {file_kind(info.st_mode)}, not a file; give the {what} file")
    return info


def read_capped(handle: BinaryIO, limit: int, where: str, what: str, error: type[InputError] = InputError) -> bytes:
    """At most ``limit`` bytes from ``handle``; more than that raises ``error`` naming the limit."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise error(f"{where}: the {what} is larger than {size_text(limit)}, the limit; shorten it")
    return data


def decode_utf8(data: bytes, where: str, what: str, error: type[InputError] = InputError) -> str:
    """``data`` as UTF-8 text; other bytes raise ``error`` saying where the first bad byte is."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{where}: not UTF-8 text (byte {exc.start}); save the {what} as UTF-8") from None


def read_text(path: Path, what: str, error: type[InputError] = InputError, *, limit: int = MAX_TEXT_BYTES) -> str:
    """The file's UTF-8 text (at most ``limit`` bytes); a missing, unreadable, oversized, non-UTF-8 or
    non-regular file (a folder, a device) raises ``error`` naming it."""
    check_input_file(path, what, error)
    try:
        with path.open("rb") as handle:
            data = read_capped(handle, limit, str(path), what, error)
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror})") from None
    return decode_utf8(data, str(path), what, error)


def check_text(text: str, where: str, what: str, error: type[InputError] = InputError,
               *, limit: int | None = None) -> str:
    """``text`` if it can be written out as UTF-8 (no stray surrogates from undecodable bytes) and, with
    ``limit``, is at most that many bytes; otherwise ``error``."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise error(f"{where}: not UTF-8 text (character {exc.start}); give the {what} as UTF-8") from None
    if limit is not None and size > limit:
        raise error(f"{where}: the {what} is larger than {size_text(limit)}, the limit; shorten it")
    return text
