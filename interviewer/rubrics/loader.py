"""Load and validate rubric files, and look rubrics up in a bank by id.

Errors name the file, the field and what was expected, in one line, e.g.
``rubrics/practical-ml/q03.yaml: field 'concepts[1].weight': expected a number greater than 0, got -1``.

Loading is bounded: a file over ``MAX_RUBRIC_BYTES``, YAML nested deeper than ``MAX_NESTING`` levels, a
number of more than ``MAX_NUMBER_DIGITS`` digits, or a field over its limit (``interviewer.rubrics.model``)
is refused with a message naming the limit, before any of it is graded. In a bank folder every
``*.yaml``/``*.yml`` entry that is not a folder is loaded, so a link that leads nowhere or loops, or a
device, is an error naming it, never skipped in silence.
"""

from __future__ import annotations

import difflib
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from interviewer.errors import InputError, RubricError, UnknownRubricError
from interviewer.locations import DEFAULT_BANK, bundled_banks_dir
from interviewer.rubrics.model import BankInfo, Rubric
from interviewer.textfile import KIB, check_input_file, read_text

_Model = TypeVar("_Model", bound=BaseModel)

RUBRIC_SUFFIXES = (".yaml", ".yml")
BANK_FILE = "bank.yaml"  # a bank's name, title and description: not a rubric, so never loaded as one
MAX_RUBRIC_BYTES = 256 * KIB  # a rubric file; the bundled ones are under 7 KiB
MAX_NESTING = 64  # YAML levels; a rubric needs 4 (rubric → concepts → a concept → its cues)
MAX_NUMBER_DIGITS = 100  # a weight or a time limit; Python refuses to read integers of over 4,300 digits


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
    if kind == "string_too_long":
        return f"text of at most {ctx.get('max_length'):,} characters (the limit for this field)"
    if kind == "too_long":
        return f"at most {ctx.get('max_length'):,} items (the limit for this field)"
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
    if kind == "string_too_long" and isinstance(got, str):
        return f"field '{_field_path(loc)}': expected {expected}, got {len(got):,} characters"
    if kind == "too_long" and isinstance(got, (list, tuple)):
        return f"field '{_field_path(loc)}': expected {expected}, got {len(got):,}"
    shown = repr(got) if not isinstance(got, (dict, list, tuple)) else f"{type(got).__name__} of {len(got)}"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"field '{_field_path(loc)}': expected {expected}, got {shown}"


def parse_rubric(data: object, source: str) -> Rubric:
    """Validate already-parsed YAML/JSON data as a rubric; ``source`` names it in errors."""
    return _validated(Rubric, data, source, "id, question, model_answer, concepts, ...")


def parse_bank_info(data: object, source: str) -> BankInfo:
    """Validate already-parsed data as a ``bank.yaml`` (name, title, description); ``source`` names it in errors."""
    return _validated(BankInfo, data, source, "name, title, description")


def _validated(model: type[_Model], data: object, source: str, fields: str) -> _Model:
    """``data`` validated as ``model``; the first problem (and how many more) in one line naming ``source``."""
    if not isinstance(data, dict):
        raise RubricError(f"{source}: expected a mapping of fields ({fields})")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _problems_error(tuple(f"{source}: {_describe(error)}" for error in exc.errors())) from None


def _problems_error(problems: tuple[str, ...]) -> RubricError:
    """One error for a file's problems (each "FILE: what is wrong"): the first, and how many more, on its line."""
    more = len(problems) - 1
    return RubricError(problems[0] + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""),
                       problems=problems)


class _RubricYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting deeper than ``MAX_NESTING`` (its composer recurses once per
    level, so a deep enough file would otherwise end in a RecursionError)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_NESTING} levels deep (the limit)", self.peek_event().start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


def _where(text: str, position: int) -> str:
    """' at line L, column C' of a character offset into ``text``."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f" at line {line}, column {column}"


def _yaml_error(path: Path, text: str, exc: yaml.YAMLError) -> RubricError:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow, such as a NUL byte
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        name = " (a NUL byte)" if character == 0 else ""
        return RubricError(f"{path}: not valid YAML{_where(text, exc.position)}: character U+{character:04X}{name} is "
                           "not allowed in YAML (write it as an escape in a double-quoted string, or remove it)")
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or "invalid YAML"
    return RubricError(f"{path}: not valid YAML{where}: {problem}")


def _check_numbers(root: yaml.Node, path: Path) -> None:
    """Refuse an integer of more than ``MAX_NUMBER_DIGITS`` digits, naming its field (each node visited once,
    however many aliases point at it)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[int | str, ...]]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, (*loc, str(key.value))) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*loc, index)) for index, item in enumerate(node.value))
        elif node.tag == "tag:yaml.org,2002:int" and sum(c.isdigit() for c in node.value) > MAX_NUMBER_DIGITS:
            digits = sum(c.isdigit() for c in node.value)
            raise RubricError(f"{path}: field '{_field_path(loc)}': expected a number of at most {MAX_NUMBER_DIGITS} "
                              f"digits, got one of {digits:,} digits")


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
"""libyaml's safe loader (12x faster on the bundled bank: 24 against 311 ms for 15 rubrics, paid by every
command and app start), when PyYAML was built with it; the same constructor and resolver as ``SafeLoader``.
Only a file it reads without error is taken from it: any other file is read again by ``_RubricYamlLoader``,
whose error messages name more (the tab, the alias, the escape) and whose verdict stands."""


def _check_nesting(text: str) -> None:
    """Refuse what ``_RubricYamlLoader`` refuses: a node deeper than ``MAX_NESTING`` (the root is 1, what a
    collection holds one deeper), counted on libyaml's events, which come one by one (no recursion)."""
    depth = 0  # collections open
    for event in yaml.parse(text, Loader=_FAST_LOADER):
        node = isinstance(event, (yaml.CollectionStartEvent, yaml.ScalarEvent, yaml.AliasEvent))
        if node and depth >= MAX_NESTING:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_NESTING} levels deep (the limit)", event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _fast_parse(text: str, path: Path) -> tuple[bool, object]:
    """(True, the document) read by libyaml, or (False, None) when it is not there or finds any problem."""
    if _FAST_LOADER is None:
        return False, None
    try:
        yaml.reader.Reader(text)  # PyYAML's character check: libyaml accepts some characters it refuses
        _check_nesting(text)
        loader = _FAST_LOADER(text)
        try:
            return True, _document(loader, path)
        finally:
            loader.dispose()
    except (yaml.YAMLError, RubricError, RecursionError, ValueError):
        return False, None


def _document(loader: yaml.SafeLoader, path: Path) -> object:
    """The loader's one document (None for an empty file), its numbers checked before it is built."""
    node = loader.get_single_node()
    if node is None:
        return None
    _check_numbers(node, path)
    return loader.construct_document(node)


def _parse_yaml(text: str, path: Path) -> object:
    done, document = _fast_parse(text, path)
    if done:
        return document
    try:
        loader = _RubricYamlLoader(text)  # checks every character at once
    except yaml.YAMLError as exc:
        raise _yaml_error(path, text, exc) from None
    try:
        return _document(loader, path)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, text, exc) from None
    except (RecursionError, ValueError) as exc:  # a guard only: the limits above should stop both first
        raise RubricError(f"{path}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def load_rubric(path: Path) -> Rubric:
    """Read one rubric file; its ``id`` must match the file name (``q03.yaml`` holds ``id: q03``)."""
    info = check_input_file(path, "rubric", RubricError)  # a folder, a link to nowhere, a loop, a device
    if stat.S_ISFIFO(info.st_mode):
        raise RubricError(f"{path}: a pipe (FIFO), not a rubric file")
    text = read_text(path, "rubric", RubricError, limit=MAX_RUBRIC_BYTES)
    document = _parse_yaml(text, path)
    raw_id = document.get("id") if isinstance(document, dict) else None
    wrong_id = (f"{path}: field 'id': expected {path.stem!r} to match the file name, got {raw_id!r}"
                if isinstance(raw_id, str) and raw_id != path.stem else None)
    try:
        rubric = parse_rubric(document, str(path))
    except RubricError as exc:
        if wrong_id is None:
            raise
        # Every problem at once (`rubric check` lists them): the id's is not left for the next round of edits.
        raise _problems_error((*exc.problems, wrong_id)) from None
    if wrong_id is not None:
        raise RubricError(wrong_id)
    return rubric


def rubric_files(path: Path) -> list[Path]:
    """The rubric files at ``path``: the file itself, or every ``*.yaml``/``*.yml`` below a folder that is not a
    folder itself, sorted, except a bank's ``bank.yaml``. Links that lead nowhere or loop are listed, so loading
    them says what is wrong."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*")
                      if p.suffix in RUBRIC_SUFFIXES and p.name != BANK_FILE and not p.is_dir())
    if path.is_symlink() or path.exists():
        return [path]
    raise InputError(f"{path}: no such file or folder")


def derived_bank_name(folder: Path) -> str:
    """A bank name from a folder's name ("My questions" -> "my-questions"), for a folder with no bank.yaml."""
    words = re.findall(r"[a-z0-9]+", (folder.name if folder.name not in ("", ".", "..") else folder.resolve().name).lower())
    return "-".join(words)[:64].strip("-") or "bank"


def read_bank_info(folder: Path) -> BankInfo:
    """The bank's ``bank.yaml`` (validated: errors name the file and the field, in one line), or, when the
    folder has none, a name and title derived from the folder's name."""
    path = folder / BANK_FILE
    if not (path.exists() or path.is_symlink()):
        name = derived_bank_name(folder)
        return BankInfo(name=name, title=name.replace("-", " ").capitalize())
    check_input_file(path, "bank file", RubricError)
    text = read_text(path, "bank file", RubricError, limit=MAX_RUBRIC_BYTES)
    return parse_bank_info(_parse_yaml(text, path), str(path))


class Bank(Mapping[str, Rubric]):
    """The rubrics of a folder, by id, in file order (``q01`` … ``q15``), with the bank's name and title."""

    def __init__(self, rubrics: Mapping[str, Rubric], root: Path | None = None, info: BankInfo | None = None) -> None:
        self._rubrics = dict(rubrics)
        self.root = root
        self.info = info or BankInfo(name=derived_bank_name(root) if root else "bank", title="Questions")

    @property
    def name(self) -> str:
        """The bank's name (``bank.yaml``'s, else derived from the folder): stored with each answer."""
        return self.info.name

    @property
    def title(self) -> str:
        return self.info.title

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
        same = [i for i in ids if _numbers_unpadded(i) == _numbers_unpadded(rubric_id)]  # "stat1" is stat01
        similar = [i for i in difflib.get_close_matches(rubric_id, ids, n=3, cutoff=0.5) if i not in same]
        close = (same + similar)[:3]
        if not close:
            close = [i for i in ids if i.lower().startswith(rubric_id.lower()[:1])][:3] or ids[:3]
        hint = f"; closest: {', '.join(close)}" if close else "; the bank is empty"
        elsewhere = _bundled_bank_with(rubric_id, self.root)
        if elsewhere is not None:
            return (f"unknown rubric id {rubric_id!r}{where}; it is in the bundled bank {elsewhere!r}: "
                    f"add --bank {elsewhere} (in a grade-batch file, \"bank\": \"{elsewhere}\" on its line)")
        from interviewer.rubrics.banks import bank_argument  # banks.py imports this module

        default = self.root is not None and self.root.parent == bundled_banks_dir() and self.name == DEFAULT_BANK
        listing = "interviewer rubric list" + ("" if default or self.root is None else f" --bank {bank_argument(self)}")
        return f"unknown rubric id {rubric_id!r}{where}{hint} (`{listing}` shows all)"


def _numbers_unpadded(rubric_id: str) -> str:
    """An id lower-cased with its numbers' leading zeros dropped ("Stat01" and "stat1" → "stat1")."""
    return re.sub(r"\d+", lambda m: str(int(m.group())), rubric_id.lower())


def _bundled_bank_with(rubric_id: str, besides: Path | None) -> str | None:
    """The name of the (other) bundled bank that has a rubric file named ``rubric_id``, if one has (by file
    name only: nothing is parsed)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", rubric_id) or rubric_id.startswith("."):
        return None
    try:
        folders = sorted(p for p in bundled_banks_dir().iterdir() if p.is_dir())
    except OSError:
        return None
    for folder in folders:
        if besides is not None and folder.resolve() == besides.resolve():
            continue
        names = (f"{rubric_id}{suffix}" for suffix in RUBRIC_SUFFIXES)
        if any(name != BANK_FILE and (folder / name).is_file() for name in names):
            return folder.name
    return None


def load_bank(root: Path) -> Bank:
    """Load every rubric below ``root``, and its ``bank.yaml``. Ids must be unique across the bank."""
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
    return Bank(rubrics, root, read_bank_info(root) if root.is_dir() else None)
