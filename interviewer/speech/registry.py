"""The transcription engines by name, each imported only when it is loaded.

``ENGINES`` maps the ``transcriber`` setting's values to loaders; a loader imports its engine module (and
so its heavy library) on the call, never when this module is imported. To add an engine: write a module
that implements ``engine.Transcriber``, add a loader here, and its name to ``config.TranscriberName``
(a test checks the two lists agree).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.errors import InputError
from interviewer.speech.engine import EngineLoader, Transcriber

if TYPE_CHECKING:
    from interviewer.config import Settings

DEFAULT_ENGINE = "faster-whisper"
DEFAULT_BEAM_SIZE = 5


def _faster_whisper(model: str | None, *, beam_size: int, language: str | None) -> Transcriber:
    from interviewer.speech.faster import FasterWhisperTranscriber

    return FasterWhisperTranscriber(model, beam_size=beam_size, language=language)


def _openai_whisper(model: str | None, *, beam_size: int, language: str | None) -> Transcriber:
    from interviewer.speech.openai_engine import OpenAIWhisperTranscriber

    return OpenAIWhisperTranscriber(model, beam_size=beam_size, language=language)


ENGINES: dict[str, EngineLoader] = {
    "faster-whisper": _faster_whisper,  # CTranslate2, int8 on the CPU; the packaged Whisper base
    "openai-whisper": _openai_whisper,  # the optional extra interviewer[openai] (PyTorch)
}


def load_transcriber(engine: str = DEFAULT_ENGINE, model: str | None = None, *, beam_size: int = DEFAULT_BEAM_SIZE,
                     language: str | None = "en", warm: bool = True) -> Transcriber:
    """The engine the settings name, loaded offline (``ModelNotAvailableError`` says what to install).

    ``language`` None means detect it; the default "en" skips detection, as rubrics are English. With
    ``warm`` the voice-activity model and the decoder run once on noise before this returns, so the first
    take is transcribed as fast as later ones (``transcriber.warm_up``).
    """
    loader = ENGINES.get(engine)
    if loader is None:
        raise InputError(f"transcriber {engine!r}: expected one of {', '.join(ENGINES)}")
    transcriber = loader(model, beam_size=beam_size, language=language)
    if warm:
        # Deferred like the engines: the checks import numpy and the voice-activity code.
        from interviewer.speech.transcriber import warm_up

        warm_up(transcriber)
    return transcriber


def load_configured_transcriber(settings: Settings, *, warm: bool = True) -> Transcriber:
    """The engine, model, beam and language the settings name (the CLI and the app both load it so), warmed."""
    language = None if settings.whisper_language == "auto" else settings.whisper_language
    return load_transcriber(settings.transcriber, settings.whisper_model, beam_size=settings.whisper_beam_size,
                            language=language, warm=warm)
