"""The layout keeps its shape: the import-linter contracts in pyproject.toml hold (layers, the app never
imports the command line, nothing outside tui imports Textual), no module grows past 400 lines, and the tests
keep the layout of tests/README.md."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

MAX_LINES = 400


def test_the_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("lint-imports is not installed: bash .ci/setup --test installs import-linter")
    result = subprocess.run([lint], cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(REPO)): n for p in sorted((REPO / "interviewer").rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"over {MAX_LINES} lines: split them by responsibility"


def test_the_package_top_level_stays_small() -> None:
    """At most 7 plain modules beside the packages (the shared base), not counting __init__ and __main__."""
    top = sorted(p.name for p in (REPO / "interviewer").glob("*.py") if not p.name.startswith("__"))
    assert len(top) <= 7, top


# The whole-package checks stay at the top of tests/. test_onnx*.py wait there to move to unit/scoring/.
TOP_LEVEL_TESTS = ("test_architecture.py", "test_import_hygiene.py", "test_onnx*.py")
FUNCTIONAL = ("cli", "tui", "audio")


def test_tests_follow_the_layout() -> None:
    """tests/README.md: unit/<package>/ mirrors interviewer/, functional/{cli,tui,audio}/ drives the program,
    and every folder holding tests is a package (so two test files may share a name)."""
    tests = REPO / "tests"
    packages = {p.parent.name for p in (REPO / "interviewer").glob("*/__init__.py")}
    misplaced: list[str] = []
    not_packages: set[str] = set()
    for path in sorted(tests.rglob("test_*.py")):
        parts = path.relative_to(tests).parts
        if "__snapshots__" in parts:
            continue
        if len(parts) == 1:
            placed = any(path.match(pattern) for pattern in TOP_LEVEL_TESTS)
        elif parts[0] == "unit":
            placed = len(parts) == 2 or (len(parts) == 3 and parts[1] in packages)
        else:
            placed = parts[0] == "functional" and len(parts) == 3 and parts[1] in FUNCTIONAL
        if not placed:
            misplaced.append("/".join(parts))
        not_packages |= {f"tests/{folder}/" for folder in path.relative_to(tests).parents
                         if not (tests / folder / "__init__.py").is_file()}
    assert misplaced == [], f"not where tests/README.md puts them: {misplaced}"
    assert not_packages == set(), f"hold tests but have no __init__.py: {sorted(not_packages)}"
