"""The stance models' pair cache: repeated pairs are not run again, until the cache is emptied."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from interviewer.scoring.stance import LABELS, CachedStance


class CountingStance(CachedStance):
    """Probabilities from the pair's text lengths; counts the pairs the "model" is asked about."""

    name = "counting"

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[tuple[str, str]] = []

    def _run(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        self.ran.extend(pairs)
        rows = np.array([[len(a), len(b), 1.0, 1.0] for a, b in pairs], dtype=np.float32)
        return rows / rows.sum(axis=1, keepdims=True)


PAIRS = [("fit the scaler on train", "fit on the training split"), ("trees need no scaling", "scale for SVMs")]


def test_a_pair_seen_before_is_answered_from_the_cache() -> None:
    stance = CountingStance()
    first = stance.predict(PAIRS + PAIRS[:1])  # a repeat inside one call is run once
    assert stance.ran == PAIRS
    again = stance.predict(PAIRS[::-1])
    assert stance.ran == PAIRS  # nothing new ran
    np.testing.assert_array_equal(again, first[[1, 0]])
    assert first.shape == (3, len(LABELS))


def test_forget_runs_every_pair_again_with_the_same_result() -> None:
    stance = CountingStance()
    first = stance.predict(PAIRS)
    stance.forget()
    again = stance.predict(PAIRS)
    assert stance.ran == PAIRS + PAIRS
    np.testing.assert_array_equal(again, first)
