"""The layout keeps its shape: the import-linter contracts in pyproject.toml hold (layers, the app never
imports the command line, nothing outside tui imports Textual), and no module grows past 400 lines."""

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
