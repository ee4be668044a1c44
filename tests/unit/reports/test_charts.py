"""The HTML report's charts make room for their labels (a coach's trial: rotated labels ran off the bottom of
the score chart, and the coverage chart's labels off its left edge)."""

from __future__ import annotations

import re

from interviewer.reports.charts import CHAR_PX, LABEL_CHARS, coverage_chart, score_chart
from interviewer.reports.model import ConceptLine, ReportItem


def _item(number: int, label: str) -> ReportItem:
    concept = ConceptLine("point", "A point", "covered", 1.0, None, "A point stated.")
    return ReportItem(number, label, f"q{number:02d}", "A question?", "An answer.", score=5.0, concepts=(concept,))


def _size(svg: str) -> tuple[int, int]:
    found = re.search(r'<svg [^>]*width="(\d+)" height="(\d+)"', svg)
    assert found, svg[:200]
    return int(found.group(1)), int(found.group(2))


def test_long_labels_get_room_in_both_charts() -> None:
    short = [_item(1, "q01"), _item(2, "q02")]
    long = [_item(1, "alice-q10-excellent-answer"), _item(2, "bob-q03-excellent")]
    assert _size(score_chart(long))[1] > _size(score_chart(short))[1]  # taller: the rotated labels fit below
    assert _size(coverage_chart(long))[0] >= LABEL_CHARS * CHAR_PX  # wider: the labels fit left of the bars
    assert "alice-q10-excellent…" in score_chart(long) and "bob-q03-excellent" in coverage_chart(long)
    label_x = float(re.search(r'<text x="([\d.]+)" y="\d+" text-anchor="end"', coverage_chart(long)).group(1))
    assert label_x >= len("alice-q10-excellent…") * CHAR_PX  # the right-aligned label starts inside the chart
