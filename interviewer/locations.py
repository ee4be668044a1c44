"""Where things live: the bundled bank, and the user's config, data and cache folders (XDG).

Each function returns a path; the ``*_dir`` ones create the folder when asked to.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_path, user_config_path, user_data_path

APP_NAME = "interviewer"
PACKAGE_DIR = Path(__file__).resolve().parent


DEFAULT_BANK = "practical-ml"


def bundled_banks_dir() -> Path:
    """The folder of the rubric banks shipped with the program, one subfolder per bank.

    In a wheel it is copied into the package as ``interviewer/bank``; in a source checkout
    (editable install) it is the repository's ``rubrics/`` folder.
    """
    packaged = PACKAGE_DIR / "bank"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "rubrics"


def bundled_bank_dir(name: str = DEFAULT_BANK) -> Path:
    """One bundled bank's folder (by default the practical-ML bank)."""
    return bundled_banks_dir() / name


def user_banks_dir() -> Path:
    """Where the user's own banks live, one folder each (``banks/`` in the data folder); listed beside the
    bundled ones by name."""
    return data_dir() / "banks"


def bank_folder(spec: str | Path) -> Path:
    """The folder a ``--bank`` value stands for: an existing folder as given; else a bundled bank's name
    (``statistics``); else the name of a folder in ``user_banks_dir()``; else the value as a path (loading it
    then says it is not there)."""
    path = Path(spec).expanduser()
    if path.is_dir() or len(path.parts) != 1 or str(spec).startswith("."):
        return path
    for folder in (bundled_banks_dir() / path.name, user_banks_dir() / path.name):
        if folder.is_dir():
            return folder
    return path


def config_file() -> Path:
    """The config file: ``$INTERVIEWER_CONFIG`` if set, else ``config.toml`` in the user config folder."""
    env = os.environ.get("INTERVIEWER_CONFIG")
    if env:
        return Path(env).expanduser()
    return user_config_path(APP_NAME) / "config.toml"


def _user_dir(env_name: str, default: Path, create: bool) -> Path:
    env = os.environ.get(env_name)
    path = Path(env).expanduser() if env else default
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir(create: bool = False) -> Path:
    """The user's data folder (``$INTERVIEWER_DATA_DIR`` overrides it): history and sessions."""
    return _user_dir("INTERVIEWER_DATA_DIR", user_data_path(APP_NAME), create)


def cache_dir(create: bool = False) -> Path:
    """The user's cache folder (``$INTERVIEWER_CACHE_DIR`` overrides it): assembled models and the like."""
    return _user_dir("INTERVIEWER_CACHE_DIR", user_cache_path(APP_NAME), create)


def recordings_dir() -> Path:
    """Where recordings go by default (the ``recordings`` setting overrides it): the repository's ``recordings/``
    when the program runs from a clone (the folder is there beside ``pyproject.toml``), else ``recordings`` in
    the data folder (an installed copy)."""
    repo = PACKAGE_DIR.parent / "recordings"
    if repo.is_dir() and (PACKAGE_DIR.parent / "pyproject.toml").is_file():
        return repo
    return data_dir() / "recordings"


def session_recordings_dir(root: Path, session_id: int | None) -> Path:
    """The folder of one session's recordings under ``root`` (``session-12``); ``root`` itself without a session."""
    return root if session_id is None else root / f"session-{session_id}"


def make_recordings_folder(folder: Path, way_out: str) -> Path:
    """Make ``folder`` for recordings (and its parents); ``InputError`` in one line when it is a file or cannot
    be made, ending with ``way_out`` (what the user can do instead: the flags of the command at hand)."""
    from interviewer.errors import InputError

    if folder.exists() and not folder.is_dir():  # the setting or its variable names a file
        raise InputError(f"{folder}: not a folder; set `recordings` to a folder, or {way_out}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot make the recordings folder ({exc.strerror}); set `recordings` in the "
                         f"config, or {way_out}") from None
    return folder


def shown(path: Path) -> str:
    """``path`` as the user would type it: relative to the current folder when below it, ``~/…`` when below
    the home folder, else as it is."""
    path = path.expanduser()
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(path.resolve().relative_to(base.resolve()))
        except (ValueError, OSError, RuntimeError):
            continue
    return str(path)
