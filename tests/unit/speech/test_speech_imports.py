"""The speech package imports in no circle (issue 11, item 5): engines import the interface (``engine.py``),
the registry imports an engine only when it loads it, and every module imports first, in any order, in a
fresh interpreter. Also: the registry's engines are the ``transcriber`` setting's values."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer import config
from interviewer.errors import InputError
from interviewer.speech import registry

SPEECH = Path(registry.__file__).resolve().parent
MODULES = sorted(f"interviewer.speech.{path.stem}" for path in SPEECH.glob("*.py") if path.stem != "__init__")
ENGINE_MODULES = ("interviewer.speech.faster", "interviewer.speech.openai_engine")


def _imports(module: str) -> set[str]:
    """The ``interviewer.speech`` modules ``module`` imports anywhere in its source, inside functions too."""
    tree = ast.parse((SPEECH / f"{module.rsplit('.', 1)[1]}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)  # from interviewer.speech import x
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES}


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)


def test_the_modules_are_found() -> None:
    assert {"interviewer.speech.engine", "interviewer.speech.registry", "interviewer.speech.transcriber",
            *ENGINE_MODULES} <= set(MODULES)
    assert GRAPH["interviewer.speech.transcriber"] >= {"interviewer.speech.engine"}  # the parser sees imports


def test_no_speech_module_imports_another_in_a_circle_even_inside_a_function() -> None:
    """A depth-first search of every import (deferred ones included) finds no way back to where it started."""
    def visit(module: str, path: tuple[str, ...]) -> None:
        for target in sorted(GRAPH[module]):
            assert target not in path, "import circle: " + " -> ".join((*path[path.index(target):], target))
            visit(target, (*path, target))

    for module in MODULES:
        visit(module, (module,))


def test_engines_import_the_interface_and_never_the_registry_or_the_checks() -> None:
    for engine in ENGINE_MODULES:
        assert "interviewer.speech.engine" in GRAPH[engine]
        assert not GRAPH[engine] & {"interviewer.speech.registry", "interviewer.speech.transcriber"}, engine
    assert GRAPH["interviewer.speech.engine"] == {"interviewer.speech.transcript"}  # the interface stays small


@pytest.mark.parametrize("first", MODULES)
def test_each_module_imports_first_in_a_fresh_interpreter(first: str) -> None:
    """``first`` imported before anything else, then the rest forwards; then, with the package forgotten,
    ``first`` again and the rest backwards."""
    rest = [module for module in MODULES if module != first]
    code = (
        "import importlib, sys\n"
        f"for name in {[first, *rest]!r}: importlib.import_module(name)\n"
        "for name in [m for m in sys.modules if m.startswith('interviewer')]: del sys.modules[name]\n"
        f"for name in {[first, *reversed(rest)]!r}: importlib.import_module(name)\n"
        "print('ok')\n"
    )
    result = _run(code)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]


def test_every_ordered_pair_of_modules_imports() -> None:
    """Each ordered pair (a, b) imported into an interpreter that has forgotten every ``interviewer`` module."""
    pairs = list(itertools.permutations(MODULES, 2))
    code = (
        "import importlib, sys\n"
        f"for pair in {pairs!r}:\n"
        "    for name in [m for m in sys.modules if m.startswith('interviewer')]: del sys.modules[name]\n"
        "    for name in pair:\n"
        "        try: importlib.import_module(name)\n"
        "        except Exception as exc: sys.exit(f'{pair}: {name}: {exc!r}')\n"
        f"print({len(pairs)})\n"
    )
    result = _run(code)
    assert result.returncode == 0 and result.stdout.strip() == str(len(pairs)), result.stderr[-3000:]


def test_the_registry_imports_no_engine_until_one_is_loaded() -> None:
    code = ("import sys, interviewer.speech.registry, interviewer.speech.transcriber\n"
            f"print(','.join(m for m in {ENGINE_MODULES!r} + ('faster_whisper', 'whisper', 'torch') if m in sys.modules))")
    result = _run(code)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr[-2000:]


def test_the_registry_engines_are_the_transcriber_settings_values() -> None:
    assert tuple(registry.ENGINES) == config.TRANSCRIBERS
    assert registry.DEFAULT_ENGINE == config.Settings().transcriber
    assert registry.DEFAULT_BEAM_SIZE == config.Settings().whisper_beam_size


def test_load_transcriber_calls_the_named_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str | None, int, str | None]] = []

    def loader(model: str | None, *, beam_size: int, language: str | None) -> object:
        calls.append((model, beam_size, language))
        return "loaded"

    monkeypatch.setitem(registry.ENGINES, "faster-whisper", loader)
    assert registry.load_transcriber("faster-whisper", "/m", beam_size=2, language=None) == "loaded"
    assert registry.load_transcriber() == "loaded"
    assert calls == [("/m", 2, None), (None, 5, "en")]


def test_an_unknown_engine_is_one_line() -> None:
    with pytest.raises(InputError, match="^transcriber 'vosk': expected one of faster-whisper, openai-whisper$"):
        registry.load_transcriber("vosk")
