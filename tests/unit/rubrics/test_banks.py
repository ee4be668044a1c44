"""Banks have names (issue 13): bank.yaml, --bank NAME, the answer's bank in the store (schema 2), and
questions looked up by (bank, id) so a user's q01 is never the bundled q01."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from interviewer import cli, locations
from interviewer.errors import InputError, RubricError
from interviewer.rubrics.banks import available_banks, resolve_bank
from interviewer.rubrics.loader import load_bank, read_bank_info
from interviewer.session.history import concept_progress, drill
from interviewer.session.round import Interview, bank_folder, bank_label, bank_name
from interviewer.store import Store
from interviewer.store.schema import MIGRATIONS
from tests.conftest import FIXTURES
from tests.fakes import HashingEmbedder

BUNDLED = ("practical-ml", "behavioural", "statistics")


def test_every_bundled_bank_has_a_valid_bank_yaml() -> None:
    for name in BUNDLED:
        info = read_bank_info(locations.bundled_bank_dir(name))
        assert info.name == name and info.title and info.description
        assert load_bank(locations.bundled_bank_dir(name)).name == name


def test_a_folder_without_bank_yaml_is_named_after_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "My Questions"
    shutil.copytree(FIXTURES / "bank", folder)
    assert read_bank_info(folder).name == "my-questions"
    assert load_bank(folder).name == "my-questions"


@pytest.mark.parametrize(("text", "message"), [
    ("title: no name\n", "field 'name': missing (required)"),
    ("name: has spaces\ntitle: T\n", "field 'name': expected an id"),
    ("name: ok\ntitle: T\ncolour: red\n", "field 'colour': unknown field"),
    ("- a list\n", "expected a mapping of fields (name, title, description)"),
    ("name: [unclosed\n", "not valid YAML"),
])
def test_a_bad_bank_yaml_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    folder = tmp_path / "b"
    shutil.copytree(FIXTURES / "bank", folder)
    (folder / "bank.yaml").write_text(text)
    with pytest.raises(RubricError) as caught:
        load_bank(folder)
    assert message in caught.value.message and "\n" not in caught.value.message
    assert str(folder / "bank.yaml") in caught.value.message


def test_bank_by_name_or_folder(tmp_path: Path) -> None:
    assert resolve_bank("statistics") == locations.bundled_bank_dir("statistics")
    assert resolve_bank(str(tmp_path)) == tmp_path
    mine = locations.user_banks_dir() / "mine"
    shutil.copytree(FIXTURES / "bank", mine)
    (mine / "bank.yaml").write_text("name: my-own\ntitle: My own questions\n")
    assert resolve_bank("mine") == mine and resolve_bank("my-own") == mine
    with pytest.raises(InputError, match="no bank of that name.*practical-ml, behavioural, statistics, my-own"):
        resolve_bank("nonesuch")
    listed = available_banks()
    assert [(b.name, b.bundled) for b in listed] == [(n, True) for n in BUNDLED] + [("my-own", False)]


def test_cli_takes_a_bank_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rubric", "list", "--bank", "statistics"]) == 0
    assert capsys.readouterr().out.startswith("stat01  ")
    assert cli.main(["rubric", "list", "--bank", "nonesuch"]) == 2
    assert "--bank nonesuch: no bank of that name" in capsys.readouterr().err
    # rubric check takes a bank's name as other commands do: as PATH or as --bank
    for argv in (["rubric", "check", "statistics"], ["rubric", "check", "--bank", "statistics"]):
        assert cli.main(argv) == 0
        assert capsys.readouterr().out.endswith("15 of 15 rubric file(s) valid\n")
    assert cli.main(["rubric", "check", "nonesuch"]) == 2
    assert capsys.readouterr().err == ("interviewer: error: nonesuch: no such file or folder, and no bank of that name "
                                       "(banks: practical-ml, behavioural, statistics)\n")


def test_a_session_records_a_bundled_bank_by_name(tmp_path: Path) -> None:
    assert bank_name(None) == "practical-ml" and bank_name(Path("statistics")) == "statistics"
    assert bank_folder("bundled") == locations.bundled_bank_dir()  # what sessions recorded before
    assert bank_folder("statistics") == locations.bundled_bank_dir("statistics")
    assert bank_name(tmp_path) == str(tmp_path.resolve())
    assert bank_label("bundled") == "practical-ml" and bank_label(str(tmp_path / "Gone Bank")) == "gone-bank"


def _v1_database(path: Path) -> None:
    """A database as the first schema made it: sessions recorded "bundled" or a folder; no bank per answer."""
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("PRAGMA application_id = 1231975542")
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO sessions (id, started_at, mode, bank) VALUES (1, '2026-01-01T10:00:00', 'typed', 'bundled')")
    db.execute("INSERT INTO sessions (id, started_at, mode, bank) VALUES (2, '2026-01-02T10:00:00', 'typed', "
               "'/home/me/My-Bank/')")
    db.execute("INSERT INTO questions (id, session_id, position, rubric_id, question) VALUES (1, 1, 1, 'q01', 'A?')")
    db.execute("INSERT INTO questions (id, session_id, position, rubric_id, question) VALUES (2, 2, 1, 'q01', 'B?')")
    for question in (1, 2):
        db.execute("INSERT INTO answers (question_id, text, mode, submitted_at, grade, score) VALUES "
                   "(?, 'x', 'typed', '2026-01-01T10:01:00', '{\"score\": 5.0, \"concepts\": []}', 5.0)", (question,))
    db.commit()
    db.close()


def test_an_old_database_is_migrated_and_stays_readable(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _v1_database(path)
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 2
        answered = store.answered_questions()
        assert [(a.bank, a.rubric_id, a.question) for a in answered] == [("practical-ml", "q01", "A?"),
                                                                        ("my-bank", "q01", "B?")]
        assert store.session(2).questions[0].answer.bank == "my-bank"  # type: ignore[union-attr]
        new = store.start_session("typed", "statistics", [("stat01", "C?")])
        store.save_answer(new, 1, "y", bank="statistics")
        assert store.session(new).questions[0].answer.bank == "statistics"  # type: ignore[union-attr]


def test_same_id_in_two_banks_is_two_questions(tmp_path: Path, fixture_bank: Path) -> None:
    """A user's derived bank reuses the id "scaling" for another question: history and drills keep them apart."""
    from interviewer.scoring.grader import Grader

    other = tmp_path / "other"
    other.mkdir()
    text = (fixture_bank / "scaling.yaml").read_text().replace(
        "How do you approach feature scaling and when is it necessary?", "When does scaling not matter?")
    (other / "scaling.yaml").write_text(text)
    (other / "bank.yaml").write_text("name: other\ntitle: Another bank\n")
    grader = Grader(HashingEmbedder())
    with Store(tmp_path / "s.db") as store:
        for folder in (fixture_bank, other):
            bank = load_bank(folder)
            interview = Interview.start(store, [bank["scaling"]], bank_name=bank_name(folder), bank=bank.name)
            turn = interview.turns[0]
            interview.submit(turn, "Scaling puts features on comparable ranges.")
            interview.record_grade(turn, grader.grade(turn.rubric, "Scaling puts features on comparable ranges."))
        keys = {(p.bank, p.rubric_id) for p in concept_progress(store)}
        assert keys == {("bank", "scaling"), ("other", "scaling")}
        picks = drill(store, load_bank(other), 3)
        assert [p.attempts for p in picks] == [1]  # only its own answer, not the fixture bank's "scaling"


def test_history_names_the_bank(capsys: pytest.CaptureFixture[str], tmp_path: Path, fixture_bank: Path) -> None:
    with Store(Path(os.environ["INTERVIEWER_DATA_DIR"]) / "interviewer.db") as store:
        bank = load_bank(locations.bundled_bank_dir("statistics"))
        interview = Interview.start(store, [bank["stat01"]], bank_name="statistics", bank=bank.name)
        interview.submit(interview.turns[0], "an answer")
    assert cli.main(["history"]) == 0
    assert " statistics " in capsys.readouterr().out
