"""Importing the headless modules must stay cheap: no torch, no sentence-transformers, no Textual, no Whisper,
no PortAudio (sounddevice fails to import without it)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "sentence_transformers", "transformers", "textual", "sklearn",
         "faster_whisper", "ctranslate2", "onnxruntime", "av", "sounddevice", "whisper")


@pytest.mark.parametrize("module", ["interviewer.cli", "interviewer.scoring", "interviewer.rubrics", "interviewer.practice",
                                    "interviewer.speech", "interviewer.speech.commands", "interviewer.speech.recorder",
                                    "interviewer.speech.transcriber", "interviewer.speech.delivery", "interviewer.render",
                                    "interviewer.reports", "interviewer.history", "interviewer.resume",
                                    "interviewer.session_commands"])
def test_import_does_not_load_heavy_libraries(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
