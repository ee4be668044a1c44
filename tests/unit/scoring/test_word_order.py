"""The word-order signal: a sentence's own order beats its words shuffled; shuffled words do not."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from interviewer.errors import ModelNotAvailableError
from interviewer.scoring import text as T
from interviewer.scoring.word_order import MIN_WORDS, load_word_order

SENTENCES = [
    "Trees do not need feature scaling because they split on one feature at a time.",
    "You should fit the scaler on the training split only and then apply it to the test set.",
    "If the model is only evaluated on a random split, the time series leaks future information into training.",
]


def test_sentences_are_ordered_and_their_shuffles_gain_less() -> None:
    model = load_word_order()
    rng = random.Random(3)
    for sentence in SENTENCES:
        words = T.words(sentence)
        assert model.is_ordered(words)
        shuffled = [list(words) for _ in range(20)]
        for s in shuffled:
            rng.shuffle(s)
        mean_shuffled = sum(model.gain(s) or 0.0 for s in shuffled) / len(shuffled)
        assert model.gain(words) > mean_shuffled + 0.3


def test_short_units_are_not_judged_and_gain_is_deterministic() -> None:
    model = load_word_order()
    assert model.gain(["trees", "need", "no", "scaling"][: MIN_WORDS - 2]) is None
    words = T.words(SENTENCES[0])
    assert model.gain(words) == model.gain(list(words))


def test_a_missing_table_says_how_to_rebuild_it(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError, match="train_word_order.py"):
        load_word_order(tmp_path / "nothing.json")
