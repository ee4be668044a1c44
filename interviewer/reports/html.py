"""The HTML report: one self-contained file (inline CSS and SVG, no script, no external resource) that
reads well in a browser and prints cleanly (to paper or to PDF from the browser's print dialog).

The page is ``template.html`` filled with ``string.Template``; every piece of text that came from a user,
a rubric file or a batch record goes through ``html.escape`` (quotes included) before it is placed.
``string.Template`` substitutes once, so a ``$`` in an answer is never expanded.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib.resources import files
from string import Template

from interviewer.reports.base import ReportWriter, audio_link, audio_relpath
from interviewer.reports.charts import coverage_chart, score_chart
from interviewer.reports.markdown import score_text
from interviewer.reports.model import ConceptLine, Report, ReportItem, next_time_parts


def e(text: object) -> str:
    return escape(str(text), quote=True)


@cache
def _template() -> Template:
    return Template(files("interviewer.reports").joinpath("template.html").read_text(encoding="utf-8"))


def _block(text: str) -> str:
    return f"<blockquote>{e(text.strip())}</blockquote>" if text.strip() else '<p class="muted">(empty answer)</p>'


def _concept(c: ConceptLine) -> str:
    note = f", {e(c.note)}" if c.note else ""
    out = (f'<li class="{e(c.status)}"><span class="mark">{c.mark}</span><strong>{e(c.label)}</strong>'
           f" ({e(c.status)}{note})")
    if c.evidence:
        out += f': <span class="evidence">“{e(c.evidence)}”</span>'
    elif c.status == "missed" and c.statement:
        out += f'<br><span class="muted">The model answer says:</span> {e(c.statement)}'
    return out + "</li>"


class HtmlWriter(ReportWriter):
    format = "html"
    extension = "html"
    for_terminal = False

    def render(self, report: Report) -> str:
        return _template().substitute(
            title=e(report.title), subtitle=e(report.subtitle), summary=self._summary(report),
            score_chart=score_chart(report.items), coverage_chart=coverage_chart(report.items),
            practise=self._practise(report), items="\n".join(self._item(i, report.kind) for i in report.items))

    def _summary(self, report: Report) -> str:
        mean = "—" if report.mean is None else f"{report.mean:.1f}"
        rows = "".join(
            f'<tr><td>{i.number}</td><td><a href="#item-{i.number}">{e(self._name(i, report.kind))}</a></td>'
            f'<td>{e(i.question)}</td>'
            f'<td class="num">{e(score_text(i.score, i.max_score))}</td>'
            f'<td class="num">{i.covered_count} / {len(i.partial)} / {len(i.missed)}</td></tr>'
            for i in report.items)
        per_candidate = (f"<p>Mean score per candidate: {e(report.candidate_means_text())}</p>"
                         if report.candidate_means else "")
        counts = " · ".join(report.counts())
        return (f'<p><span class="big">{mean}</span> / 10 mean score · {counts}</p>{per_candidate}'
                '<table><thead><tr><th>#</th><th>from</th><th>question</th><th>score</th>'
                f"<th>covered / partial / missed</th></tr></thead><tbody>{rows}</tbody></table>")

    @staticmethod
    def _name(item: ReportItem, kind: str) -> str:
        """A session's question by its bank and id (the text is beside it); a batch item by its label."""
        return item.detail if kind == "session" else item.label

    def _practise(self, report: Report) -> str:
        items = "".join(f"<li>{e(p)}</li>" for p in report.practise_next) or \
            "<li>Nothing stands out: keep practising new questions.</li>"
        out = f"<ul>{items}</ul>"
        if report.strongest:
            out += "<p><strong>Strongest points:</strong> " + "; ".join(e(s) for s in report.strongest) + "</p>"
        return out

    def _item(self, item: ReportItem, kind: str) -> str:
        noun = "Question" if kind == "session" else "Answer"
        out = [f'<section class="question" id="item-{item.number}">',
               f"<h2>{noun} {item.number}: {e(self._name(item, kind))}</h2>", f"<p><strong>{e(item.question)}</strong></p>"]
        if item.answer is None:
            out.append('<p class="muted">Not answered.</p></section>')
            return "\n".join(out)
        out.append(f"<h3>{'Transcript' if item.mode == 'voice' else 'Answer'}</h3>")
        if item.audio_path:
            href = e(audio_link(item.audio_path, self.link_base))
            out.append(f'<p>Recording: <a href="{href}">{e(audio_relpath(item.audio_path, self.link_base))}</a></p>'
                       f'<audio controls preload="none" src="{href}"></audio>')
        out.append(_block(item.answer))
        out.append(f'<h3>Score: <span class="score">{e(score_text(item.score, item.max_score))}</span></h3>')
        if item.summary:
            out.append(f"<p>{e(item.summary)}</p>")
        out += [f'<p class="wrong">warning: {e(w)}</p>' for w in item.warnings]
        if item.concepts:
            out.append("<h3>Concepts</h3><ul>" + "".join(_concept(c) for c in item.concepts) + "</ul>")
        if item.wrong_claims:
            claims = "".join(
                f'<li><span class="wrong">✘ {e(c.claim)}</span>'
                + (f' <span class="muted">(you said: <span class="evidence">“{e(c.evidence)}”</span>)</span>' if c.evidence else "")
                + f"<br><strong>Correct:</strong> {e(c.correction)}"
                + (f' <span class="muted">(−{c.points_off:.1f} points)</span>' if c.points_off else "") + "</li>"
                for c in item.wrong_claims)
            out.append(f"<h3>Wrong claims</h3><ul>{claims}</ul>")
        if item.follow_ups:
            rows = "".join(f"<li><strong>{e(f.question)}</strong> ({e(score_text(f.score))})" + _block(f.answer) + "</li>"
                           for f in item.follow_ups)
            out.append(f"<h3>Follow-ups</h3><ul>{rows}</ul>")
        if item.delivery:
            d = item.delivery
            pace = "too short to measure" if d.words_per_minute is None else f"{d.words_per_minute:.0f} words/min ({d.pace})"
            fillers = ", ".join(f"{f} ×{n}" for f, n in d.fillers) or "none"
            out.append(f"<h3>Delivery</h3><ul><li>Pace: {e(pace)}</li>"
                       f"<li>Fillers: {e(fillers)} ({d.fillers_per_100_words:.1f} per 100 words)</li>"
                       f"<li>Long pauses: {d.long_pauses} (longest {d.longest_pause:.1f} s)</li>"
                       + "".join(f"<li>→ {e(s)}</li>" for s in d.suggestions) + "</ul>")
        if item.next_time:
            label, rest = next_time_parts(item.next_time)
            out.append(f"<p><strong>{e(label)}</strong> {e(rest)}</p>")
        if item.model_answer:
            out.append(f"<h3>Model answer</h3>{_block(item.model_answer)}")
        out.append("</section>")
        return "\n".join(out)
