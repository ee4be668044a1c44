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

Function words cannot judge a list ("(2) Encoding categorical variables — one-hot, target encoding"):
it has too few of them, and reads much the same shuffled. Its order shows in its **collocations**
instead: the word pairs it shares with the rubric it is graded against ("categorical variables",
"target encoding"). A unit's **collocation gain** is how many more of the rubric's word pairs its own
order makes than the same words shuffled, per word pair. A unit is ordered when either test says so; the
collocation threshold (``collocated``) is the gain that at most 5% of shuffled model answers reach (chosen
on the bank's rubrics by the training script, again never on graded answers).

Pure Python and a small table: no model to load, deterministic in any process.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from interviewer.errors import ModelNotAvailableError
from interviewer.scoring import text as T

DEFAULT_TABLE = Path(__file__).with_name("word_order.json")
CONTENT, START, END = "·", "<s>", "</s>"
MIN_WORDS = 6  # shorter units are not judged (a list of three terms is caught by ``text.explains``)
PERMUTATIONS = 8


class WordOrder:
    """``gain(words)``: nats per word pair by which the words' own order beats the same words shuffled."""

    def __init__(self, classes: Sequence[str], logp: Sequence[Sequence[float]], ordered: float,
                 collocated: float = float("inf")) -> None:
        self.classes = tuple(classes)
        self._index = {c: i for i, c in enumerate(self.classes)}
        self._logp = [list(map(float, row)) for row in logp]
        self.ordered = float(ordered)
        """A unit gaining less than this is read as words in no order (not a claim)."""
        self.collocated = float(collocated)
        """...unless its collocation gain reaches this."""

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

    def judge(self, words: Sequence[str], pairs: AbstractSet[tuple[str, str]] = frozenset()) -> tuple[bool, float]:
        """(whether the words can make a claim, the order signal).

        They can when they are ordered like a sentence, too few to judge, or keep more of ``pairs`` (the
        rubric's word pairs, ``word_pairs``) than their shuffles do. The signal is the gain clipped to
        [-0.5, 1.5], and 1.0 for a unit too short to judge or a list ordered by its collocations."""
        gain = self.gain(words)
        if gain is None:
            return True, 1.0
        if gain >= self.ordered:
            return True, min(1.5, gain)
        collocation = collocation_gain(words, pairs)
        if collocation is not None and collocation >= self.collocated:
            return True, 1.0
        return False, max(-0.5, gain)


def word_pairs(texts: Iterable[str]) -> frozenset[tuple[str, str]]:
    """The adjacent word pairs (lowercased) of ``texts``: a rubric's collocations."""
    pairs: set[tuple[str, str]] = set()
    for text in texts:
        words = [w.lower() for w in T.words(text)]
        pairs.update(pairwise(words))
    return frozenset(pairs)


def collocation_gain(words: Sequence[str], pairs: AbstractSet[tuple[str, str]]) -> float | None:
    """How many more of ``pairs`` the words make in their own order than shuffled (the mean of a few
    fixed permutations), per word pair; None for a unit too short to judge or no pairs to judge by."""
    if len(words) < MIN_WORDS or not pairs:
        return None
    lowered = [w.lower() for w in words]

    def hits(sequence: Sequence[str]) -> int:
        return sum(pair in pairs for pair in pairwise(sequence))

    rng = random.Random(zlib.crc32(" ".join(lowered).encode("utf-8")))
    shuffled = 0
    for _ in range(PERMUTATIONS):
        order = list(lowered)
        rng.shuffle(order)
        shuffled += hits(order)
    return (hits(lowered) - shuffled / PERMUTATIONS) / (len(lowered) - 1)


@lru_cache(maxsize=2)
def load_word_order(path: Path = DEFAULT_TABLE) -> WordOrder:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return WordOrder(data["classes"], data["logp"], data["ordered"], data["collocated"])
    except FileNotFoundError:
        raise ModelNotAvailableError(f"{path}: the word-order table is missing: reinstall interviewer, or rebuild "
                                     "it with `python benchmarks/train_word_order.py ../shared/data`") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelNotAvailableError(f"{path}: the word-order table could not be read ({exc})") from None
