"""``benchmarks/train_stance.py``'s foreign pairs: a sentence against a statement from another field is unrelated."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "train_stance", Path(__file__).resolve().parents[3] / "benchmarks" / "train_stance.py")
assert _SPEC is not None and _SPEC.loader is not None
train_stance = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(train_stance)  # a script, not a package module: loaded by path (benchmarks/ is not put on sys.path)

SCIENCE = [{"reference_answer_first_best": "The bulb lights because the circuit is closed."},
           {"reference_answer_first_best": "Terminal 1 and the positive terminal are separated by the gap."}]
SOURCES = {
    "beetle_train": [("the switch closes the path", "ref", "support"), ("no idea", "ref", "unrelated"),
                     ("the switch closes the path", "other ref", "contradict")],
    "hand_written_pairs": [("I fit the scaler on the training rows only.", "stmt", "support"),
                           ("I fit the scaler on the training rows only.", "stmt", "support"),
                           ("Accuracy misleads on imbalanced data.", "stmt", "partial|contradict|unrelated")],
}


def test_every_premise_once_against_another_field_when_the_share_is_one() -> None:
    pairs = train_stance.foreign_pairs(SOURCES, SCIENCE, random.Random(0), 1.0)
    assert [p for p, _, _ in pairs] == ["the switch closes the path", "I fit the scaler on the training rows only.",
                                        "Accuracy misleads on imbalanced data."]  # distinct, unrelated ones left out
    assert {label for *_, label in pairs} == {"unrelated"}
    references = {r["reference_answer_first_best"] for r in SCIENCE}
    rubrics = train_stance.bank_rubrics(*train_stance.BANKS)
    bank_statements = {c.statement for rubric in rubrics for c in rubric.concepts}
    assert pairs[0][1] in bank_statements  # a SemEval answer against a bank's statement
    assert pairs[1][1] in references and pairs[2][1] in references  # a bank sentence against a science reference


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_the_share_is_drawn_from_its_own_generator(share: float) -> None:
    first = train_stance.foreign_pairs(SOURCES, SCIENCE, random.Random(3), share)
    assert first == train_stance.foreign_pairs(SOURCES, SCIENCE, random.Random(3), share)  # reproducible
    assert len(first) <= 3 and (share > 0 or not first)
