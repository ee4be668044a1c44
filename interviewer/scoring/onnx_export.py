"""Export the embedding model and the stance cross-encoder to ONNX with ``torch.onnx`` (torch stays the
library for training and exporting; grading runs the files on ONNX Runtime, ``onnx_models.py``).

    python benchmarks/export_onnx.py            # both models, into the user cache (as the first grade would)
    python benchmarks/export_onnx.py --out DIR  # elsewhere, to look at them

What is exported is the transformer alone: input ids, attention mask and token types in, the last hidden
states (``token_embeddings``) or the classifier's ``logits`` out, batch and length dynamic. Pooling,
normalising and softmax stay in numpy. The files are float32: ONNX Runtime's dynamic int8 quantisation
(``quantize``) was measured far outside the agreement bounds (sentence cosines down to 0.83, stance
probabilities off by up to 0.67), and float32 files (~90 MB each) are too big to ship, so they are exported
into the user's cache the first time they are needed (``ensure``), keyed by the weights they came from: a
retrained stance model is exported again by itself. Each folder has a ``provenance.json``: the source
folder, the SHA-256 of its weights and config (``source_digest``), the exporter's versions.

Needs torch, transformers and the ``onnx`` package (all dependencies of interviewer); importing this
module is free, the imports happen in the functions.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

from interviewer.errors import ModelNotAvailableError, first_line

OPSET = 17
GRAPH = "model.onnx"
PROVENANCE = "provenance.json"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_EXPORTING = threading.Lock()
"""One export at a time in a process: ``torch.onnx.export`` keeps global state (two at once fail with
"GLOBALS.in_onnx_export must be False"), and ``make_grader`` loads the two models on two threads."""


def weights_file(source: Path) -> Path:
    """The weights file of a transformers model folder."""
    for name in WEIGHT_FILES:
        if (source / name).is_file():
            return source / name
    raise ModelNotAvailableError(f"model {str(source)!r} could not be loaded offline (no model.safetensors or "
                                 "pytorch_model.bin in it); use a local sentence-transformers folder, or unset "
                                 "embedding_model for the bundled one")


def source_digest(source: Path) -> str:
    """SHA-256 over the folder's weights file and ``config.json``: what an export was made from."""
    digest = hashlib.sha256()
    for path in (weights_file(source), source / "config.json"):
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _require_exporter() -> None:
    missing = [name for name in ("torch", "transformers", "onnx") if not _importable(name)]
    if missing:
        raise ModelNotAvailableError(
            f"exporting to ONNX needs {', '.join(missing)}, which is not installed: "
            f"`pip install {' '.join(missing)}`, or set inference = \"torch\" in the config "
            "(INTERVIEWER_INFERENCE=torch) to grade without ONNX Runtime")


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def export(kind: str, source: Path, target: Path, *, quantize: bool = False) -> Path:
    """Export the model in ``source`` (``kind``: "embedder", a transformers encoder whose hidden states are
    pooled; "stance", a sequence classifier) to ``target/model.onnx`` with its provenance; the folder."""
    if kind not in ("embedder", "stance"):
        raise ValueError(f"kind {kind!r}: expected embedder or stance")
    _require_exporter()
    from interviewer.scoring.embedder import force_offline

    force_offline()
    # torch + transformers: ~3.5 s to import; only the export pays it.
    import torch
    import transformers
    from transformers import AutoModel, AutoModelForSequenceClassification

    loader = AutoModel if kind == "embedder" else AutoModelForSequenceClassification
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()  # "Loading weights" would reach the user's terminal
    model = loader.from_pretrained(str(source), local_files_only=True).float().eval()
    output = "token_embeddings" if kind == "embedder" else "logits"

    class Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state if kind == "embedder" else out.logits

    target.mkdir(parents=True, exist_ok=True)
    example = torch.ones(2, 16, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, output)}
    if kind == "stance":
        axes[output] = {0: "batch"}
    with tempfile.TemporaryDirectory(dir=target) as scratch:
        plain = Path(scratch) / GRAPH
        # The tracer warns about Python conditionals in transformers' code that are constant for this
        # graph (the shapes are dynamic axes); the agreement with torch is tested, the warnings are noise.
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Graph(), (example, example, torch.zeros_like(example)), str(plain),
                              input_names=list(INPUTS), output_names=[output], dynamic_axes=axes,
                              opset_version=OPSET, dynamo=False)
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantized = Path(scratch) / "quantized.onnx"
            quantize_dynamic(str(plain), str(quantized), weight_type=QuantType.QInt8)
            plain = quantized
        os.replace(plain, target / GRAPH)
    provenance = {
        "kind": kind,
        "source": str(source),
        "source_sha256": source_digest(source),
        "output": output,
        "quantized": "dynamic int8 (onnxruntime.quantization)" if quantize else None,
        "opset": OPSET,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "script": "benchmarks/export_onnx.py (interviewer.scoring.onnx_export.export)",
    }
    (target / PROVENANCE).write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    return target


def cache_folder(kind: str, source: Path) -> Path:
    """Where the export of ``source`` lives in the user's cache: keyed by the source's path, the size and
    time of its weights and its config, so a retrained or replaced model is exported again (cheap: no
    hashing of the weights on every start; the full digest is in the provenance)."""
    from interviewer import locations

    weights = weights_file(source).stat()
    key = hashlib.sha256("\0".join([
        kind, str(source.resolve()), str(weights.st_size), str(weights.st_mtime_ns), str(OPSET),
        (source / "config.json").read_text(encoding="utf-8", errors="replace"),
    ]).encode()).hexdigest()[:16]
    return locations.cache_dir() / "onnx" / f"{kind}-{key}"


def ensure(kind: str, source: Path, progress: Callable[[str], None] | None = None) -> Path:
    """The folder holding ``source`` exported to ONNX, exporting it into the cache the first time (one line
    to ``progress``, default stderr). ``ModelNotAvailableError`` says what to do when it cannot be."""
    folder = cache_folder(kind, source)
    if _exported(folder):
        return folder
    with _EXPORTING:
        if _exported(folder):  # another thread exported it while this one waited
            return folder
        label = "embedding model" if kind == "embedder" else "stance model"
        (progress or _to_stderr)(f"Preparing the {label} for ONNX Runtime (once, about 10-20 s): {folder}")
        try:
            return export(kind, source, folder)
        except ModelNotAvailableError:
            raise
        except Exception as exc:  # noqa: BLE001 - the exporter's errors are many and deep; the way forward is one
            first = first_line(exc)
            raise ModelNotAvailableError(
                f"{source}: exporting the {label} to ONNX failed ({first[:200]}); set inference = \"torch\" in "
                "the config (or INTERVIEWER_INFERENCE=torch) to grade with torch instead") from None


def _exported(folder: Path) -> bool:
    return (folder / GRAPH).is_file() and (folder / PROVENANCE).is_file()


def _to_stderr(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)
