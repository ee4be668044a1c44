"""Stance: does a candidate's sentence state a rubric statement, part of it, the opposite, or none of it?

Similarity cannot tell "fit the scaler on the training split only" from "fit the scaler on the whole
dataset": they share almost every word. The stance model reads the two sentences together (a
cross-encoder) and returns, for each pair ``(candidate sentence, rubric statement)``, the probabilities
of four classes:

* ``support``: the sentence states what the statement says (in any words);
* ``partial``: it touches the point, names it, or states part of it;
* ``contradict``: it says the opposite: a negation, a reversal (before/after, train/test, bias/variance),
  warning against what the statement recommends, or a wrong definition in the right words;
* ``unrelated``: it neither states nor denies it.

The shipped model (``stance_model/`` beside this module) is all-MiniLM-L6-v2 fine-tuned by
``benchmarks/train_stance.py`` on SemEval-2013's train splits (Beetle, SciEntsBank), pairs generated from
the practical-ML rubrics, and hand-written pairs against every bundled bank's rubrics and other topics
(``benchmarks/data/stance/``); ``stance_model/provenance.json`` says exactly on what. It is loaded offline from that folder.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from interviewer.errors import ModelNotAvailableError, first_line

LABELS = ("support", "partial", "contradict", "unrelated")
SUPPORT, PARTIAL, CONTRADICT, UNRELATED = range(4)
DEFAULT_STANCE_MODEL = Path(__file__).with_name("stance_model")
MAX_LENGTH = 128  # tokens per pair; a unit and a statement are each well under half of it
BATCH_SIZE = 32
CACHE_PAIRS = 20_000  # remembered pair results: regrading the same answer costs nothing


class StanceModel(Protocol):
    """``predict(pairs)[i]`` is the probability of each of ``LABELS`` for ``pairs[i]`` (rows sum to 1)."""

    name: str

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Shape (len(pairs), 4), float32."""
        ...


# Cosine thresholds of the similarity-only stance (all-MiniLM-L6-v2 between a unit and a statement).
COVERED_SIMILARITY = 0.65  # the meaning is clearly there on its own
PARTIAL_SIMILARITY = 0.575  # close enough to touch the point


class SimilarityStance:
    """Stance from similarity and negation words alone, with no model of its own.

    A pair close in meaning is *support* (or *partial* when the unit only names terms, or is less
    close); one side negated where the other is not, on the same head word, is *contradict*; the rest
    is *unrelated*. It misses reversals and wrong definitions that the cross-encoder catches: the
    grader falls back to it only when it is given no stance model (the unit tests' fake embedders).
    """

    def __init__(self, embedder: object) -> None:
        self._embedder = embedder
        self.name = f"similarity ({getattr(embedder, 'name', 'embedder')})"

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        from interviewer.scoring import text as T

        result = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        if not pairs:
            return result
        texts = list(dict.fromkeys(t for pair in pairs for t in pair))
        vectors = self._embedder.encode(texts)  # type: ignore[attr-defined]
        index = {t: i for i, t in enumerate(texts)}
        for row, (unit, statement) in enumerate(pairs):
            cosine = float(vectors[index[unit]] @ vectors[index[statement]])
            if cosine >= PARTIAL_SIMILARITY and T.polarity_conflict(unit, statement):
                label = CONTRADICT
            elif cosine >= COVERED_SIMILARITY:
                label = SUPPORT if T.explains(unit) else PARTIAL
            elif cosine >= PARTIAL_SIMILARITY:
                label = PARTIAL
            else:
                label = UNRELATED
            result[row] = 0.1 / (len(LABELS) - 1)
            result[row, label] = 0.9
        return result


class CachedStance:
    """What the cross-encoder backends share: ``predict`` answers repeated pairs from a cache (regrading the
    same answer costs nothing) and runs the rest, once each, through ``_run``."""

    batch_size = BATCH_SIZE

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _run(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Shape (len(pairs), 4): the model's probabilities for pairs not seen before."""
        raise NotImplementedError

    def forget(self) -> None:
        """Empty the pair cache (the next ``predict`` runs every pair, as for answers never seen)."""
        with self._lock:
            self._cache.clear()

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        result = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        todo: dict[tuple[str, str], list[int]] = {}
        with self._lock:
            for i, pair in enumerate(pairs):
                hit = self._cache.get(pair)
                if hit is not None:
                    result[i] = hit
                    self._cache.move_to_end(pair)
                else:
                    todo.setdefault(pair, []).append(i)
        if todo:
            unique = list(todo)
            probs = self._run(unique)
            with self._lock:
                for pair, row in zip(unique, probs, strict=True):
                    result[todo[pair]] = row
                    self._cache[pair] = row
                while len(self._cache) > CACHE_PAIRS:
                    self._cache.popitem(last=False)
        return result


class CrossEncoderStance(CachedStance):
    """The fine-tuned cross-encoder on the CPU (transformers), with a cache of pair results.

    ``precision``: "float32" or "bfloat16" (bfloat16 only where the CPU computes it natively; see
    ``embedder.cpu_has_native_bfloat16``).
    """

    def __init__(self, folder: Path = DEFAULT_STANCE_MODEL, precision: str = "float32") -> None:
        super().__init__()
        from interviewer.scoring.embedder import force_offline

        force_offline()
        check_stance_folder(folder)
        # torch and transformers cost ~3 s to import; the embedder has usually paid it already.
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(str(folder), local_files_only=True)
        except (OSError, ValueError) as exc:
            first = first_line(exc)
            raise ModelNotAvailableError(f"{folder}: the stance model could not be loaded ({first})") from None
        self._model = model.float().eval()
        self._torch = torch
        self.name = str(folder)
        self.precision = precision

    def _run(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        torch = self._torch
        out = []
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        for start in range(0, len(order), BATCH_SIZE):
            chunk = [pairs[i] for i in order[start : start + BATCH_SIZE]]
            encoded = self._tokenizer([a for a, _ in chunk], [b for _, b in chunk], padding=True, truncation=True,
                                      max_length=MAX_LENGTH, return_tensors="pt")
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16,
                                                        enabled=self.precision == "bfloat16"):
                logits = self._model(**encoded).logits.float()
            out.append(torch.softmax(logits, dim=-1).numpy())
        probs = np.vstack(out) if out else np.zeros((0, len(LABELS)), dtype=np.float32)
        result = np.empty_like(probs)
        result[order] = probs
        return result.astype(np.float32)


def check_stance_folder(folder: Path) -> None:
    """``ModelNotAvailableError`` unless ``folder`` holds a stance model."""
    if not (folder / "config.json").is_file():
        raise ModelNotAvailableError(
            f"{folder}: the stance model is missing: reinstall interviewer, or retrain it with "
            "`python benchmarks/train_stance.py ../shared/data`"
        )


def load_stance(folder: Path | None = None, precision: str = "float32") -> CrossEncoderStance:
    """The shipped stance model (or one in ``folder``)."""
    return CrossEncoderStance(folder or DEFAULT_STANCE_MODEL, precision)
