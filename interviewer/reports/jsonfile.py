"""The JSON report: the whole ``Report`` as one object, for other tools (a dashboard, a spreadsheet)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from interviewer.reports.base import ReportWriter
from interviewer.reports.model import Report

SCHEMA = "interviewer-report/1"


def report_dict(report: Report) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    for item, raw in zip(data["items"], report.items, strict=True):
        item["coverage"] = dict(zip(("covered", "partial", "missed"), (round(x, 3) for x in raw.coverage())))
    return {"schema": SCHEMA, **data}


class JsonWriter(ReportWriter):
    format = "json"
    extension = "json"

    def render(self, report: Report) -> str:
        return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
