"""Recordings beside a report (``--copy-audio``): a report shared as a folder keeps its audio playable.

Reports link recordings relative to the report's own folder (``base.audio_relpath``), never by absolute path;
copying them into ``<report name>-recordings/`` beside the report makes those links short and portable.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from interviewer.errors import InputError
from interviewer.reports.model import Report


def recordings_folder(report_path: Path) -> Path:
    """Where ``--copy-audio`` puts a report's recordings: ``report-recordings/`` beside ``report.html``."""
    return report_path.parent / f"{report_path.stem}-recordings"


def copy_recordings(report: Report, report_path: Path) -> tuple[Report, tuple[str, ...]]:
    """(the report linking copies of its recordings beside ``report_path``, notes on recordings not found).

    Each copy is named by its question (``q2-answer-….wav``), so recordings of the same name from different
    folders do not overwrite each other; copying again replaces the copies. A recording that is gone keeps
    its link and gets a note; a copy that cannot be written is an ``InputError`` naming the file."""
    folder = recordings_folder(report_path)
    items, notes = [], []
    for item in report.items:
        source = Path(item.audio_path).expanduser() if item.audio_path else None
        if source is None or not source.is_file():
            if source is not None:
                notes.append(f"question {item.number}: recording {source.name} not found; not copied")
            items.append(item)
            continue
        target = folder / f"q{item.number}-{source.name}"
        try:
            folder.mkdir(exist_ok=True)
            shutil.copyfile(source, target)
        except OSError as exc:
            raise InputError(f"{target}: cannot copy the recording ({exc.strerror})") from None
        items.append(replace(item, audio_path=str(target.resolve())))
    return replace(report, items=tuple(items)), tuple(notes)
