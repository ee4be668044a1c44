"""The ONNX Runtime backend: the setting, where the exported files come from, agreement with torch on real
sentences, and grading that never imports torch."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from interviewer.config import ENV_VARS, Settings, load_settings
from interviewer.errors import InputError, ModelNotAvailableError
from interviewer.scoring import onnx_export

from tests.conftest import REPO, cli_env, user_cache

SENTENCES = (
    "Fit the scaler on the training split only, then apply it to the validation and test splits.",
    "Fit the scaler on the whole dataset before splitting it.",
    "Regularization adds a penalty on large weights, trading a little bias for less variance.",
    "Honestly I am not sure.",
    "A man is eating food.",
    "Cross-validation averages the score over k folds, e.g. k=5, so the estimate is less noisy!",
)
STATEMENTS = (
    "The scaler's statistics are computed on the training data only.",
    "Regularization reduces variance at the cost of some bias.",
)


def test_onnx_is_the_default_and_torch_is_selectable(tmp_path: Path) -> None:
    assert Settings().inference == "onnx"
    assert ENV_VARS["inference"] == "INTERVIEWER_INFERENCE"
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    assert load_settings(config, {"INTERVIEWER_INFERENCE": "torch"}).inference == "torch"
    with pytest.raises(InputError, match="field 'inference': expected onnx or torch"):
        load_settings(config, {"INTERVIEWER_INFERENCE": "tensorflow"})


def test_the_cache_folder_follows_the_weights(tmp_path: Path) -> None:
    """A retrained model (new weights file) is exported again, into a new folder; the same weights reuse one."""
    source = tmp_path / "model"
    source.mkdir()
    (source / "config.json").write_text("{}", encoding="utf-8")
    (source / "model.safetensors").write_bytes(b"old weights")
    first = onnx_export.cache_folder("stance", source)
    assert onnx_export.cache_folder("stance", source) == first
    assert onnx_export.cache_folder("embedder", source) != first
    (source / "model.safetensors").write_bytes(b"new weights!")
    assert onnx_export.cache_folder("stance", source) != first


def test_an_impossible_export_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "model"
    source.mkdir()
    (source / "config.json").write_text("{}", encoding="utf-8")
    (source / "model.safetensors").write_bytes(b"weights")
    monkeypatch.setattr(onnx_export, "_importable", lambda name: name != "onnx")
    lines: list[str] = []
    with pytest.raises(ModelNotAvailableError, match=r"needs onnx.*`pip install onnx`.*inference = \"torch\""):
        onnx_export.ensure("stance", source, progress=lines.append)
    assert len(lines) == 1 and "once" in lines[0]


def test_two_threads_never_export_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """torch.onnx.export keeps global state, and make_grader loads the two models on two threads: the exports
    take turns (the real export from an empty cache: tests/unit/speech/test_speech_whisper.py's grade --audio)."""
    import threading
    import time

    sources = []
    for name in ("embedder-src", "stance-src"):
        source = tmp_path / name
        source.mkdir()
        (source / "config.json").write_text("{}", encoding="utf-8")
        (source / "model.safetensors").write_bytes(name.encode())
        sources.append(source)
    monkeypatch.setattr(onnx_export, "cache_folder", lambda kind, source: tmp_path / "cache" / kind)
    running, most = [0], [0]

    def export(kind: str, source: Path, folder: Path) -> Path:
        running[0] += 1
        most[0] = max(most[0], running[0])
        time.sleep(0.2)
        folder.mkdir(parents=True)
        (folder / onnx_export.GRAPH).write_bytes(b"graph")
        (folder / onnx_export.PROVENANCE).write_text("{}", encoding="utf-8")
        running[0] -= 1
        return folder

    monkeypatch.setattr(onnx_export, "export", export)
    threads = [threading.Thread(target=onnx_export.ensure, args=(kind, source, lambda line: None))
               for kind, source in zip(("embedder", "stance"), sources, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1
    assert (tmp_path / "cache" / "embedder" / onnx_export.GRAPH).is_file()
    assert (tmp_path / "cache" / "stance" / onnx_export.GRAPH).is_file()


# -- the real models ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def both_backends(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[object, object]]]:
    """The real models on torch (float32) and on ONNX Runtime, exported into the tests' shared ONNX folder
    (a module fixture is set up before the autouse one isolates the test's cache: it isolates its own)."""
    from interviewer.scoring import factory

    cache = user_cache(tmp_path_factory.mktemp("user") / "cache", request.config, tmp_path_factory)
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INTERVIEWER_CACHE_DIR", str(cache))
        for backend in ("torch", "onnx"):
            settings = Settings(inference=backend, embedding_precision="float32")  # type: ignore[arg-type]
            embedder = factory.load_embedder(settings)
            out[backend] = (embedder, factory.load_stance(settings, embedder))
    yield out


@pytest.mark.model
def test_onnx_and_torch_agree_on_real_sentences(both_backends: dict[str, tuple[object, object]]) -> None:
    """Sentence and content-token vectors to a cosine of 0.99 (measured: 0.99999+), the same content tokens,
    stance probabilities within 0.01 (measured: ~2e-6)."""
    (t_embedder, t_stance), (o_embedder, o_stance) = both_backends["torch"], both_backends["onnx"]
    texts = [*SENTENCES, *STATEMENTS]
    t_vectors, t_tokens = t_embedder.encode_tokens(texts)  # type: ignore[attr-defined]
    o_vectors, o_tokens = o_embedder.encode_tokens(texts)  # type: ignore[attr-defined]
    assert o_vectors.shape == t_vectors.shape and o_vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(o_vectors, axis=1), 1.0, atol=1e-5)
    assert ((t_vectors * o_vectors).sum(axis=1) >= 0.99).all()
    assert np.allclose(o_embedder.encode(texts), o_vectors, atol=1e-5)  # type: ignore[attr-defined]
    for a, b in zip(t_tokens, o_tokens, strict=True):
        assert a.shape == b.shape
        assert ((a * b).sum(axis=1) >= 0.99).all()
    pairs = [(s, statement) for s in SENTENCES for statement in STATEMENTS]
    t_probs, o_probs = t_stance.predict(pairs), o_stance.predict(pairs)  # type: ignore[attr-defined]
    assert np.allclose(o_probs.sum(axis=1), 1.0, atol=1e-5)
    assert np.abs(t_probs - o_probs).max() <= 0.01
    assert (t_probs.argmax(axis=1) == o_probs.argmax(axis=1)).all()
    assert o_embedder.encode([]).shape == (0, t_vectors.shape[1])  # type: ignore[attr-defined]


@pytest.mark.model
def test_the_export_records_what_it_was_made_from(both_backends: dict[str, tuple[object, object]]) -> None:
    """The stance export in use was made from the stance weights as they are now (a retrained model is
    exported again): its provenance holds their digest."""
    import json

    from interviewer.scoring.stance import DEFAULT_STANCE_MODEL

    folder = onnx_export.cache_folder("stance", DEFAULT_STANCE_MODEL)
    provenance = json.loads((folder / onnx_export.PROVENANCE).read_text(encoding="utf-8"))
    assert provenance["source_sha256"] == onnx_export.source_digest(DEFAULT_STANCE_MODEL)
    assert provenance["kind"] == "stance" and provenance["quantized"] is None


HEAVY_REPORT = ("heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
                "print('HEAVY=' + ','.join(heavy))\n")
ANSWER = "Fit the scaler on the training split only, then apply it to the test split, to avoid leakage."


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=cli_env(),
                            cwd=REPO, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Preparing" not in result.stderr  # the fixture exported the models already
    return result


@pytest.mark.model
@pytest.mark.parametrize("command", ["grade", "grade-batch"])
def test_grading_on_onnx_never_imports_torch(both_backends: dict[str, tuple[object, object]], tmp_path: Path,
                                            command: str) -> None:
    """A one-shot ``grade`` and a ``grade-batch`` in a fresh process, with the real models on ONNX Runtime
    (exported already, by the fixture): torch, transformers and sentence-transformers are never imported."""
    assert os.environ.get("INTERVIEWER_INFERENCE") is None  # the default backend
    code = f"import sys\nfrom interviewer import cli\nrc = cli.main(sys.argv[1:])\n{HEAVY_REPORT}sys.exit(rc)\n"
    if command == "grade":
        args = ["grade", "--rubric", "q03", "--answer", ANSWER]
    else:
        answers = tmp_path / "answers.jsonl"
        answers.write_text(f'{{"rubric": "q03", "answer": "{ANSWER}"}}\n', encoding="utf-8")
        args = ["grade-batch", str(answers), "-o", str(tmp_path / "graded.jsonl"), "-q"]
    result = _run(code, *args)
    assert result.stdout.strip().splitlines()[-1] == "HEAVY=", result.stdout[-500:]
    if command == "grade-batch":
        assert '"predicted_score"' in (tmp_path / "graded.jsonl").read_text(encoding="utf-8")


@pytest.mark.model
def test_the_app_loads_its_models_without_torch(both_backends: dict[str, tuple[object, object]]) -> None:
    """The app's model loaders (``tui.services``, run in its worker threads) on the default settings."""
    code = ("import sys\nfrom interviewer.config import Settings\nfrom interviewer.tui import services\n"
            "embedder = services._load_embedder(Settings())\nstance = services._load_stance(embedder, Settings())\n"
            "assert type(embedder).__name__ == 'OnnxEmbedder' and type(stance).__name__ == 'OnnxStance'\n"
            "print(stance.predict([('a', 'b')]).shape)\n" + HEAVY_REPORT)
    result = _run(code)
    assert result.stdout.strip().splitlines() == ["(1, 4)", "HEAVY="]
