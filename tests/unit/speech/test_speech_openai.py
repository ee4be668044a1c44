"""The optional openai-whisper engine: clear messages when the package or its weights are missing (with a fake
``whisper`` module), and, where the package is installed, the real loading path with a tiny checkpoint."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from interviewer.errors import ModelNotAvailableError
from interviewer.speech.audio import SAMPLE_RATE
from interviewer.speech.openai_engine import OpenAIWhisperTranscriber
from interviewer.speech.registry import load_transcriber


def test_package_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "whisper", None)  # makes `import whisper` raise ImportError
    with pytest.raises(ModelNotAvailableError, match=r"pip install 'interviewer\[openai\]'"):
        load_transcriber("openai-whisper")


class FakeModel:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def transcribe(self, audio: np.ndarray, **options: object) -> dict[str, object]:
        self.calls.append(len(audio))
        assert options["fp16"] is False and options["word_timestamps"] is True
        return {"language": "en", "segments": [
            {"start": 0.5, "end": 1.5, "text": " Hello there.",
             "words": [{"word": " Hello", "start": 0.5, "end": 1.0, "probability": 0.9},
                       {"word": " there.", "start": 1.0, "end": 1.5, "probability": 0.8}]}]}


@pytest.fixture
def fake_whisper(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> types.SimpleNamespace:
    model = FakeModel()
    module = types.SimpleNamespace(_MODELS={"base": "https://example.invalid/abc/base.pt"}, model=model, loaded=[])

    def load_model(path: str, device: str) -> FakeModel:
        module.loaded.append((path, device))
        return model

    module.load_model = load_model
    monkeypatch.setitem(sys.modules, "whisper", module)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return module


def test_named_weights_not_cached_give_a_way_forward(fake_whisper) -> None:
    with pytest.raises(ModelNotAvailableError) as info:
        OpenAIWhisperTranscriber("base")
    message = info.value.message
    assert "base.pt: the openai-whisper weights for 'base' are not on this machine" in message
    assert 'transcriber = "faster-whisper"' in message and fake_whisper.loaded == []


def test_unknown_name_and_missing_file(fake_whisper, tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError, match="not an openai-whisper model name"):
        OpenAIWhisperTranscriber("huge-v9")
    with pytest.raises(ModelNotAvailableError, match="no such openai-whisper checkpoint"):
        OpenAIWhisperTranscriber(str(tmp_path / "model.pt"))


def test_cached_weights_load_and_chunks_are_offset(fake_whisper, tmp_path: Path) -> None:
    cached = tmp_path / "xdg-cache" / "whisper" / "base.pt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"weights")
    transcriber = OpenAIWhisperTranscriber("base")
    assert fake_whisper.loaded == [(str(cached), "cpu")]
    samples = np.zeros(70 * SAMPLE_RATE, dtype=np.float32)  # three chunks of at most 30 s
    seen: list[float] = []
    transcript = transcriber.transcribe(samples, on_segment=lambda segment, done: seen.append(done))
    assert len(fake_whisper.model.calls) == 3 and max(fake_whisper.model.calls) <= 30 * SAMPLE_RATE
    assert transcript.engine == "openai-whisper" and transcript.language == "en"
    assert transcript.text == "Hello there. Hello there. Hello there."
    starts = [s.start for s in transcript.segments]
    assert starts[0] == 0.5 and starts[1] > 25 and starts[2] > 50
    assert transcript.words[2].text == " Hello" and transcript.words[2].start == starts[1]
    assert seen == sorted(seen)


def test_real_package_loads_a_tiny_checkpoint(tmp_path: Path) -> None:
    """The real openai-whisper code path (optional extra): a 2 MB random-weight model the test writes."""
    pytest.importorskip("whisper", reason="openai-whisper is an optional extra (pip install 'interviewer[openai]')")
    import torch
    from whisper.model import ModelDimensions, Whisper
    from whisper.tokenizer import get_tokenizer

    dims = ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=8, n_audio_head=2, n_audio_layer=1,
                           n_vocab=51865, n_text_ctx=448, n_text_state=8, n_text_head=2, n_text_layer=1)
    model = Whisper(dims)
    with torch.no_grad():  # a decoder that favours end-of-text, so decoding stops within seconds
        model.decoder.ln.weight.zero_()
        model.decoder.ln.bias.fill_(1.0)
        model.decoder.token_embedding.weight.zero_()
        model.decoder.token_embedding.weight[get_tokenizer(multilingual=True).eot] = 1.0
    checkpoint = tmp_path / "tiny.pt"
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, checkpoint)
    transcriber = load_transcriber("openai-whisper", str(checkpoint), beam_size=1)
    samples = (0.1 * np.sin(2 * np.pi * 200 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)).astype(np.float32)
    transcript = transcriber.transcribe(samples)
    assert transcript.engine == "openai-whisper" and transcript.duration == 1.0
    assert all(0 <= s.start <= s.end for s in transcript.segments)
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelNotAvailableError, match="not a loadable openai-whisper checkpoint"):
        load_transcriber("openai-whisper", str(broken))
