"""Feedback reports of a practice session or of grade-batch output: Markdown, self-contained HTML and JSON.

A report is built once (``session_report``, ``batch_report``, in ``model`` and ``batch``) and handed to a
writer picked by format name with ``get_writer``; every writer reads the same ``Report``, so the formats
agree. PDF is not offered: every route to it (WeasyPrint, a LaTeX toolchain, a headless browser) is a heavy
dependency; the HTML report prints cleanly to PDF from any browser instead.
"""

from __future__ import annotations

from pathlib import Path

from interviewer.errors import InputError
from interviewer.reports.base import ReportWriter, check_target, write_atomically
from interviewer.reports.batch import batch_report
from interviewer.reports.html import HtmlWriter
from interviewer.reports.jsonfile import JsonWriter
from interviewer.reports.markdown import MarkdownWriter
from interviewer.reports.model import Report, session_report
from interviewer.rubrics.loader import Bank
from interviewer.store import Store

WRITERS: dict[str, type[ReportWriter]] = {w.format: w for w in (MarkdownWriter, HtmlWriter, JsonWriter)}
FORMATS = tuple(WRITERS)
_ALIASES = {"markdown": "md", "htm": "html"}


def get_writer(fmt: str, link_base: Path | None = None) -> ReportWriter:
    """The writer for ``fmt`` ("md", "html" or "json"); an unknown format is a one-line error listing them."""
    name = _ALIASES.get(fmt.lower(), fmt.lower())
    if name not in WRITERS:
        raise InputError(f"unknown report format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    return WRITERS[name](link_base)


PLAIN_SUFFIXES = ("", "txt")
"""Suffixes that imply no format (the caller's default, Markdown, which is plain text)."""


def format_for_path(path: Path) -> str | None:
    """The format a file name implies (``report.html`` → "html"), or None (no suffix, or ``.txt``). Any other
    suffix is a one-line error: a file named ``report.pdf`` that holds Markdown would mislead whoever opens it."""
    suffix = path.suffix.lower().lstrip(".")
    name = _ALIASES.get(suffix, suffix)
    if name in WRITERS:
        return name
    if suffix in PLAIN_SUFFIXES:
        return None
    raise InputError(f"{path}: cannot tell the report format from {path.suffix!r}; end the name in .md, .html "
                     "or .json (or .txt for Markdown)")


def export_session(store: Store, session_id: int, path: Path, bank: Bank | None = None, *, fmt: str | None = None,
                   force: bool = False, copy_audio: bool = False) -> Path:
    """Write session ``session_id``'s report to ``path`` (format from ``fmt``, else the suffix, else Markdown);
    an existing file is an error unless ``force``; ``copy_audio`` puts the recordings beside it
    (``recordings.copy_recordings``). For the app's export button; the CLI adds stdout and temp files."""
    check_target(path, force, hint="choose another name")
    writer = get_writer(fmt or format_for_path(path) or "md", path.parent)
    report = session_report(store.session(session_id), bank)
    if copy_audio:
        from interviewer.reports.recordings import copy_recordings

        report, _ = copy_recordings(report, path)
    writer.write(report, path)
    return path


__all__ = ["FORMATS", "Report", "ReportWriter", "batch_report", "check_target", "export_session", "format_for_path", "get_writer",
           "session_report", "write_atomically"]
