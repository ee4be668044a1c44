from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.errors import RubricError, UnknownRubricError
from interviewer.rubrics import load_bank, load_rubric, rubric_files
from tests.conftest import REPO

VALID = """\
id: {id}
question: What is data leakage?
model_answer: Information from outside the training set reaches the model.
concepts:
  - id: definition
    label: Definition
    statement: Leakage is information from outside the training set reaching the model.
    cues: [outside the training set]
    weight: 2
    follow_up: How would you define it?
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture_rubric_loads(scaling_rubric) -> None:
    assert scaling_rubric.id == "scaling"
    assert [c.id for c in scaling_rubric.concepts] == ["definition", "methods", "when-needed", "trees", "fit-on-train"]
    assert scaling_rubric.total_weight == pytest.approx(6.5)
    assert scaling_rubric.misconceptions[0].penalty == 1.5


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("question: What is data leakage?\n", ""), "field 'question': missing (required)"),
        (lambda t: t.replace("weight: 2", "weight: -1"), "field 'concepts[0].weight': expected a number greater than 0, got -1"),
        (lambda t: t.replace("weight: 2", "weight: lots"), "field 'concepts[0].weight': expected a number, got 'lots'"),
        (lambda t: t.replace("id: q01", "id: q01\ndifficulty: brutal"), "field 'difficulty': expected one of 'easy', 'medium' or 'hard', got 'brutal'"),
        (lambda t: t.replace("    weight: 2\n", "    wieght: 2\n"), "field 'concepts[0].wieght': unknown field"),
        (lambda t: t.replace("concepts:", "old: 1\nconcepts:"), "field 'old': unknown field"),
        (lambda t: t.replace("  - id: definition", "  - id: bad id!"), "field 'concepts[0].id': expected an id of letters, digits"),
        (lambda t: t.replace("cues: [outside the training set]", "cues: [a, A]"), "field 'concepts[0].cues': cue 'A' is listed twice"),
    ],
)
def test_malformed_rubrics_name_file_and_field(tmp_path: Path, edit, expected: str) -> None:
    path = write(tmp_path, "q01.yaml", edit(VALID.format(id="q01")))
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = info.value.message
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message
    assert info.value.exit_code == 2


def test_empty_concepts_rejected(tmp_path: Path) -> None:
    text = VALID.format(id="q01").split("concepts:")[0] + "concepts: []\n"
    with pytest.raises(RubricError, match=r"field 'concepts': expected at least 1 item\(s\), got list of 0"):
        load_rubric(write(tmp_path, "q01.yaml", text))


def test_duplicate_concept_ids_rejected(tmp_path: Path) -> None:
    text = VALID.format(id="q01")
    concept = text.split("concepts:\n")[1]
    with pytest.raises(RubricError, match="field '\\(top level\\)': concepts\\[1\\].id 'definition' is used twice"):
        load_rubric(write(tmp_path, "q01.yaml", text + concept))


def test_yaml_syntax_error_gives_line(tmp_path: Path) -> None:
    path = write(tmp_path, "q01.yaml", "id: q01\nquestion: [unclosed\n")
    with pytest.raises(RubricError, match=r"not valid YAML at line \d+, column \d+"):
        load_rubric(path)


def test_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="expected a mapping of fields"):
        load_rubric(write(tmp_path, "q01.yaml", "- just\n- a list\n"))


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "q01.yaml"
    path.write_bytes(VALID.format(id="q01").encode("utf-8") + b"\xff\xfe")
    with pytest.raises(RubricError, match="not UTF-8 text"):
        load_rubric(path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="field 'id': expected 'q02' to match the file name, got 'q01'"):
        load_rubric(write(tmp_path, "q02.yaml", VALID.format(id="q01")))


def test_bank_rejects_duplicate_ids_across_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", "q01.yaml", VALID.format(id="q01"))
    write(tmp_path / "b", "q01.yaml", VALID.format(id="q01"))
    with pytest.raises(RubricError, match="'q01' is already used by"):
        load_bank(tmp_path)


def test_unknown_id_lists_closest(fixture_bank: Path) -> None:
    bank = load_bank(fixture_bank)
    assert list(bank) == ["leakage", "scaling"]
    with pytest.raises(UnknownRubricError) as info:
        bank["scalin"]
    assert "unknown rubric id 'scalin'" in info.value.message
    assert "closest: scaling" in info.value.message
    assert info.value.exit_code == 2


def test_an_id_from_another_bundled_bank_names_that_bank(fixture_bank: Path) -> None:
    from interviewer.locations import bundled_bank_dir

    with pytest.raises(UnknownRubricError) as info:
        load_bank(bundled_bank_dir())["beh03"]
    assert "it is in the bundled bank 'behavioural': add --bank behavioural (in a grade-batch file" in info.value.message
    with pytest.raises(UnknownRubricError) as info:
        load_bank(fixture_bank)["q03"]  # a user's bank: the bundled one that has it is named too
    assert "add --bank practical-ml" in info.value.message
    for missing in ("bank", "../q03", "q99"):  # bank.yaml is no rubric; no path tricks; nowhere: the closest ids
        with pytest.raises(UnknownRubricError) as info:
            load_bank(fixture_bank)[missing]
        assert "add --bank" not in info.value.message


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    from interviewer.errors import InputError

    with pytest.raises(InputError, match="no rubric files"):
        load_bank(tmp_path)


def test_bank_yaml_is_not_a_rubric(tmp_path: Path) -> None:
    write(tmp_path, "bank.yaml", "name: mine\ntitle: My questions\ndescription: Not a rubric.\n")
    write(tmp_path, "q01.yaml", VALID.format(id="q01"))
    assert [p.name for p in rubric_files(tmp_path)] == ["q01.yaml"]
    assert list(load_bank(tmp_path)) == ["q01"]


def test_bundled_bank_has_q01_to_q15(bundled_bank) -> None:
    assert list(bundled_bank) == [f"q{n:02d}" for n in range(1, 16)]
    for rubric in bundled_bank.values():
        assert 3 <= len(rubric.concepts) <= 9, rubric.id
        assert rubric.concepts[0].weight >= 2, f"{rubric.id}: the core concept counts double"
        assert rubric.misconceptions, f"{rubric.id}: the reviewed bank lists misconceptions"


def test_bundled_bank_matches_the_seed(bundled_bank) -> None:
    seed = REPO.parent / "shared" / "seed" / "practical-ml-questions.txt"
    if not seed.is_file():
        pytest.skip(f"{seed} is not here (the shared folder sits beside the repo on dev machines and CI)")
    from interviewer.rubrics.derive import parse_qa

    items = parse_qa(seed.read_text(encoding="utf-8"), str(seed))
    assert [r.question for r in bundled_bank.values()] == [qa.question for qa in items]
    assert [r.model_answer.split() for r in bundled_bank.values()] == [qa.answer.split() for qa in items]


def test_libyaml_reads_every_bundled_rubric_as_the_pure_python_loader_does() -> None:
    """Rubrics are read with libyaml when PyYAML has it (12x faster, paid at every start): same documents."""
    import yaml

    from interviewer.locations import bundled_banks_dir
    from interviewer.rubrics import loader

    assert loader._FAST_LOADER is not None  # the wheels ship libyaml: a slow fallback would go unnoticed
    files = sorted(bundled_banks_dir().rglob("*.yaml"))
    assert len(files) >= 45
    for path in files:
        text = path.read_text(encoding="utf-8")
        slow = loader._RubricYamlLoader(text)
        try:
            expected = slow.get_single_data()
        finally:
            slow.dispose()
        assert loader._parse_yaml(text, path) == expected == yaml.safe_load(text), path


@pytest.mark.parametrize("text", [
    *("a: " + "[" * d + "1" + "]" * d + "\n" for d in (10, 62, 63, 64, 200)),
    *("a: " + "[" * d + "]" * d + "\n" for d in (62, 63, 64)),  # the deepest collection empty
    *("[" * d + "]" * d + "\n" for d in (63, 64, 65)),
    "a: [b, *x]\n", "a:\n\tb: 1\n", "a: \"\\q\"\n", "a: 1\n\ufeffb: 2\n", "a: [1, 2\n",
])
def test_libyaml_accepts_and_refuses_what_the_pure_python_loader_does(text: str, tmp_path: Path) -> None:
    """Same verdict, and for a refused file the pure-Python loader's message (it names the tab, the alias)."""
    from interviewer.rubrics import loader

    path = tmp_path / "r.yaml"
    try:
        slow = loader._RubricYamlLoader(text)
        try:
            expected: object = slow.get_single_data()
        finally:
            slow.dispose()
    except Exception as exc:  # noqa: BLE001
        expected = loader._yaml_error(path, text, exc) if hasattr(exc, "problem") else exc
    try:
        got: object = loader._parse_yaml(text, path)
    except RubricError as exc:
        got = exc
    if isinstance(expected, Exception):
        assert isinstance(got, RubricError), got
        assert str(got) == str(expected)
    else:
        assert got == expected
