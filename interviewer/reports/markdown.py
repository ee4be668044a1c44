"""The Markdown report: readable as plain text, and renders well on GitHub or in any Markdown viewer.

The candidate's text is escaped for Markdown (``*``, ``_``, ``<``, backticks…), so an answer can neither
break the layout nor smuggle HTML into a viewer that renders it.
"""

from __future__ import annotations

import re

from interviewer.display import clip
from interviewer.reports.base import ReportWriter, audio_link, audio_relpath
from interviewer.reports.model import ConceptLine, Report, ReportItem, next_time_parts

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!])")


def md(text: str) -> str:
    """Text escaped for Markdown, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def quote_block(text: str) -> str:
    """A block quote keeping the paragraphs of ``text``."""
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", text.strip()) if p.strip()]
    return "\n>\n".join(f"> {md(p)}" for p in paragraphs) if paragraphs else "> _(empty)_"


def score_text(score: float | None, max_score: float = 10.0) -> str:
    return "not graded" if score is None else f"{score:.1f} / {max_score:.0f}"


def _concept(c: ConceptLine) -> str:
    line = f"- {c.mark} **{md(c.label)}** ({c.status}{', ' + c.note if c.note else ''})"
    if c.evidence:
        line += f": “{md(c.evidence)}”"
    elif c.status == "missed" and c.statement:
        line += f". The model answer says: {md(c.statement)}"
    return line


class MarkdownWriter(ReportWriter):
    format = "md"
    extension = "md"

    def render(self, report: Report) -> str:
        out = [f"# {md(report.title)}", "", f"_{md(report.subtitle)}_", "", "## Summary", ""]
        mean = "no answers graded" if report.mean is None else f"**{report.mean:.1f} / 10**"
        out.append(f"- Mean score: {mean} ({', '.join(report.counts())})")
        if report.candidate_means:
            out.append(f"- Mean score per candidate: {md(report.candidate_means_text())}")
        first = "question" if report.kind == "session" else "id"
        out += ["", f"| # | {first} | score | covered | partial | missed |", "|---|---|---|---|---|---|"]
        for item in report.items:
            name = f"{clip(item.question, 70)} ({item.detail})" if report.kind == "session" else item.label
            out.append(f"| {item.number} | {md(name)} | {score_text(item.score, item.max_score)} | "
                       f"{item.covered_count} | {len(item.partial)} | {len(item.missed)} |")
        out.append("")
        if report.strongest:
            out += ["**Strongest points:** " + "; ".join(md(s) for s in report.strongest), ""]
        out += ["## What to practise next", ""]
        out += [f"- {md(p)}" for p in report.practise_next] or ["- Nothing stands out: keep practising new questions."]
        out.append("")
        for item in report.items:
            out += self._item(item, report.kind)
        return "\n".join(out).rstrip() + "\n"

    def _item(self, item: ReportItem, kind: str) -> list[str]:
        noun = "Question" if kind == "session" else "Answer"
        name = item.detail if kind == "session" else item.label
        out = [f"## {noun} {item.number}: {md(name)}", "", f"**{md(item.question)}**", ""]
        if item.answer is None:
            return out + ["_Not answered._", ""]
        heading = "Transcript" if item.mode == "voice" else "Answer"
        out += [f"### {heading}", ""]
        if item.audio_path:
            shown = md(audio_relpath(item.audio_path, self.link_base))
            out += [f"Recording: [{shown}](<{audio_link(item.audio_path, self.link_base)}>)", ""]
        out += [quote_block(item.answer), ""]
        out += [f"### Score: {score_text(item.score, item.max_score)}", ""]
        if item.summary:
            out += [md(item.summary), ""]
        out += [f"- warning: {md(w)}" for w in item.warnings] + ([""] if item.warnings else [])
        if item.concepts:
            out += ["### Concepts", ""] + [_concept(c) for c in item.concepts] + [""]
        if item.wrong_claims:
            out += ["### Wrong claims", ""]
            for claim in item.wrong_claims:
                said = f" (you said: “{md(claim.evidence)}”)" if claim.evidence else ""
                cost = f" (−{claim.points_off:.1f} points)" if claim.points_off else ""
                out.append(f"- ✘ {md(claim.claim)}{said} **Correct:** {md(claim.correction)}{cost}")
            out.append("")
        if item.follow_ups:
            out += ["### Follow-ups", ""]
            for f in item.follow_ups:
                out.append(f"- **{md(f.question)}** ({score_text(f.score)}): {md(f.answer) or '_(no answer)_'}")
            out.append("")
        if item.delivery:
            d = item.delivery
            pace = "too short to measure" if d.words_per_minute is None else f"{d.words_per_minute:.0f} words/min ({d.pace})"
            fillers = ", ".join(f"{md(f)} ×{n}" for f, n in d.fillers) or "none"
            out += ["### Delivery", "", f"- Pace: {pace}", f"- Fillers: {fillers} ({d.fillers_per_100_words:.1f} per 100 words)",
                    f"- Long pauses: {d.long_pauses} (longest {d.longest_pause:.1f} s)"]
            out += [f"- → {md(s)}" for s in d.suggestions] + [""]
        if item.next_time:
            label, rest = next_time_parts(item.next_time)
            out += [f"**{label}** {md(rest)}", ""]
        if item.model_answer:
            out += ["### Model answer", "", quote_block(item.model_answer), ""]
        return out
