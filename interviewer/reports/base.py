"""The report writer interface: each format is a ``ReportWriter`` subclass with a name and a file extension."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from interviewer.outfile import check_output, write_output
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
    """A link to a recording, URL-quoted: ``audio_relpath`` of it."""
    from urllib.parse import quote

    return quote(audio_relpath(audio_path, link_base))


def audio_relpath(audio_path: str, link_base: Path | None) -> str:
    """Where a recording is, relative to the report's folder ``link_base`` (None: the current folder), as a
    POSIX path: ``session-3/answer-1.wav`` beside the report, ``../recordings/session-3/answer-1.wav`` elsewhere.
    Never absolute (a shared report must not show the user's folders): a recording on another drive, where
    no relative path exists, is named by its file name alone."""
    import os

    path = Path(audio_path).expanduser()
    if not path.is_absolute():
        return path.as_posix()
    try:
        return Path(os.path.relpath(path, (link_base or Path.cwd()).resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path
        return path.name


def check_target(path: Path, force: bool, hint: str = "use --force to overwrite") -> None:
    """A file a report may be written to (``interviewer.outfile.check_output``): not there yet (unless ``force``),
    not a folder, a disk or a socket, in a folder that exists. A device or FIFO is written straight."""
    check_output(path, force=force, hint=hint)


def write_atomically(path: Path, text: str) -> None:
    """Write a report (``interviewer.outfile.write_output``): a file through a temporary file and a rename, so a
    failure never leaves half a report; a device or FIFO straight, never replaced by a plain file."""
    write_output(path, text)
