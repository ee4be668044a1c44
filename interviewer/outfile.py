"""Writing a user's output file without ever clobbering the wrong thing: one helper for every writer.

Reports (``report -o``, the app's export), ``grade-batch -o``, ``record -o`` and ``rubric derive`` all check
their target with ``check_output`` and write with ``write_output`` or ``open_output``. The rules:

- **A regular file, or a new one**, is written to a temporary file beside it and renamed over it
  (``write_output``), so a failure leaves the old file or the new one, never half. A symbolic link is
  followed: the file it points to is replaced and the link kept. An existing file needs ``force``.
- **A character device or a FIFO** (``/dev/null``, ``/dev/stdout``, a terminal, a named pipe) is written
  straight, never renamed over: replacing it would put a plain file where the device was (as root,
  ``/dev/null`` itself). Writing to it overwrites nothing, so it needs no ``force``. A writer that needs
  a seekable file (a WAV recording, rubric drafts) passes ``streams=False`` and refuses them instead.
- **A folder, a block device (a disk) or a socket** is refused.
- **The same file as an input** (a hard link, a symlink, another spelling) is refused: compared by device
  and inode, not by path.
- ``-`` means stdout where a command offers it (the caller decides; see ``is_stdout``).

Errors are one line naming the file: a target that cannot be used is an ``InputError`` (exit 2); a write
that fails midway (a full disk) is an ``InterviewerError`` (exit 1) that says the old file was kept.

Cache files (rubric embeddings, the lemma lexicon, synthesised speech) are written the same way, whole or not
at all, by ``save_cache_file``; a cache is an optimisation, so failing to write one is no error at all.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Literal, TextIO

from interviewer.errors import EXIT_RUNTIME, InputError, InterviewerError
from interviewer.textfile import file_kind

STDOUT = "-"  # the name that means standard output, for the commands that offer it
NEW_FILE_MODE = 0o644  # a new report or draft: readable by others, like any file the user saves

Kind = Literal["new", "file", "stream"]
"""What a target is: not there yet, a regular file (write through a temp file), or a device/FIFO (write straight)."""


def is_stdout(name: str | os.PathLike[str] | None) -> bool:
    return name is not None and os.fspath(name) == STDOUT


def disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def write_error(path: Path | str, exc: OSError, kept: bool = True) -> InterviewerError:
    """The one-line error of a write that failed midway (exit 1)."""
    why = "the disk is full" if disk_full(exc) else (exc.strerror or str(exc))
    note = f"; {path} was left as it was" if kept else ""
    return InterviewerError(f"{path}: cannot write: {why}{note}", exit_code=EXIT_RUNTIME)


def output_kind(path: Path, *, streams: bool = True) -> Kind:
    """What ``path`` is as a target; a folder, a disk, a socket, a link loop (or, without ``streams``, a
    device or FIFO) is an ``InputError``."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "new"  # also a link to a file not there yet: it is created where the link points
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path}: a symbolic link that loops back on itself; give a file name") from None
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    if stat.S_ISREG(info.st_mode):
        return "file"
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder; give a file name")
    if streams and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        return "stream"
    refused = "; give a regular file" if streams else "; this output must be a regular file"
    raise InputError(f"{path}: {file_kind(info.st_mode)}, not a file{refused}")


def same_file(a: Path | int | None, b: Path) -> bool:
    """True if ``a`` (a path or an open descriptor; None: no file) and ``b`` are one file (same device and inode)."""
    if a is None:
        return False
    try:
        first = os.fstat(a) if isinstance(a, int) else a.stat()
        second = b.stat()
    except (OSError, ValueError):
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def free_path(path: Path) -> Path:
    """``path``, or when a file of that name exists the first free ``name-2.ext``, ``name-3.ext``… beside it (a
    name to offer, not to write without checking: the file may appear before it is written)."""
    candidate, number = path, 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def check_output(path: Path, *, force: bool, inputs: Sequence[Path] = (), streams: bool = True,
                 hint: str = "use --force to overwrite") -> Kind:
    """Check a target before any work is done; returns its kind. Refuses a folder, a disk, a socket, a
    file that is one of ``inputs``, an existing regular file without ``force``, a missing folder."""
    kind = output_kind(path, streams=streams)
    for source in inputs:
        if same_file(source, path):
            raise InputError(f"{path}: is the input file {source}; write the output to another file")
    if kind == "file" and not force:
        raise InputError(f"{path}: already exists; {hint}")
    if kind == "new":
        folder = _real(path).parent
        if not folder.is_dir():
            raise InputError(f"{path}: the folder {folder} does not exist")
    return kind


def _real(path: Path) -> Path:
    """Where writing ``path`` lands: symlinks followed (a link is kept, its file replaced)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def write_output(path: Path, text: str, *, streams: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path``: a regular or new file through a temp file and a rename, a device or
    FIFO straight. Call ``check_output`` first; this checks the kind again (it may have changed)."""
    if output_kind(path, streams=streams) == "stream":
        with open_output(path) as handle:
            handle.write(text)
        return
    target = _real(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = NEW_FILE_MODE
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        if disk_full(exc):
            raise write_error(path, exc) from None
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@contextmanager
def open_output(path: Path) -> Iterator[TextIO]:
    """``path`` opened for writing text straight (truncated), for output streamed as it is made (grade-batch
    keeps each graded line even if it is stopped). Call ``check_output`` first. A failed write is one line."""
    try:
        handle = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed below, errors turned into one line)
    except OSError as exc:
        if disk_full(exc):
            raise write_error(path, exc) from None
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with handle:
            yield handle
    except OSError as exc:
        if exc.filename is not None:  # not a write to this handle: someone else's error
            raise
        raise write_error(path, exc, kept=False) from None


def save_cache_file(path: Path, write: Callable[[Path], object]) -> bool:
    """Write a cache file whole or not at all: ``write(temp)`` writes a temporary file beside ``path`` (named for
    this process and thread, so two writers never share one, and ending in ``path``'s suffix, as ``numpy.save``
    wants), which then replaces ``path``. A cache only saves time, so a read-only or full disk is no error:
    False. No temporary file is left behind, whatever ``write`` raises."""
    temp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(temp)
        os.replace(temp, path)
        return True
    except OSError:
        return False
    finally:  # whatever ``write`` raised (ctrl+c too); once replaced, the temporary name is gone already
        with suppress(OSError):
            temp.unlink(missing_ok=True)
