"""The banks a candidate can choose by name: the bundled ones (``rubrics/`` in a checkout) and the user's own
(one folder each in ``banks/`` of the data folder), and what a ``--bank`` value stands for.

A bank is a folder of rubric files with an optional ``bank.yaml`` (name, title, description; see
``BankInfo``). ``--bank`` takes a bank's name or a folder path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from interviewer import locations
from interviewer.errors import InputError, InterviewerError
from interviewer.rubrics.loader import BANK_FILE, RUBRIC_SUFFIXES, Bank, load_bank, read_bank_info


@dataclass(frozen=True)
class BankEntry:
    """One bank in a list: its name, title and folder; ``problem`` says why it cannot be used (a bad bank.yaml)."""

    name: str
    title: str
    folder: Path
    bundled: bool
    description: str = ""
    problem: str | None = None


def _entry(folder: Path, bundled: bool) -> BankEntry:
    try:
        info = read_bank_info(folder)
    except InterviewerError as exc:
        return BankEntry(folder.name, folder.name, folder, bundled, problem=exc.message)
    return BankEntry(info.name, info.title, folder, bundled, info.description or "")


def _bank_folders(root: Path) -> list[Path]:
    """Folders under ``root`` holding a bank.yaml or at least one rubric file, by name."""
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        return []
    return [c for c in children if (c / BANK_FILE).exists()
            or any(p.suffix in RUBRIC_SUFFIXES for p in c.iterdir() if not p.is_dir())]


def bundled_banks() -> list[BankEntry]:
    """The banks shipped with the program, the default one first."""
    entries = [_entry(folder, True) for folder in _bank_folders(locations.bundled_banks_dir())]
    return sorted(entries, key=lambda e: (e.folder.name != locations.DEFAULT_BANK, e.name))


def user_banks() -> list[BankEntry]:
    """The user's own banks: each folder in ``locations.user_banks_dir()``."""
    return [_entry(folder, False) for folder in _bank_folders(locations.user_banks_dir())]


def available_banks() -> list[BankEntry]:
    """Bundled banks, then the user's own."""
    return [*bundled_banks(), *user_banks()]


def resolve_bank(spec: str | Path) -> Path:
    """The folder a ``--bank`` value names: a folder path, a bundled bank's name, or the name of one of the
    user's banks (its folder's or its bank.yaml's). An unknown name is a one-line error listing the names; it
    starts with the name, and the caller says where the name came from (``--bank``, a batch line's field)."""
    text = str(spec)
    folder = locations.bank_folder(text)
    if folder.is_dir() or len(Path(text).parts) != 1 or text.startswith((".", "~")):
        return folder
    for entry in user_banks():
        if entry.name == text:
            return entry.folder
    names = ", ".join(e.name for e in available_banks())
    raise InputError(f"{text}: no bank of that name and no such folder; banks: {names or 'none'} "
                     f"(or give a folder of rubric files; your own banks go in {locations.user_banks_dir()})")


def load_named_bank(spec: str) -> Bank:
    """The bank a ``--bank`` value names (``resolve_bank``), loaded: also what a grade-batch line's ``bank``
    field and its report's model answers go through, so a line names a bank as ``--bank`` does."""
    return load_bank(resolve_bank(spec))


class NamedBanks:
    """Banks by the names lines of a batch give them (``load_named_bank``), each loaded once, a name that does
    not load included: it raises its ``InputError`` every time it is asked for."""

    def __init__(self) -> None:
        self._loaded: dict[str, Bank | InputError] = {}

    def __getitem__(self, name: str) -> Bank:
        if name not in self._loaded:
            try:
                self._loaded[name] = load_named_bank(name.strip())
            except InputError as exc:
                self._loaded[name] = exc
        found = self._loaded[name]
        if isinstance(found, InputError):
            raise InputError(found.message)
        return found


def bank_argument(bank: Bank) -> str:
    """What ``--bank`` takes for ``bank``, quoted for a shell: its name when ``--bank`` finds it by that name
    (``resolve_bank``: a bundled bank, or one of the user's banks), else its folder. The one place a message
    that suggests a ``--bank`` value decides it."""
    import shlex

    if bank.root is None:
        return shlex.quote(bank.name)
    try:
        found = resolve_bank(bank.name)
    except InputError:  # no bank of that name
        return shlex.quote(str(bank.root))
    same = found.is_dir() and found.resolve() == bank.root.resolve()
    return shlex.quote(bank.name if same else str(bank.root))
