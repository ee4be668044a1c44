"""Property-based tests (issue 10, item 8): input code never fails in a way the user would see as a traceback.

- The rubric loader, on arbitrary text, bytes, YAML-ish structures and mutations of a valid rubric, returns a
  ``Rubric`` or raises ``InputError`` (one line naming the file), nothing else.
- The grade-batch JSONL reader yields, for every non-blank line, either the line's JSON object or a
  ``LineError`` with that line's number, and never raises.
- ``split_answer`` loses and invents no words: every word of the (possibly truncated) answer is in exactly one
  unit, units are in order, do not overlap and quote the answer exactly; it is deterministic.
- The grader, on arbitrary Unicode, never raises, scores in [0, 10] and gives the same grade every time (with
  the deterministic hashing embedder the unit tests use, so this file runs in seconds).

``max_examples`` is kept modest so the whole file runs in well under 30 s on two cores.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from interviewer.errors import InputError
from interviewer.rubrics import load_rubric
from interviewer.rubrics.loader import parse_rubric
from interviewer.rubrics.model import Rubric
from interviewer.scoring import text as T
from interviewer.scoring.batch import LineError, read_jsonl
from interviewer.scoring.concepts import split_answer
from interviewer.scoring.grader import Grader
from tests.conftest import FIXTURES
from tests.fakes import HashingEmbedder

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOWER = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCALING_DATA: dict[str, Any] = yaml.safe_load((FIXTURES / "bank" / "scaling.yaml").read_text(encoding="utf-8"))
RUBRIC_KEYS = ["id", "question", "model_answer", "difficulty", "time_limit_seconds", "tags", "concepts",
               "misconceptions", "label", "statement", "cues", "weight", "follow_up", "alternatives", "claim",
               "correction", "penalty"]

# Text that exercises what breaks parsers and splitters: every plane of Unicode, control characters (NUL,
# ESC, BEL), lone surrogates are excluded (they cannot be written as UTF-8), and the YAML / sentence
# punctuation that text.py and PyYAML care about.
ANY_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=400)
PUNCTUATED = st.lists(
    st.one_of(
        st.sampled_from([" ", "  ", "\n", "\n\n", "\t", ". ", "? ", "! ", "; ", ", ", " - ", ": ", "...", "e.g. ",
                         "(1) ", "- ", "• ", "'", "’", "\"", "don't", "_", "\x00", "\x1b[31m", "\r\n", "\u2028"]),
        st.sampled_from(["scaling", "KNN", "trees", "fit", "train", "data", "the", "not", "never", "Feature",
                         "ranges", "standardization", "z-score", "café", "数据", "Ω", "123", "x2"]),
        st.text(st.characters(blacklist_categories=["Cs"]), max_size=6),
    ),
    max_size=120,
).map("".join)
ANSWERS = st.one_of(ANY_TEXT, PUNCTUATED)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


# -- the rubric loader ---------------------------------------------------------------------------------------
def load_or_input_error(path: Path) -> Rubric | None:
    """``load_rubric``; None when it raised ``InputError`` (anything else propagates and fails the test)."""
    try:
        rubric = load_rubric(path)
    except InputError as exc:
        assert exc.message.startswith(str(path)), f"the error does not name the file: {exc.message!r}"
        assert "\n" not in exc.message.strip(), f"the error is not one line: {exc.message!r}"
        return None
    assert isinstance(rubric, Rubric) and rubric.id == path.stem
    return rubric


@FAST
@given(ANY_TEXT)
def test_rubric_loader_on_arbitrary_text(folder: Path, text: str) -> None:
    path = folder / "scaling.yaml"
    path.write_text(text, encoding="utf-8")
    load_or_input_error(path)


@FAST
@given(st.binary(max_size=400))
def test_rubric_loader_on_arbitrary_bytes(folder: Path, data: bytes) -> None:
    path = folder / "scaling.yaml"
    path.write_bytes(data)
    load_or_input_error(path)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    ANY_TEXT.map(lambda s: s[:40]), st.sampled_from(["scaling", "medium", "q01", "", " ", "-1", "1e999"]))
JSONISH = st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(RUBRIC_KEYS), st.text(max_size=8)), children, max_size=5)),
    max_leaves=25)


@FAST
@given(st.dictionaries(st.sampled_from(RUBRIC_KEYS), JSONISH, max_size=8))
def test_rubric_loader_on_rubric_shaped_structures(folder: Path, data: dict[str, Any]) -> None:
    path = folder / "scaling.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_or_input_error(path)
    try:
        parse_rubric(data, "structure")
    except InputError:
        pass


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


SCALING_PATHS = [p for p in _paths(SCALING_DATA) if p]


@FAST
@given(st.lists(st.tuples(st.sampled_from(SCALING_PATHS), JSONISH), min_size=1, max_size=3))
def test_rubric_loader_on_mutations_of_a_valid_rubric(folder: Path, edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    data = json.loads(json.dumps(SCALING_DATA))
    for where, value in edits:
        node = data
        try:
            for key in where[:-1]:
                node = node[key]
            node[where[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced the parent
    path = folder / "scaling.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_or_input_error(path)


@SLOWER
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["[", "{a: ", "- ", "&x [", "{\"a\": ["]))
def test_rubric_loader_on_deep_nesting(folder: Path, depth: int, opener: str) -> None:
    closer = {"[": "]", "{a: ": "}", "- ": "", "&x [": "]", "{\"a\": [": "]}"}[opener]
    body = opener * depth + "1" + closer * depth if closer else "".join("  " * i + "- " for i in range(depth)) + "1"
    path = folder / "scaling.yaml"
    path.write_text(f"id: scaling\nquestion: q\nconcepts: {body}\n", encoding="utf-8")
    load_or_input_error(path)


# -- the grade-batch JSONL reader ------------------------------------------------------------------------------
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4)),
    max_leaves=20)
LINES = st.lists(
    st.one_of(
        JSON_VALUES.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
        st.dictionaries(st.sampled_from(["rubric", "answer", "reference_answer", "id"]), JSON_VALUES, max_size=4)
        .map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
        st.sampled_from([b"", b"   ", b"\t", b"\r", b"{", b"[" * 3000 + b"]" * 3000, b'{"a": ' * 200 + b"1" + b"}" * 200,
                         b'{"n": 1' + b"0" * 5000 + b"}", b"\xef\xbb\xbf{}", b'{"a": NaN}', b'{"a": 1e999}']),
    ),
    max_size=12)


def blank(raw: bytes) -> bool:
    """Blank as the reader (and JSON) sees it: ASCII whitespace only. A line of other characters that
    Python calls whitespace (U+001C, U+00A0 …) is reported as a bad line, not skipped unseen."""
    return not raw.strip()


@FAST
@given(LINES, st.sampled_from([b"\n", b"\r\n"]), st.booleans())
def test_jsonl_reader_accounts_for_every_line(folder: Path, lines: list[bytes], newline: bytes, final: bool) -> None:
    path = folder / "in.jsonl"
    path.write_bytes(newline.join(lines) + (newline if final else b""))
    try:
        read = list(read_jsonl(path))
    except InputError as exc:  # only for the file as a whole (it cannot be read)
        pytest.fail(f"a readable file raised {exc.message!r}")
    bom = b"\xef\xbb\xbf"  # allowed on line 1 (and then not part of it)
    expected = [n for n, raw in enumerate(lines, start=1)
                if not blank((raw.removeprefix(bom) if n == 1 else raw).rstrip(b"\r"))]
    assert [n for n, _ in read] == expected, "every non-blank line is accounted for once, in order"
    for (number, item), raw in zip(read, [lines[n - 1] for n in expected], strict=True):
        if isinstance(item, LineError):
            assert item.line == number and item.message and "\n" not in item.message
            continue
        assert isinstance(item, dict)
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")  # a byte order mark is allowed on line 1
        assert item == json.loads(text), "a good line is read as it is"


@FAST
@given(st.lists(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5), max_size=10))
def test_jsonl_reader_round_trips_objects(folder: Path, records: list[dict[str, Any]]) -> None:
    path = folder / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    read = list(read_jsonl(path))
    assert [item for _, item in read] == records
    assert [n for n, _ in read] == list(range(1, len(records) + 1))


# -- split_answer ----------------------------------------------------------------------------------------------
@FAST
@given(ANSWERS, st.integers(min_value=1, max_value=80))
def test_split_answer_loses_and_invents_nothing(answer: str, max_words: int) -> None:
    parts = split_answer(answer, max_words)
    all_words = T.WORD_RE.findall(answer)
    # truncation: a prefix of the answer, cut only when there were more words than the limit
    assert answer.startswith(parts.text)
    assert parts.truncated == (len(all_words) > max_words)
    assert list(parts.words) == all_words[:max_words]
    if not parts.truncated:
        assert parts.text == answer
    # the words are where they say they are
    for word, start in zip(parts.words, parts.word_starts, strict=True):
        assert parts.text[start:start + len(word)] == word
    # units quote the text exactly, in order, without overlapping, each stripped and holding a word
    previous_end = 0
    for unit in parts.units:
        assert parts.text[unit.start:unit.end] == unit.text
        assert unit.text == unit.text.strip() and T.WORD_RE.search(unit.text)
        assert unit.start >= previous_end
        previous_end = unit.end
    # every word of the text is in exactly one unit: no text lost beyond whitespace and punctuation
    unit_words = [w for unit in parts.units for w in T.WORD_RE.findall(unit.text)]
    assert unit_words == list(parts.words)
    for start in parts.word_starts:
        assert parts.unit_at(start) is not None
    assert len(parts.unit_content) == len(parts.units)


@FAST
@given(ANSWERS)
def test_split_answer_is_deterministic(answer: str) -> None:
    assert split_answer(answer, 5000) == split_answer(answer, 5000)
    assert split_answer(answer, 5000).units == split_answer(str(answer), 5000).units


# -- the grader on arbitrary Unicode ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scaling() -> Rubric:
    return load_rubric(FIXTURES / "bank" / "scaling.yaml")


@pytest.fixture(scope="module")
def grader() -> Grader:
    return Grader(HashingEmbedder(), max_answer_words=300)


@SLOWER
@given(ANSWERS)
def test_grader_never_raises_and_scores_in_range(grader: Grader, scaling: Rubric, answer: str) -> None:
    grade = grader.grade(scaling, answer)
    assert 0.0 <= grade.score <= 10.0
    data = grade.to_dict()
    json.dumps(data)  # the result is serialisable (the database and --json store it)
    assert grader.grade(scaling, answer).to_dict() == data, "the same answer, the same grade"


@SLOWER
@given(st.lists(ANSWERS, min_size=1, max_size=4))
def test_grader_batch_agrees_with_single_gradings(grader: Grader, scaling: Rubric, answers: list[str]) -> None:
    assume(all(len(a) < 300 for a in answers))
    batch = grader.grade_many([(scaling, a) for a in answers])
    fresh = Grader(HashingEmbedder(), max_answer_words=300)
    for answer, grade in zip(answers, batch, strict=True):
        assert 0.0 <= grade.score <= 10.0
        assert fresh.grade(scaling, answer).score == grade.score, "a fresh grader gives the same score"


@pytest.mark.parametrize(("line", "message"), [
    (b'{"rubric": "q03", "answer": "a tab\there"}', "a raw control character inside a string, such as a tab or "
                                                    "line break (write them as \\t and \\n), or a string left open "
                                                    "at column 35)"),
    (b'{"rubric": "q03", "answer": }', "not valid JSON (Expecting value at column 29)"),
    # the line as read, with its line break: the closing brace is missing at the end, not on a "line 2"
    (b'{"rubric": "q03", "answer": "x"\n', "not valid JSON (Expecting ',' delimiter at the end of the line)"),
    (b'{"rubric": "q03" "answer": "x"}\r\n', "not valid JSON (Expecting ',' delimiter at column 18)"),
])
def test_a_bad_json_line_says_what_is_wrong_once(line: bytes, message: str) -> None:
    from interviewer.scoring.batch import parse_line

    result = parse_line(line)
    assert isinstance(result, str) and result.endswith(message) and " at at " not in result
