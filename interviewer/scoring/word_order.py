"""Is a unit a sentence, or words in no order? A claim needs its words in order: "fit the scaler on
the training split" says something, "split scaler the training fit on the" names the same words and says
nothing. Embeddings and the stance model read both much alike, so shuffled words looked like evidence.

The test is a class-bigram model of English word order. Every function word ("the", "on", "is",
"because" …) is its own class and every other word is one class, ``CONTENT``; the model gives the log
probability of each class after the one before it, from a table fitted on ordinary sentences
(``word_order.json`` beside this module, made by ``benchmarks/train_word_order.py``). A unit's
**order gain** is how much more likely its own order is than the same words shuffled (the mean of a few
fixed permutations), in nats per word pair: ordinary sentences, spoken ones included, gain clearly;
shuffled words gain about nothing. The threshold below which a unit is not read as a claim is chosen on
the training text and its shuffles, never on graded answers (``ORDERED``, see the training script).

Pure Python and a small table: no model to load, deterministic in any process.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from interviewer.errors import ModelNotAvailableError

DEFAULT_TABLE = Path(__file__).with_name("word_order.json")
CONTENT, START, END = "·", "<s>", "</s>"
MIN_WORDS = 6  # shorter units are not judged (a list of three terms is caught by ``text.explains``)
PERMUTATIONS = 8


class WordOrder:
    """``gain(words)``: nats per word pair by which the words' own order beats the same words shuffled."""

    def __init__(self, classes: Sequence[str], logp: Sequence[Sequence[float]], ordered: float) -> None:
        self.classes = tuple(classes)
        self._index = {c: i for i, c in enumerate(self.classes)}
        self._logp = [list(map(float, row)) for row in logp]
        self.ordered = float(ordered)
        """A unit gaining less than this is read as words in no order (not a claim)."""

    def _ids(self, words: Sequence[str]) -> list[int]:
        content = self._index[CONTENT]
        return [self._index.get(w.lower(), content) for w in words]

    def _mean_logp(self, ids: Sequence[int]) -> float:
        sequence = [self._index[START], *ids, self._index[END]]
        total = sum(self._logp[a][b] for a, b in zip(sequence, sequence[1:], strict=False))
        return total / (len(sequence) - 1)

    def gain(self, words: Sequence[str]) -> float | None:
        """None for a unit too short to judge."""
        if len(words) < MIN_WORDS:
            return None
        ids = self._ids(words)
        rng = random.Random(zlib.crc32(" ".join(words).encode("utf-8")))  # the same shuffles in any process
        shuffled = []
        for _ in range(PERMUTATIONS):
            order = list(ids)
            rng.shuffle(order)
            shuffled.append(self._mean_logp(order))
        return self._mean_logp(ids) - sum(shuffled) / len(shuffled)

    def is_ordered(self, words: Sequence[str]) -> bool:
        """Whether the words can make a claim: ordered like a sentence, or too few to judge."""
        gain = self.gain(words)
        return gain is None or gain >= self.ordered


@lru_cache(maxsize=2)
def load_word_order(path: Path = DEFAULT_TABLE) -> WordOrder:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return WordOrder(data["classes"], data["logp"], data["ordered"])
    except FileNotFoundError:
        raise ModelNotAvailableError(f"{path}: the word-order table is missing: reinstall interviewer, or rebuild "
                                     "it with `python benchmarks/train_word_order.py ../shared/data`") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelNotAvailableError(f"{path}: the word-order table could not be read ({exc})") from None
