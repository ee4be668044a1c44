"""Importing the headless modules must stay cheap: no torch, no sentence-transformers, no Textual, no Whisper,
no PortAudio (sounddevice fails to import without it)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "sentence_transformers", "transformers", "textual", "sklearn",
         "faster_whisper", "ctranslate2", "onnxruntime", "av", "sounddevice", "whisper")


@pytest.mark.parametrize("module", ["interviewer.cli", "interviewer.scoring", "interviewer.rubrics", "interviewer.cli.practice",
                                    "interviewer.speech", "interviewer.cli.speech_commands", "interviewer.speech.recorder",
                                    "interviewer.speech.transcriber", "interviewer.speech.delivery", "interviewer.cli.render",
                                    "interviewer.reports", "interviewer.session", "interviewer.session.round",
                                    "interviewer.session.history", "interviewer.session.resume",
                                    "interviewer.cli.session_commands", "interviewer.cli.grading_commands",
                                    "interviewer.scoring.factory", "interviewer.scoring.evaluation",
                                    "interviewer.session.lifecycle", "interviewer.tui.models", "interviewer.tui.services"])
def test_import_does_not_load_heavy_libraries(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"


# The app loads Textual, of course, but never a model library: those load in worker threads after the
# first screen is painted (the first question is on screen in well under a second).
APP_HEAVY = tuple(m for m in HEAVY if m != "textual")


@pytest.mark.parametrize("module", ["interviewer.tui", "interviewer.tui.app", "interviewer.tui.screens.interview",
                                    "interviewer.tui.screens.feedback", "interviewer.tui.screens.start",
                                    "interviewer.tui.widgets.voice_panel"])
def test_importing_the_app_does_not_load_models(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {APP_HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"


def test_the_app_reads_typed_messages_and_has_no_test_switches() -> None:
    """Workers report with typed messages (``tui/messages.py``, or a widget's own), not through
    ``Worker.StateChanged`` filtered by worker names; cursor blinking is the test fixtures' business; screens
    use no private member of the app."""
    from pathlib import Path

    import interviewer.tui

    for path in Path(interviewer.tui.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "Worker.StateChanged" not in text, path
        assert ".still" not in text and "cursor_blink" not in text, path
        assert "app._" not in text and "interviewer._" not in text, path
