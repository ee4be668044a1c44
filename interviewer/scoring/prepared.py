"""A rubric prepared for grading (``PreparedRubric``): its statements, cues, claims and model answer embedded
once (``Grader.prepare``), and what the grader asks of them for one answer: each concept's candidate units
(``candidates``), each concept judged from them (``match``), the word-order signal, the fingerprint that
relevance compares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from interviewer.rubrics.model import Rubric
from interviewer.scoring import text as T
from interviewer.scoring.concepts import AnswerUnits, ConceptCandidates, concept_candidates, match_concept
from interviewer.scoring.features import concept_extras
from interviewer.scoring.result import ConceptResult
from interviewer.scoring.word_order import load_word_order, word_pairs

if TYPE_CHECKING:
    from interviewer.scoring.concept_model import ConceptModel

__all__ = ["PreparedRubric", "first_statements", "rubric_texts", "rubric_word_pairs"]


@dataclass(frozen=True)
class PreparedRubric:
    """A rubric with its embeddings (d = the embedding size)."""

    rubric: Rubric
    statements: tuple[np.ndarray, ...]
    """Per concept: (1 + alternatives, d)."""
    cues: tuple[np.ndarray, ...]
    """Per concept: (cues, d)."""
    claims: np.ndarray
    """(misconceptions, d)."""
    corrections: np.ndarray
    model_units: tuple[T.Span, ...]
    model_vectors: np.ndarray
    """(model-answer units, d)."""
    key_lemmas: frozenset[str]
    """Content lemmas of the model answer and statements that are not in the question."""
    question_lemmas: frozenset[str]
    """Content lemmas of the question: an answer's words that only repeat it say nothing new."""
    related: tuple[int, ...]
    """Per misconception: the index of the concept it gets wrong (closest statement to its correction)."""
    question: np.ndarray
    """The question's embedding, (d,): an answer that only restates the question says little."""
    statement_tokens: tuple[tuple[np.ndarray, ...], ...]
    """Per concept, per statement or alternative: its content tokens' vectors, (tokens, d)."""
    model_tokens: np.ndarray
    """The model answer's content tokens, (tokens, d)."""
    question_tokens: np.ndarray | None = None
    """The question's content tokens, (tokens, d): the model answer's tokens that only repeat the
    question count less in the question-demoted token features."""
    pairs: frozenset[tuple[str, str]] = frozenset()
    """The rubric's adjacent word pairs (``word_order.word_pairs``): a list of terms is in order when it
    keeps them."""

    def word_order(self, parts: AnswerUnits) -> tuple[tuple[bool, ...], tuple[float, ...]]:
        """Per unit of an answer, judged once (``WordOrder.judge``): whether its words are in an order that
        can make a claim, and the order signal."""
        table = load_word_order()
        judged = [table.judge(T.words(unit.text), self.pairs) for unit in parts.units]
        return tuple(ok for ok, _ in judged), tuple(signal for _, signal in judged)

    def candidates(self, parts: AnswerUnits, vectors: np.ndarray) -> tuple[ConceptCandidates, ...]:
        """Per concept, the answer's units read against it (``vectors``: the units' embeddings)."""
        return tuple(concept_candidates(c, self.statements[i], self.cues[i], parts, vectors)
                     for i, c in enumerate(self.rubric.concepts))

    def match(self, parts: AnswerUnits, vectors: np.ndarray, answer_tokens: np.ndarray,
              unit_tokens: Sequence[np.ndarray], found: Sequence[ConceptCandidates],
              table: Mapping[tuple[str, str], np.ndarray], model: ConceptModel | None,
              ) -> tuple[tuple[ConceptResult, ...], list[dict[str, float]]]:
        """Each concept judged from its candidates (``table``: their stance), and the answer-level signals
        (``features.concept_extras``) it was judged with."""
        ordered, order = self.word_order(parts)
        extras = concept_extras(self, answer_tokens, vectors, found, unit_tokens, ordered)
        return tuple(match_concept(c, found[i], parts, table, extras[i], model, order)
                     for i, c in enumerate(self.rubric.concepts)), extras

    @property
    def first_statements(self) -> np.ndarray:
        """Each concept's statement (not its alternatives), (concepts, d)."""
        return first_statements(self.statements)

    @property
    def model_words(self) -> int:
        return T.word_count(self.rubric.model_answer)

    @property
    def fingerprint(self) -> np.ndarray:
        """What the rubric is about: model-answer units and concept statements, (rows, d)."""
        return np.vstack([self.model_vectors, *self.statements])


def first_statements(statements: Sequence[np.ndarray]) -> np.ndarray:
    """Of each concept's block (its statement, then its alternatives), the statement: (concepts, d)."""
    return np.vstack([block[0] for block in statements])


def rubric_texts(rubric: Rubric, model_units: Sequence[T.Span]) -> list[str]:
    texts: list[str] = []
    for concept in rubric.concepts:
        texts.extend((concept.statement, *concept.alternatives))
    for concept in rubric.concepts:
        texts.extend(concept.cues)
    texts.extend(m.claim for m in rubric.misconceptions)
    texts.extend(m.correction for m in rubric.misconceptions)
    texts.extend(u.text for u in model_units)
    texts.append(rubric.question)
    return texts


def rubric_word_pairs(rubric: Rubric) -> frozenset[tuple[str, str]]:
    """The rubric's collocations (``word_order.word_pairs``): of every text it embeds, the model answer
    whole. ``benchmarks/train_word_order.py`` chooses the collocation threshold on these same pairs."""
    return word_pairs([rubric.model_answer, *rubric_texts(rubric, ())])
