"""Inline SVG charts for the HTML report: score per question, and concept coverage per question.

Plain SVG text, no script and no external resource, so the report stays one self-contained file that
prints. Every label is escaped (question labels come from rubric files and batch records).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from interviewer.display import clip
from interviewer.reports.model import ReportItem

BAR = 26  # width of one bar, px
GAP = 10
HEIGHT = 160  # plot height for a 10/10 score
LEFT = 34  # room for the axis labels
ROW = 22  # height of one coverage row
LABEL_WIDTH = 92  # at least, for the coverage chart's labels
COVERAGE_WIDTH = 420
LABEL_CHARS = 20  # labels are cut to this many characters (with "…")
CHAR_PX = 6.6  # an 11 px sans-serif character is at most about this wide on average: room is made for the labels
SIN_60 = 0.87  # the score chart's labels are rotated by 60°
COLOURS = {"covered": "#2e7d32", "partial": "#f9a825", "missed": "#c62828", "none": "#9e9e9e"}


def _score_colour(score: float) -> str:
    return COLOURS["covered"] if score >= 7 else COLOURS["partial"] if score >= 4 else COLOURS["missed"]


def score_chart(items: Sequence[ReportItem]) -> str:
    """Bars of score (0–10) per item, with the value above each bar and the label below it."""
    labels = [clip(item.label, LABEL_CHARS) for item in items]
    longest = max((len(label) for label in labels), default=0) * CHAR_PX
    width = LEFT + len(items) * (BAR + GAP) + GAP + int(longest / 2) + 12  # room for the last rotated label
    bottom = 16 + HEIGHT
    room = int(longest * SIN_60) + 20  # below the axis, for the rotated labels
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}"'
             f' height="{bottom + room}" viewBox="0 0 {width} {bottom + room}"><title>Score per question</title>']
    for tick in (0, 5, 10):
        y = bottom - HEIGHT * tick / 10
        parts.append(f'<line x1="{LEFT - 4}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc" stroke-width="1"/>'
                     f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick}</text>')
    for n, item in enumerate(items):
        x = LEFT + GAP + n * (BAR + GAP)
        label = escape(labels[n])
        if item.score is None:
            parts.append(f'<text x="{x + BAR / 2}" y="{bottom - 4}" text-anchor="middle" font-size="10">–</text>')
        else:
            h = HEIGHT * max(0.0, min(item.score, 10.0)) / 10
            parts.append(f'<rect x="{x}" y="{bottom - h:.1f}" width="{BAR}" height="{h:.1f}" fill="{_score_colour(item.score)}">'
                         f'<title>{escape(item.label)}: {item.score:.1f}/10</title></rect>'
                         f'<text x="{x + BAR / 2}" y="{bottom - h - 4:.1f}" text-anchor="middle" font-size="10">'
                         f'{item.score:.1f}</text>')
        parts.append(f'<text transform="translate({x + BAR / 2 + 4},{bottom + 8}) rotate(60)" font-size="11">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def coverage_chart(items: Sequence[ReportItem]) -> str:
    """One bar per graded item split into the share of concept weight covered, partial and missed."""
    graded = [i for i in items if i.concepts]
    height = ROW * len(graded) + 30
    longest = max((len(clip(i.label, LABEL_CHARS)) for i in graded), default=0)
    label_width = max(LABEL_WIDTH, int(longest * CHAR_PX) + 12)
    width = label_width + COVERAGE_WIDTH + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}"'
             f' viewBox="0 0 {width} {height}"><title>Concept coverage per question</title>']
    for n, item in enumerate(graded):
        y = n * ROW + 4
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" font-size="11">'
                     f'{escape(clip(item.label, LABEL_CHARS))}</text>')
        x = float(label_width)
        for status, share in zip(("covered", "partial", "missed"), item.coverage(), strict=True):
            if share <= 0:
                continue
            w = COVERAGE_WIDTH * share
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW - 6}" fill="{COLOURS[status]}">'
                         f'<title>{escape(item.label)}: {share:.0%} {status}</title></rect>')
            x += w
    legend_y = ROW * len(graded) + 18
    x = label_width
    for status in ("covered", "partial", "missed"):
        parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{COLOURS[status]}"/>'
                     f'<text x="{x + 14}" y="{legend_y}" font-size="11">{status}</text>')
        x += 80
    parts.append("</svg>")
    return "".join(parts)
