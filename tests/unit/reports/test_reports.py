"""Reports: each writer's output, escaping of hostile text, batch reports, the CLI, and a real browser."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.errors import InputError
from interviewer.reports import (
    FORMATS,
    batch_report,
    format_for_path,
    get_writer,
    session_report,
)
from interviewer.rubrics import load_bank
from interviewer.store import Store
from tests.report_support import (
    DELIVERY,
    GOOD_SCALING,
    HOSTILE,
    WEAK_LEAKAGE,
    graded_session,
    hostile_bank,
    poisoned,
)

pytestmark = pytest.mark.usefixtures("fake_cli_grader")  # every command grades with the HashingEmbedder


class Page(HTMLParser):
    """Every tag with its attributes, the text, and the text of <script> elements."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def all_text(self) -> str:
        return "".join(self.text)


@pytest.fixture
def session_db(fixture_bank: Path, tmp_path: Path) -> tuple[Path, Path, int]:
    db = tmp_path / "s.db"
    voice = {"audio_path": str(tmp_path / "rec" / "answer 1.wav"), "delivery": DELIVERY,
             "transcript": {"text": GOOD_SCALING, "segments": [], "language": "en", "duration": 21.0}}
    sid = graded_session(db, fixture_bank, {"scaling": GOOD_SCALING, "leakage": WEAK_LEAKAGE}, voice=voice,
                         follow_up=True)
    return db, fixture_bank, sid


def _report(session_db: tuple[Path, Path, int]):  # type: ignore[no-untyped-def]
    db, bank_dir, sid = session_db
    with Store(db) as store:
        return session_report(store.session(sid), load_bank(bank_dir))


def test_registry_knows_each_format_and_refuses_others() -> None:
    assert FORMATS == ("md", "html", "json")
    for fmt in FORMATS:
        assert get_writer(fmt).extension == fmt
    assert get_writer("markdown").format == "md"
    with pytest.raises(InputError, match="unknown report format 'pdf'; expected one of: md, html, json"):
        get_writer("pdf")
    assert format_for_path(Path("a/report.HTML")) == "html" and format_for_path(Path("r.txt")) is None
    assert format_for_path(Path("report")) is None  # no suffix: the caller's default (Markdown)
    # a report.pdf holding Markdown would mislead whoever opens it
    with pytest.raises(InputError, match=r"^r\.pdf: cannot tell the report format from '\.pdf'; end the name in "
                                         r"\.md, \.html or \.json"):
        format_for_path(Path("r.pdf"))


def test_json_report_holds_every_part_of_every_question(session_db) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(get_writer("json").render(_report(session_db)))
    assert data["schema"] == "interviewer-report/1" and data["meta"]["session"] == session_db[2]
    first, second = data["items"]
    assert first["rubric_id"] == "scaling" and first["answer"] == GOOD_SCALING and first["mode"] == "voice"
    assert first["audio_path"].endswith("answer 1.wav") and first["delivery"]["words_per_minute"] == 144.0
    assert 0 <= first["score"] <= 10 and first["model_answer"].startswith("Feature scaling puts features")
    assert {c["status"] for c in first["concepts"]} <= {"covered", "partial", "missed"}
    assert any(c["evidence"] for c in first["concepts"] if c["status"] == "covered")
    assert first["wrong_claims"] and "training split only" in first["wrong_claims"][0]["correction"]
    assert first["follow_ups"] and first["follow_ups"][0]["answer"].startswith("My follow-up answer.")
    assert abs(sum(first["coverage"].values()) - 1) < 0.01
    assert second["score"] < first["score"]
    assert data["mean"] == round((first["score"] + second["score"]) / 2, 1)
    assert any("leakage" in p for p in data["practise_next"])


def test_markdown_report_has_its_sections(session_db) -> None:  # type: ignore[no-untyped-def]
    text = get_writer("md").render(_report(session_db))
    lines = text.splitlines()
    assert lines[0] == f"# Interview practice: session {session_db[2]}"
    for heading in ("## Summary", "## What to practise next", "## Question 1: bank · scaling", "## Question 2: bank · leakage",
                    "### Transcript", "### Answer", "### Concepts", "### Wrong claims", "### Follow-ups",
                    "### Delivery", "### Model answer"):
        assert heading in lines, heading
    assert "| 1 | How do you approach feature scaling and when is it necessary? (bank · scaling) |" in text
    assert "_2026-11-30 08:15 · typed answers · bank bank · finished_" in lines or "· bank bank ·" in text
    assert "Recording: [" in text and "answer%201.wav" in text
    assert "- Pace: 144 words/min (good)" in text and "basically ×2" in text


def test_html_report_is_self_contained_with_two_charts(session_db) -> None:  # type: ignore[no-untyped-def]
    page = Page(get_writer("html").render(_report(session_db)))
    assert [name for name, _ in page.tags].count("svg") == 2
    assert len(page.named("rect")) >= 4  # score bars and coverage segments
    assert not page.named("script") and not page.named("link") and not page.named("img")
    for _, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), value
    assert page.named("audio") and page.named("audio")[0]["src"].endswith("answer%201.wav")
    headings = [t for t in page.text if t.startswith(("Question ", "Summary", "What to practise"))]
    assert headings[:2] == ["Summary", "What to practise next"] and "Question 2: bank · leakage" in headings
    assert "@media print" in get_writer("html").render(_report(session_db))


def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    bank_dir = hostile_bank(tmp_path / "evil-bank")
    db = tmp_path / "s.db"
    answer = f"Feature scaling puts features on comparable ranges. You should fit the scaler on all the data. {HOSTILE}"
    voice = {"audio_path": f"rec/{HOSTILE}.wav", "delivery": {**DELIVERY, "suggestions": [HOSTILE]}}
    sid = graded_session(db, bank_dir, {"evil": answer}, voice=voice, follow_up=True)
    with Store(db) as store:
        stored = store.session(sid).questions[0].answer
        assert stored is not None and stored.grade is not None and stored.grade.misconceptions
        store.save_grade(stored.id, poisoned(json.loads(json.dumps(stored.grade.to_dict()))))  # every text of the grade: summary, evidence, claims…
        report = session_report(store.session(sid), load_bank(bank_dir))
    item = report.items[0]
    assert item.wrong_claims and item.follow_ups and HOSTILE in item.question  # the hostile text reached the report
    assert HOSTILE in item.summary and HOSTILE in item.wrong_claims[0].claim and HOSTILE in item.next_time
    html = get_writer("html").render(report)
    page = Page(html)
    assert not page.named("script") and not page.named("img"), "hostile markup became elements"
    assert all(not k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert "<script>" not in html and "$title" in html  # escaped, and string.Template did not expand it
    assert "&quot;quoted&quot; &#x27;single&#x27;" in html and "&amp; &quot;" in html  # quotes too (safe in attributes)
    # the text reads back exactly as typed, in each place it appears
    text = page.all_text
    places = (item.question, item.model_answer, item.answer, item.summary, item.next_time, item.wrong_claims[0].claim,
              item.wrong_claims[0].correction, item.wrong_claims[0].evidence, item.concepts[0].label,
              item.concepts[0].evidence or item.concepts[0].statement, item.follow_ups[0].question,
              item.follow_ups[0].answer, item.delivery.suggestions[0] if item.delivery else None, HOSTILE)
    for where in places:
        assert where and " ".join(where.split()) in " ".join(text.split()), where
    hrefs = [a["href"] for a in page.named("a") if a.get("href", "").startswith("rec/")]
    assert hrefs and '"' not in hrefs[0] and "<" not in hrefs[0]
    markdown = get_writer("md").render(report)
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert json.loads(get_writer("json").render(report))["items"][0]["answer"] == answer


def test_export_session_infers_the_format_and_refuses_to_overwrite(session_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from interviewer.reports import export_session

    db, bank_dir, sid = session_db
    with Store(db) as store:
        path = export_session(store, sid, tmp_path / "r.json", load_bank(bank_dir))
        assert json.loads(path.read_text(encoding="utf-8"))["meta"]["session"] == sid
        with pytest.raises(InputError, match="already exists"):
            export_session(store, sid, path)
        export_session(store, sid, path, fmt="md", force=True)
    assert path.read_text(encoding="utf-8").startswith("# Interview practice")


def test_an_unanswered_question_and_an_ungraded_answer_still_report(fixture_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    sid = graded_session(db, fixture_bank, {"scaling": None, "leakage": None}, finish=False)
    with Store(db) as store:
        store.save_answer(sid, 2, "saved but the process died before grading")
        report = session_report(store.session(sid), None)
    assert report.mean is None and report.answered == 1 and report.graded == 0
    text = get_writer("md").render(report)
    assert "_Not answered._" in text and "not graded" in text and "unfinished" in text
    assert "(0 graded of 1 answered, 2 questions)" in text  # the counts differ, so all three are said
    assert "0 graded of 1 answered · 2 questions" in "".join(Page(get_writer("html").render(report)).text)
    json.loads(get_writer("json").render(report))


# -- batch ---------------------------------------------------------------------------------------------
def _batch_output(capsys, fixture_bank: Path, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    source = tmp_path / "in.jsonl"
    lines = [{"id": "alice", "rubric": "scaling", "answer": GOOD_SCALING},
             {"id": "bob", "rubric": "leakage", "answer": HOSTILE},
             {"question": "Why scale?", "reference_answer": "Scaling puts features on comparable ranges.",
              "answer": "It makes ranges comparable."}]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert cli.main(["grade-batch", str(source), "-o", str(out), "--bank", str(fixture_bank), "-q"]) == 0
    capsys.readouterr()
    return out


def test_batch_output_renders_as_one_report(capsys, fixture_bank: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = _batch_output(capsys, fixture_bank, tmp_path)
    report = batch_report(out, load_bank(fixture_bank))
    assert [i.label for i in report.items] == ["alice", "bob", "ref-" + report.items[2].rubric_id[4:]]
    assert report.items[0].model_answer and report.items[2].model_answer == "Scaling puts features on comparable ranges."
    target = tmp_path / "coach.html"
    code = cli.main(["report", "--from-batch", str(out), "--format", "html", "-o", str(target), "--bank", str(fixture_bank)])
    assert code == 0 and "wrote" in capsys.readouterr().err
    page = Page(target.read_text(encoding="utf-8"))
    assert "Answer 2: bob" in page.text and not page.named("script")


def test_a_batch_of_several_candidates_gets_advice_per_candidate(  # type: ignore[no-untyped-def]
        capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"candidate": "alice", "rubric": "scaling", "answer": GOOD_SCALING},
             {"candidate": "alice", "rubric": "leakage", "answer": WEAK_LEAKAGE},
             {"candidate": "bob", "id": "b1", "rubric": "scaling", "answer": "Scaling is a thing."}]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert cli.main(["grade-batch", str(source), "-o", str(out), "--bank", str(fixture_bank), "-q"]) == 0
    report = batch_report(out, load_bank(fixture_bank))
    # each answer says whose it is and which bank it is from (the fixture folder, "bank"): headings and JSON
    assert [i.label for i in report.items] == ["alice", "alice", "bob · b1"]
    items = json.loads(get_writer("json").render(report))["items"]
    assert [(i["candidate"], i["bank"]) for i in items] == [("alice", "bank"), ("alice", "bank"), ("bob", "bank")]
    assert "## Answer 3: bob · b1" in get_writer("md").render(report)
    assert "(3 answers)" in get_writer("md").render(report)  # all answered and graded: not "3 graded of 3 …"
    assert "graded of" not in get_writer("md").render(report) + get_writer("html").render(report)
    assert report.practise_next and all(p.startswith(("alice: ", "bob: ")) for p in report.practise_next)
    assert any(p.startswith("bob: ") for p in report.practise_next)
    assert all(s.startswith("alice: ") for s in report.strongest)  # bob's one answer covers nothing
    scores = [i.score for i in report.items]
    alice = round((scores[0] + scores[1]) / 2, 1)
    assert [(c.candidate, c.mean, c.answers) for c in report.candidate_means] == [("alice", alice, 2),
                                                                                  ("bob", scores[2], 1)]
    line = f"Mean score per candidate: alice {alice:.1f} (2 answers), bob {scores[2]:.1f} (1 answer)"
    assert f"- {line}" in get_writer("md").render(report)
    assert f"<p>{line}</p>" in get_writer("html").render(report)
    assert json.loads(get_writer("json").render(report))["candidate_means"][1] == {
        "candidate": "bob", "mean": scores[2], "answers": 1}
    (tmp_path / "ids").mkdir()
    pooled = batch_report(_batch_output(capsys, fixture_bank, tmp_path / "ids"), load_bank(fixture_bank))
    assert not any(p.startswith(("alice: ", "bob: ")) for p in pooled.practise_next)  # ids name answers, not people
    assert pooled.candidate_means == () and "per candidate" not in get_writer("md").render(pooled)


@pytest.mark.parametrize("bad, message", [
    ("{not json", "not valid JSON"),
    ('{"answer": "x"}', "no field 'grade'"),
    ('{"answer": "x", "grade": {"score": "high"}}', "field 'grade.score': expected a number"),
    ("[1, 2]", "expected a JSON object"),
])
def test_a_bad_batch_line_is_one_line_naming_file_and_line(capsys, fixture_bank: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           bad: str, message: str) -> None:
    out = _batch_output(capsys, fixture_bank, tmp_path)
    with out.open("a", encoding="utf-8") as handle:
        handle.write("\n" + bad + "\n")
    target = tmp_path / "coach.html"
    code = cli.main(["report", "--from-batch", str(out), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"interviewer: error: {out}:5: {message}")
    assert not target.exists()


# -- the command ---------------------------------------------------------------------------------------
def test_report_command_formats_outputs_and_overwrite(capsys, session_db, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db, bank_dir, sid = session_db
    monkeypatch.setenv("INTERVIEWER_DATABASE", str(db))
    assert cli.main(["report", "--bank", str(bank_dir)]) == 0  # latest session, Markdown on stdout
    assert capsys.readouterr().out.startswith(f"# Interview practice: session {sid}")
    assert cli.main(["report", str(sid), "--format", "json", "-o", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["session"] == sid
    target = tmp_path / "out" / "r.html"
    target.parent.mkdir()
    assert cli.main(["report", "-o", str(target)]) == 0  # format from the suffix
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    target.write_text("keep me", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["report", "-o", str(target)]) == 2
    assert capsys.readouterr().err == f"interviewer: error: {target}: already exists; use --force to overwrite\n"
    assert target.read_text(encoding="utf-8") == "keep me"
    assert cli.main(["report", "-o", str(target), "--force"]) == 0 and "<svg" in target.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["report", "--format", "html"]) == 0  # HTML is never dumped on the terminal
    assert (tmp_path / f"interviewer-session-{sid}.html").is_file()
    assert [p.name for p in target.parent.iterdir()] == ["r.html"]  # no temporary file left behind
    capsys.readouterr()
    assert cli.main(["report", "99"]) == 2 and "no session 99" in capsys.readouterr().err


def test_report_without_sessions_is_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["report"]) == 2
    assert capsys.readouterr().err.startswith("interviewer: error: no sessions yet in ")


# -- a real browser ------------------------------------------------------------------------------------
def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("chromium is not installed (bash .ci/setup --test installs Debian's chromium as root)")


def test_the_html_report_displays_in_headless_chromium(session_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    browser = _chromium()
    db, bank_dir, sid = session_db
    with Store(db) as store:
        store.save_answer(sid, 2, HOSTILE)  # a hostile latest answer: its script must not run
    report = _report(session_db)
    page = tmp_path / "report.html"
    get_writer("html", tmp_path).write(report, page)
    flags = ["--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = Page(dom.stdout)
    assert "PWNED" not in "".join(rendered.all_text.split("document.title='PWNED'"))  # only as escaped text
    assert [t for t in rendered.text if t.startswith("Interview practice: session")]
    assert len(rendered.named("svg")) == 2 and not rendered.named("script")
    shot = tmp_path / "shot.png"
    result = subprocess.run([browser, *flags, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000  # a page, not a blank


def test_the_next_time_label_is_not_doubled() -> None:
    from interviewer.reports.model import next_time_parts

    assert next_time_parts("Next time, also cover scaling.") == ("Next time,", "also cover scaling.")
    assert next_time_parts("Start with the core idea: x") == ("Next time:", "Start with the core idea: x")


def test_chart_labels_leave_out_the_words_every_question_opens_with() -> None:
    from interviewer.reports.model import distinct_labels

    behavioural = ["Tell me about a time you had to learn something new very quickly to get your work done.",
                   "Tell me about a time you went beyond the scope of your role or your assigned work."]
    labels = distinct_labels(behavioural)
    assert labels[0].startswith("…had to learn") and labels[1].startswith("…went beyond")
    assert all(len(label) <= 40 for label in labels)
    assert distinct_labels(["What is feature engineering?", "What is data leakage?"]) == [
        "What is feature engineering?", "What is data leakage?"]  # two shared words: kept whole
    assert distinct_labels(["Tell me about a time you failed."]) == ["Tell me about a time you failed."]
