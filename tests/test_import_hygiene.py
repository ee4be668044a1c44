"""Importing the headless modules must stay cheap: no torch, no sentence-transformers, no Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "sentence_transformers", "transformers", "textual", "sklearn")


@pytest.mark.parametrize("module", ["interviewer.cli", "interviewer.scoring", "interviewer.rubrics", "interviewer.practice"])
def test_import_does_not_load_heavy_libraries(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
