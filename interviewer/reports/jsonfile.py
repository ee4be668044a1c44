"""The JSON report: the whole ``Report`` as one object, for other tools (a dashboard, a spreadsheet)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from interviewer.reports.base import ReportWriter, audio_relpath
from interviewer.reports.model import Report

SCHEMA = "interviewer-report/1"


def report_dict(report: Report, link_base: Path | None = None) -> dict[str, Any]:
    """The report as JSON data; recordings as paths relative to ``link_base`` (the report's folder)."""
    data = dataclasses.asdict(report)
    for item, raw in zip(data["items"], report.items, strict=True):
        if raw.audio_path:
            item["audio_path"] = audio_relpath(raw.audio_path, link_base)
        item["coverage"] = dict(zip(("covered", "partial", "missed"), (round(x, 3) for x in raw.coverage())))
    return {"schema": SCHEMA, **data}


class JsonWriter(ReportWriter):
    format = "json"
    extension = "json"

    def render(self, report: Report) -> str:
        return json.dumps(report_dict(report, self.link_base), indent=2, ensure_ascii=False) + "\n"
