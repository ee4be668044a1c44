"""The embedder and the stance cross-encoder on ONNX Runtime: the grading path without torch.

Importing torch and sentence-transformers costs ~3.5 s and ~300 MB before a model is even loaded; ONNX
Runtime and the ``tokenizers`` fast tokenizer cost ~0.2 s. The graphs are the same networks exported with
``torch.onnx`` (``onnx_export.py``); here they are run, and what sentence-transformers and transformers do
around them is done in numpy, to the same numbers (``benchmarks/onnx_agreement.py`` measures it):

* sentence vectors: the transformer's last hidden states, mean-pooled over the attention mask and
  L2-normalised (all-MiniLM-L6-v2's ``Pooling`` + ``Normalize`` modules), texts cut at the model's
  ``max_seq_length``, batches of texts of similar length;
* content-token vectors: the same hidden states, each L2-normalised, with special tokens, punctuation and
  function words left out (``embedder.keep_token``, shared with the torch path);
* stance: the cross-encoder's logits, softmaxed over its four labels, pairs cut at ``stance.MAX_LENGTH``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.errors import ModelNotAvailableError, first_line
from interviewer.scoring.embedder import BATCH_SIZE, keep_token
from interviewer.scoring.stance import LABELS, MAX_LENGTH, CachedStance


SESSION_THREADS = 0
"""Threads per inference session; 0: one per core (``grade-batch --jobs`` shares the cores between processes)."""


def _session(path: Path, *, arena: bool = False) -> Any:
    """An ONNX Runtime CPU session for ``path`` (all graph optimisations, ``SESSION_THREADS`` threads; ``arena``:
    ONNX Runtime's CPU memory arena, for a model whose batches are bounded)."""
    import onnxruntime as ort  # ~0.15 s; only here, never at module scope

    options = ort.SessionOptions()
    options.intra_op_num_threads = SESSION_THREADS
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # warnings about unused initialisers are noise for the user
    # Idle pool threads would spin after each run and take a core from the grader's numpy work that follows
    # (and from anything else on a 2-core machine): measured p50 833 -> 593 ms per answer on a loaded machine.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Batches come in every shape (answers of any length): the memory arena would keep the largest one's
    # buffers for good. Without it, peak RSS of benchmarks/grade_latency.py was 689-775 MB against 785 MB,
    # at the same speed (quiet machine, 2 runs each). The stance model's batches are bounded (32 pairs of at
    # most 128 tokens), and without the arena glibc kept ~170 MB after its first batch of a 60 s answer's 25
    # pairs, against ~60 MB with it (same probabilities: only where tensors live changes).
    options.enable_cpu_mem_arena = arena
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types for a bad file
        first = first_line(exc)
        raise ModelNotAvailableError(f"{path}: the ONNX model could not be loaded ({first[:200]}); delete it to "
                                     "export it again, or set inference = \"torch\"") from None


def _tokenizer(folder: Path, max_length: int) -> Any:
    """The fast tokenizer in ``folder/tokenizer.json``: truncation at ``max_length``, padding to the batch's longest."""
    from tokenizers import Tokenizer

    path = folder / "tokenizer.json"
    if not path.is_file():
        raise ModelNotAvailableError(f"{folder}: no tokenizer.json (a fast tokenizer) for the ONNX path; "
                                     "set inference = \"torch\"")
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length)
    tokenizer.enable_padding()  # to the longest in the batch (the file may ask for a fixed length)
    return tokenizer


def _feeds(session: Any, encodings: list[Any]) -> dict[str, np.ndarray]:
    """The session's inputs for a batch of encodings, (batch, tokens) int64 each."""
    arrays = {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }
    return {i.name: arrays[i.name] for i in session.get_inputs()}


def _normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)


class OnnxEmbedder:
    """A sentence-transformers mean-pooling model exported to ONNX, on ONNX Runtime (``Embedder``).

    ``graph``: the exported transformer (input ids → ``token_embeddings``); ``source``: the model folder it
    was exported from (tokenizer, ``sentence_bert_config.json``); ``name``: as the torch embedder's (the
    folder), so reports read the same; ``precision`` says the backend (rubric caches are kept apart by it).
    """

    def __init__(self, graph: Path, source: Path, name: str, dimension: int, max_length: int,
                 precision: str = "onnx-float32") -> None:
        from threadpoolctl import threadpool_limits

        # One BLAS thread for numpy's small similarity products (see SentenceTransformerEmbedder).
        threadpool_limits(limits=1, user_api="blas")
        self._session = _session(graph)
        self._tokenizer = _tokenizer(source, max_length)
        self.name = name
        self.dimension = dimension
        self.precision = precision

    def _hidden(self, texts: Sequence[str]) -> list[tuple[np.ndarray, list[str]]]:
        """Per text, its (tokens, dim) last hidden states and token strings, padding left out."""
        out: list[tuple[np.ndarray, list[str]]] = [(np.zeros((0, self.dimension)), [])] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # similar lengths share a batch
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            (hidden,) = self._session.run(["token_embeddings"], _feeds(self._session, encodings))
            for row, encoding, states in zip(rows, encodings, hidden, strict=True):
                length = sum(encoding.attention_mask)
                out[row] = (states[:length].astype(np.float32), encoding.tokens[:length])
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalised(np.stack([states.mean(axis=0) for states, _ in self._hidden(texts)]))

    def encode_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        hidden = self._hidden(texts)
        vectors = _normalised(np.stack([states.mean(axis=0) for states, _ in hidden]))
        tokens = [_normalised(states[[i for i, t in enumerate(names) if keep_token(t)]]) for states, names in hidden]
        return vectors, tokens


class OnnxStance(CachedStance):
    """The stance cross-encoder exported to ONNX, on ONNX Runtime (``StanceModel``), with the pair cache."""

    def __init__(self, graph: Path, source: Path, name: str, precision: str = "onnx-float32") -> None:
        super().__init__()
        self._session = _session(graph, arena=True)
        self._tokenizer = _tokenizer(source, MAX_LENGTH)
        self.name = name
        self.precision = precision

    def _run(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        result = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            encodings = self._tokenizer.encode_batch([pairs[i] for i in rows])
            (logits,) = self._session.run(["logits"], _feeds(self._session, encodings))
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            result[rows] = shifted / shifted.sum(axis=1, keepdims=True)
        return result


def _json(path: Path) -> dict[str, Any]:
    import json

    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def load_onnx_embedder(model: str | None = None) -> OnnxEmbedder:
    """The configured embedding model (None: the bundled all-MiniLM-L6-v2) on ONNX Runtime, exported into
    the cache the first time. Only mean-pooling sentence-transformers folders are supported."""
    from interviewer.scoring import onnx_export
    from interviewer.scoring.embedder import resolve_model

    source = Path(resolve_model(model))
    if not source.is_dir():
        raise ModelNotAvailableError(f"embedding model {str(source)!r}: the ONNX path needs a model folder; set "
                                     "embedding_model to a sentence-transformers folder, or inference = \"torch\"")
    pooling = _json(source / "1_Pooling" / "config.json")
    if pooling and not pooling.get("pooling_mode_mean_tokens"):
        raise ModelNotAvailableError(f"{source}: the ONNX path supports mean pooling only; set inference = \"torch\"")
    max_length = int(_json(source / "sentence_bert_config.json").get("max_seq_length") or 512)
    dimension = int(_json(source / "config.json").get("hidden_size") or 0)
    folder = onnx_export.ensure("embedder", source)
    return OnnxEmbedder(folder / onnx_export.GRAPH, source, str(source), dimension, max_length)


def load_onnx_stance(folder: Path | None = None) -> OnnxStance:
    """The shipped stance cross-encoder (or the one in ``folder``) on ONNX Runtime, exported into the cache
    the first time (and again whenever its weights change)."""
    from interviewer.scoring import onnx_export
    from interviewer.scoring.stance import DEFAULT_STANCE_MODEL, check_stance_folder

    source = folder or DEFAULT_STANCE_MODEL
    check_stance_folder(source)
    graph = onnx_export.ensure("stance", source) / onnx_export.GRAPH
    return OnnxStance(graph, source, str(source))
