"""The interpretable features of a grade: checklist coverage, alignment with the model answer sentence
by sentence and token by token, relevance, length. The rubric profile scores from the checklist
(``checklist.py``); the reference profile (a rubric derived from one reference answer) weighs these
features by logistic regression; all of them are in every grade's ``features`` for inspection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from interviewer.scoring import text as T
from interviewer.scoring.concepts import (
    COVERED_SIMILARITY,
    AnswerUnits,
    ConceptCandidates,
)
from interviewer.scoring.result import (
    ConceptResult,
    MisconceptionHit,
    Relevance,
    Similarity,
)

if TYPE_CHECKING:
    from interviewer.scoring.prepared import PreparedRubric

# Sentence-level F1 against the model answer is mapped from [floor, ceiling] onto [0, 1].
SIMILARITY_FLOOR = 0.25
SIMILARITY_CEILING = 0.75
SOFT_CREDIT_FLOOR = 0.30  # below this cosine a concept earns no soft credit
# Length counts only up to this many words, and only in distinct units: saying more helps a little,
# saying the same thing again does not.
LENGTH_CAP_WORDS = 250


def distinct_words(parts: AnswerUnits) -> int:
    """Words in the answer's units, each distinct unit (case and spacing folded) counted once."""
    seen: set[str] = set()
    total = 0
    for unit in parts.units:
        key = " ".join(T.words(unit.text)).lower()
        if key not in seen:
            seen.add(key)
            total += T.word_count(unit.text)
    return total


def _token_recall(reference: np.ndarray, answer: np.ndarray) -> float:
    """Mean over the reference's tokens of the best cosine to any answer token (BERTScore recall)."""
    if not len(reference) or not len(answer):
        return 0.0
    return float((reference @ answer.T).max(axis=1).mean())


def _novelty(tokens: np.ndarray, question: np.ndarray | None) -> np.ndarray:
    """Per token, how far it is from every question token: 1 - best cosine, at least 0.001."""
    if question is None or not len(question) or not len(tokens):
        return np.ones(len(tokens))
    return np.clip(1.0 - (tokens @ question.T).max(axis=1), 0.0, None) + 1e-3


def question_demoted(ready: PreparedRubric, answer: np.ndarray) -> dict[str, float]:
    """Token alignment with the model answer in which words that only repeat the question count less.

    ``qd_token_recall``: mean over the model answer's tokens, each weighted by how far it is from the
    question, of its best cosine to an answer token; ``qd_token_precision``: the same over the answer's
    tokens against the model answer. An answer that restates the question matches the model answer's
    question words, which every answer to that question shares; what counts is the rest.
    """
    if not len(ready.model_tokens) or not len(answer):
        return {"qd_token_recall": 0.0, "qd_token_precision": 0.0}
    cosines = ready.model_tokens @ answer.T
    weights = _novelty(ready.model_tokens, ready.question_tokens)
    answer_weights = _novelty(answer, ready.question_tokens)
    recall = float((cosines.max(axis=1) * weights).sum() / weights.sum())
    precision = float((cosines.max(axis=0) * answer_weights).sum() / answer_weights.sum())
    return {"qd_token_recall": round(recall, 4), "qd_token_precision": round(precision, 4)}


def concept_token_recalls(ready: PreparedRubric, answer: np.ndarray) -> list[float]:
    """Per concept, the best BERTScore recall of its statement or an alternative by the answer's tokens."""
    return [max(_token_recall(t, answer) for t in block) for block in ready.statement_tokens]


def concept_extras(ready: PreparedRubric, answer: np.ndarray, vectors: np.ndarray,
                   found: Sequence[ConceptCandidates], unit_tokens: Sequence[np.ndarray] = (),
                   ordered: Sequence[bool] = ()) -> list[dict[str, float]]:
    """Per concept, answer-level signals for ``concepts.match_concept``: ``token_recall`` (the best
    BERTScore recall of its statement or an alternative by the answer's tokens), ``qd_token_recall``
    (the same with the statement's words that only repeat the question counting less),
    ``ordered_token_recall`` and ``ordered_qd_recall`` (the same two by the tokens of the units whose
    words are in an order that can make a claim), and ``question`` (the cosine to the question of the
    unit closest to the concept: a unit that only restates the question is close to the point's words
    without saying it).

    ``unit_tokens``: each unit's content tokens; ``ordered``: whether each unit's words are in an order
    that can make a claim (``PreparedRubric.word_order``; a unit it does not cover counts as ordered).

    A key point is stated by sentences (or list items) that say it, not by its words scattered in no
    order: the recall by every token of the answer is as high for the model answer's words shuffled as
    for the model answer itself."""
    kept = [t for u, t in enumerate(unit_tokens) if len(t) and (ordered[u] if u < len(ordered) else True)]
    ordered_tokens = np.vstack(kept) if kept else np.zeros((0, answer.shape[1]), dtype=np.float32)
    extras = []
    for block, candidates, recall in zip(ready.statement_tokens, found, concept_token_recalls(ready, answer),
                                         strict=True):
        best = max(candidates.units, key=lambda u: float(candidates.closeness[u]), default=None)
        question = float(vectors[best] @ ready.question) if best is not None else 0.0
        extras.append({"token_recall": recall, "qd_token_recall": _best_recall(ready, block, answer),
                       "ordered_token_recall": _best_recall(ready, block, ordered_tokens, demote=False),
                       "ordered_qd_recall": _best_recall(ready, block, ordered_tokens), "question": question})
    return extras


def _best_recall(ready: PreparedRubric, block: Sequence[np.ndarray], answer: np.ndarray, *,
                 demote: bool = True) -> float:
    """The best token recall of a concept's statement or an alternative (``block``) by ``answer``'s tokens;
    with ``demote``, its words that only repeat the question count less (``_novelty``)."""
    best = 0.0
    for tokens in block:
        if len(tokens) and len(answer):
            weights = _novelty(tokens, ready.question_tokens) if demote else np.ones(len(tokens))
            best = max(best, float(((tokens @ answer.T).max(axis=1) * weights).sum() / weights.sum()))
    return best


def token_features(ready: PreparedRubric, answer: np.ndarray, extras: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Token-level alignment (BERTScore-style, contextual MiniLM token vectors, function words left out).

    ``token_coverage``: weighted mean over concepts of the best token recall of a statement or an
    alternative (``extras[i]["token_recall"]`` from ``concept_extras``, computed once per answer);
    ``best_token_recall``: the best concept's; ``token_recall`` / ``token_precision`` / ``token_f1``:
    against the model answer's tokens.
    """
    weights = [c.weight for c in ready.rubric.concepts]
    recalls = [extra["token_recall"] for extra in extras]
    recall = _token_recall(ready.model_tokens, answer)
    precision = _token_recall(answer, ready.model_tokens)
    f1 = 2 * recall * precision / (recall + precision) if recall + precision > 0 else 0.0
    return {
        "token_coverage": round(sum(w * r for w, r in zip(weights, recalls, strict=True)) / sum(weights), 4),
        "best_token_recall": round(max(recalls, default=0.0), 4),
        "token_recall": round(recall, 4),
        "token_precision": round(precision, 4),
        "token_f1": round(f1, 4),
    }


def _soft_credit(concept: ConceptResult) -> float:
    """Credit that grows with similarity between the partial and covered thresholds (0 if contradicted)."""
    if concept.contradicted:
        return 0.0
    low, high = SOFT_CREDIT_FLOOR, COVERED_SIMILARITY
    credit = min(1.0, max(0.0, (concept.similarity - low) / (high - low)))
    return credit if concept.explained else min(credit, 0.5)


def answer_features(ready: PreparedRubric, concepts: Sequence[ConceptResult], wrong: Sequence[MisconceptionHit],
                    topic: Relevance, similarity: Similarity, parts: AnswerUnits, vectors: np.ndarray) -> dict[str, float]:
    """Every feature but the token ones, from the matched concepts, wrong claims and relevance."""
    total = ready.rubric.total_weight
    coverage = sum(c.credit * c.weight for c in concepts) / total
    soft = sum(c.weight * _soft_credit(c) for c in concepts) / total
    covered_share = sum(c.weight for c in concepts if c.status == "covered") / total
    mean_similarity = sum(c.similarity * c.weight for c in concepts) / total
    best_similarity = max((c.similarity for c in concepts), default=0.0)
    touched = [c for c in concepts if c.status != "missed"]
    explained = sum(c.explained for c in touched) / len(touched) if touched else 0.0
    span = SIMILARITY_CEILING - SIMILARITY_FLOOR
    normalised = min(1.0, max(0.0, (similarity.f1 - SIMILARITY_FLOOR) / span))
    answer_lemmas = T.content_lemmas(parts.text) - ready.question_lemmas
    shared = len(answer_lemmas & ready.key_lemmas)
    other = topic.best_other_score if topic.best_other_score is not None else topic.score
    to_question = float((vectors @ ready.question).max()) if len(vectors) else 0.0
    negation_mismatch = float(T.polarity_conflict(parts.text, ready.rubric.model_answer)) if parts.text else 0.0
    return {
        "coverage": round(coverage, 4),
        "covered_share": round(covered_share, 4),
        "soft_coverage": round(soft, 4),
        "concept_similarity": round(mean_similarity, 4),
        "best_concept_similarity": round(best_similarity, 4),
        "similarity": round(normalised, 4),
        "similarity_f1": similarity.f1,
        "similarity_recall": similarity.recall,
        "similarity_precision": similarity.precision,
        "lexical_recall": round(shared / len(ready.key_lemmas), 4) if ready.key_lemmas else 0.0,
        "lexical_precision": round(shared / len(answer_lemmas), 4) if answer_lemmas else 0.0,
        "explained_share": round(explained, 4),
        "wrong_claims": float(len(wrong)),
        "penalty": round(sum(h.penalty for h in wrong), 4),
        "relevance": topic.score,
        "relevance_margin": round(topic.score - other, 4),
        "off_topic": 0.0 if topic.on_topic else 1.0,
        "contradicted": float(sum(c.contradicted for c in concepts)),
        # What the stance model said: the weighted mean and the best probability that a unit states a concept.
        "stance_coverage": round(sum(c.weight * c.stance for c in concepts) / total, 4),
        "stance_best": round(max((c.stance for c in concepts), default=0.0), 4),
        "question_similarity": round(to_question, 4),
        "negation_mismatch": negation_mismatch,
        "log_words": round(float(np.log1p(min(distinct_words(parts), LENGTH_CAP_WORDS))), 4),
        # Shorter than the model answer (log ratio of word counts, 0 when at least as long).
        "short_answer": round(min(0.0, float(np.log1p(len(parts.words)) - np.log1p(ready.model_words))), 4),
    }
