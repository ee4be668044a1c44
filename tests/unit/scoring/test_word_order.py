"""The word-order signal: a sentence's own order beats its words shuffled; shuffled words do not."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from interviewer.errors import ModelNotAvailableError
from interviewer.scoring import text as T
from interviewer.scoring.word_order import (
    MIN_WORDS,
    collocation_gain,
    load_word_order,
    word_pairs,
)

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
        assert model.judge(words)[0]
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


# A list item from the bundled bank's q01 model answer: too few function words for their order to show.
LIST_ITEM = "(2) Encoding categorical variables — one-hot, target encoding, frequency encoding."
RUBRIC_TEXT = [("Common techniques include encoding categorical variables: one-hot, target encoding, frequency "
                "encoding, and numerical transformations such as log or Box-Cox for skewed distributions.")]


def test_a_list_keeping_the_rubrics_collocations_is_ordered_and_its_shuffles_are_not() -> None:
    model = load_word_order()
    words = T.words(LIST_ITEM)
    pairs = word_pairs(RUBRIC_TEXT)
    assert not model.judge(words)[0], "function words alone cannot tell this list from its shuffles"
    assert model.judge(words, pairs)[0]
    assert (collocation_gain(words, pairs) or 0.0) >= model.collocated
    rng = random.Random(11)
    passing = 0
    for _ in range(40):
        shuffled = list(words)
        rng.shuffle(shuffled)
        passing += model.judge(shuffled, pairs)[0]
    assert passing <= 8, f"{passing} of 40 shuffles read as ordered"


def test_collocation_gain_needs_words_and_pairs_and_is_deterministic() -> None:
    pairs = word_pairs(RUBRIC_TEXT)
    assert collocation_gain(T.words("one-hot target encoding"), pairs) is None  # too short to judge
    assert collocation_gain(T.words(LIST_ITEM), frozenset()) is None  # nothing to judge by
    assert collocation_gain(T.words(LIST_ITEM), pairs) == collocation_gain(list(T.words(LIST_ITEM)), pairs)
    assert ("target", "encoding") in pairs and ("Target", "encoding") not in pairs  # lowercased


def test_the_shipped_table_has_a_collocation_threshold_above_zero() -> None:
    # A unit must keep more of the rubric's word pairs than its shuffles do to be ordered by them.
    assert 0.0 < load_word_order().collocated < 1.0
