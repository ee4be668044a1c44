"""The report writer interface: each format is a ``ReportWriter`` subclass with a name and a file extension."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import ClassVar

from interviewer.errors import InputError
from interviewer.reports.model import Report


class ReportWriter:
    """Turns a ``Report`` into the text of one file format."""

    format: ClassVar[str]
    """The name used by ``--format``."""
    extension: ClassVar[str]
    """The file suffix, without the dot."""
    for_terminal: ClassVar[bool] = True
    """False for a format not meant to be read in a terminal: without ``-o`` it goes to a file, not stdout."""

    def __init__(self, link_base: Path | None = None) -> None:
        self.link_base = link_base
        """The folder the report will be written to: links to recordings are made relative to it."""

    def render(self, report: Report) -> str:
        raise NotImplementedError

    def write(self, report: Report, path: Path) -> None:
        write_atomically(path, self.render(report))


def audio_link(audio_path: str, link_base: Path | None) -> str:
    """A link to a recording: relative to the report's folder when it is below it, else a ``file://`` URI."""
    import os
    from urllib.parse import quote

    path = Path(audio_path).expanduser()
    if not path.is_absolute():
        return quote(path.as_posix())
    if link_base is not None:
        try:
            relative = Path(os.path.relpath(path, link_base.resolve()))
        except ValueError:
            relative = None
        if relative is not None and not relative.as_posix().startswith("../"):
            return quote(relative.as_posix())
    return path.as_uri()


def check_target(path: Path, force: bool, hint: str = "use --force to overwrite") -> None:
    """A file a report may be written to: not there yet (unless ``force``), not a folder, in a folder that exists."""
    if path.exists() and not force:
        raise InputError(f"{path}: already exists; {hint}")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise InputError(f"{path}: the folder {path.parent} does not exist")


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file next to ``path``, then rename: a failure never leaves half a report."""
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
