"""Load and validate rubric files, and look rubrics up in a bank by id.

Errors name the file, the field and what was expected, in one line, e.g.
``rubrics/practical-ml/q03.yaml: field 'concepts[1].weight': expected a number greater than 0, got -1``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError

from interviewer.errors import InputError, RubricError, UnknownRubricError
from interviewer.rubrics.model import Rubric
from interviewer.textfile import read_text

RUBRIC_SUFFIXES = (".yaml", ".yml")


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _expected(kind: str, msg: str, ctx: Mapping[str, object]) -> str:
    """What the field should have been, in words, from a pydantic error."""
    if kind == "greater_than":
        return f"a number greater than {ctx.get('gt'):g}"
    if kind in ("less_than_equal", "less_than"):
        return f"a number at most {ctx.get('le', ctx.get('lt')):g}"
    if kind in ("float_parsing", "float_type"):
        return "a number"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "a whole number"
    if kind == "too_short":
        return f"at least {ctx.get('min_length')} item(s)"
    if kind == "string_pattern_mismatch":
        return "an id of letters, digits, '-', '_' or '.' (no spaces)"
    if kind == "string_too_short":
        return "non-empty text"
    if kind == "string_type":
        return "text"
    if kind in ("tuple_type", "list_type"):
        return "a list"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}"
    if kind == "model_type":
        return "a mapping of fields"
    text = msg.removeprefix("Value error, ").removeprefix("Input should be ")
    return text[0].lower() + text[1:] if text else "a valid value"


def _describe(error: Mapping[str, object]) -> str:
    loc = tuple(error.get("loc", ()))  # type: ignore[arg-type]
    kind = str(error.get("type", ""))
    if kind == "missing":
        return f"field '{_field_path(loc)}': missing (required)"
    if kind == "extra_forbidden":
        return f"field '{_field_path(loc)}': unknown field (check the spelling; see the rubric format in README)"
    ctx = error.get("ctx") or {}
    expected = _expected(kind, str(error.get("msg", "")), ctx)  # type: ignore[arg-type]
    if kind == "value_error":
        return f"field '{_field_path(loc)}': {expected}"
    got = error.get("input")
    shown = repr(got) if not isinstance(got, (dict, list, tuple)) else f"{type(got).__name__} of {len(got)}"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"field '{_field_path(loc)}': expected {expected}, got {shown}"


def parse_rubric(data: object, source: str) -> Rubric:
    """Validate already-parsed YAML/JSON data as a rubric; ``source`` names it in errors."""
    if not isinstance(data, dict):
        raise RubricError(f"{source}: expected a mapping of fields (id, question, model_answer, concepts, ...)")
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise RubricError(f"{source}: {_describe(errors[0])}{more}") from None


def load_rubric(path: Path) -> Rubric:
    """Read one rubric file; its ``id`` must match the file name (``q03.yaml`` holds ``id: q03``)."""
    text = read_text(path, "rubric", RubricError)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise RubricError(f"{path}: not valid YAML{where}: {problem}") from None
    rubric = parse_rubric(data, str(path))
    if rubric.id != path.stem:
        raise RubricError(f"{path}: field 'id': expected {path.stem!r} to match the file name, got {rubric.id!r}")
    return rubric


def rubric_files(path: Path) -> list[Path]:
    """The rubric files at ``path``: the file itself, or every ``*.yaml``/``*.yml`` below a folder, sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    return sorted(p for p in path.rglob("*") if p.suffix in RUBRIC_SUFFIXES and p.is_file())


class Bank(Mapping[str, Rubric]):
    """The rubrics of a folder, by id, in file order (``q01`` … ``q15``)."""

    def __init__(self, rubrics: Mapping[str, Rubric], root: Path | None = None) -> None:
        self._rubrics = dict(rubrics)
        self.root = root

    def __getitem__(self, rubric_id: str) -> Rubric:
        try:
            return self._rubrics[rubric_id]
        except KeyError:
            raise UnknownRubricError(self._unknown_message(rubric_id)) from None

    def __contains__(self, rubric_id: object) -> bool:
        return rubric_id in self._rubrics

    def __iter__(self) -> Iterator[str]:
        return iter(self._rubrics)

    def __len__(self) -> int:
        return len(self._rubrics)

    def _unknown_message(self, rubric_id: str) -> str:
        where = f" in {self.root}" if self.root else ""
        ids = list(self._rubrics)
        close = difflib.get_close_matches(rubric_id, ids, n=3, cutoff=0.5)
        if not close:
            close = [i for i in ids if i.lower().startswith(rubric_id.lower()[:1])][:3] or ids[:3]
        hint = f"; closest: {', '.join(close)}" if close else "; the bank is empty"
        return f"unknown rubric id {rubric_id!r}{where}{hint} (`interviewer rubric list` shows all)"


def load_bank(root: Path) -> Bank:
    """Load every rubric below ``root``. Ids must be unique across the bank."""
    files = rubric_files(root)
    if not files:
        raise InputError(f"{root}: no rubric files (*.yaml) found")
    rubrics: dict[str, Rubric] = {}
    origin: dict[str, Path] = {}
    for file in files:
        rubric = load_rubric(file)
        if rubric.id in rubrics:
            raise RubricError(f"{file}: field 'id': {rubric.id!r} is already used by {origin[rubric.id]}")
        rubrics[rubric.id] = rubric
        origin[rubric.id] = file
    return Bank(rubrics, root)
