"""Detectors for what similarity alone cannot see: wrong claims, and answers to another question.

* Misconceptions: a unit makes one of the rubric's wrong claims when it carries one of the claim's cue
  phrases, or is close in meaning to the claim and closer to it than to the correction, and its
  polarity agrees with the claim's (so "never shuffle a time series" does not match the claim "shuffle
  the time series").
* Relevance: how well the answer's units fit its own rubric (its model answer and concept statements)
  against how well they fit every other question of the bank. An answer that fits another question
  clearly better, or fits nothing, is off-topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from interviewer.rubrics.model import Rubric
from interviewer.scoring import text as T
from interviewer.scoring.concepts import AnswerUnits
from interviewer.scoring.result import ConceptResult, MisconceptionHit, Relevance

# Similarity alone cannot tell "normalizing the whole dataset before splitting [leaks]" from the claim
# "normalizing the whole dataset before splitting is fine": a unit makes a claim by meaning only when
# it is much closer to the claim than to anything correct the rubric says (its correction and every
# concept statement). Chosen on the team's dev set: correct answers' units stay below this margin.
CLAIM_SIMILARITY = 0.60  # a unit this close to a claim makes it, if it is closer to the claim than ...
CLAIM_MARGIN = 0.24  # ... to the correction and to every concept statement, by at least this much
CUE_CLAIM_SIMILARITY = 0.45  # a claim cue counts when the unit is at least this close to the claim ...
CUE_RIVAL_TOLERANCE = 0.0  # ... and at least as close to it as to the correction and every concept
CONTRADICTION_PENALTY = 1.0  # points off for saying the opposite of a concept (not a listed misconception)
OFF_TOPIC_MARGIN = 0.06  # another question fits the answer better by this much: off-topic
OFF_TOPIC_FLOOR = 0.30  # the answer fits its own question less than this: off-topic
OFF_TOPIC_CAP = 2.0  # the highest score an off-topic answer can get


def find_misconceptions(
    rubric: Rubric,
    claims: np.ndarray,
    corrections: np.ndarray,
    statements: np.ndarray,
    parts: AnswerUnits,
    vectors: np.ndarray,
) -> list[MisconceptionHit]:
    """The rubric's misconceptions the answer states, each with its best evidence unit.

    ``claims``, ``corrections``: (misconceptions, d); ``statements``: every concept statement and
    alternative, (rows, d); ``vectors``: the answer's units, (units, d).
    """
    hits: list[MisconceptionHit] = []
    if not len(vectors) or not rubric.misconceptions:
        return hits
    to_claims = vectors @ claims.T  # [unit, misconception]
    to_corrections = vectors @ corrections.T
    to_concepts = (vectors @ statements.T).max(axis=1) if len(statements) else np.zeros(len(vectors))
    for m_index, misconception in enumerate(rubric.misconceptions):
        best, best_unit = 0.0, None
        for u_index, unit in enumerate(parts.units):
            claim_sim = float(to_claims[u_index, m_index])
            rival = max(float(to_corrections[u_index, m_index]), float(to_concepts[u_index]))
            cue = any(T.find_cue(c, parts.unit_content[u_index]) for c in misconception.cues)
            by_cue = cue and claim_sim >= CUE_CLAIM_SIMILARITY and claim_sim >= rival - CUE_RIVAL_TOLERANCE
            by_meaning = claim_sim >= CLAIM_SIMILARITY and claim_sim >= rival + CLAIM_MARGIN
            if not (by_cue or by_meaning) or T.polarity_conflict(unit.text, misconception.claim):
                continue
            if claim_sim > best:
                best, best_unit = claim_sim, u_index
        if best_unit is not None:
            hits.append(
                MisconceptionHit(
                    misconception_id=misconception.id,
                    claim=misconception.claim,
                    correction=misconception.correction,
                    penalty=misconception.penalty,
                    evidence=parts.evidence(best_unit),
                    similarity=round(best, 4),
                )
            )
    return hits


def discredit(concepts: Sequence[ConceptResult], hits: Sequence[MisconceptionHit], related: Sequence[int],
              rubric: Rubric) -> tuple[ConceptResult, ...]:
    """A unit that makes a wrong claim is no evidence for the concept the claim gets wrong.

    ``related[m]`` is the index of the concept misconception ``m`` is about (the concept whose
    statement is closest to its correction). That concept, if its evidence is the same unit, is
    marked contradicted and earns nothing.
    """
    index = {m.id: i for i, m in enumerate(rubric.misconceptions)}
    spans: dict[int, set[tuple[int, int]]] = {}
    for hit in hits:
        if hit.misconception_id in index and hit.evidence is not None:
            spans.setdefault(related[index[hit.misconception_id]], set()).add((hit.evidence.start, hit.evidence.end))
    result = []
    for i, concept in enumerate(concepts):
        if concept.evidence and (concept.evidence.start, concept.evidence.end) in spans.get(i, set()):
            concept = replace(concept, status="missed", credit=0.0, contradicted=True)
        result.append(concept)
    return tuple(result)


def contradictions(concepts: Sequence[ConceptResult], already: Sequence[MisconceptionHit]) -> list[MisconceptionHit]:
    """Wrong claims from contradicted concepts, except where a listed misconception already covers the unit."""
    taken = {(h.evidence.start, h.evidence.end) for h in already if h.evidence}
    hits = []
    for concept in concepts:
        if not concept.contradicted or concept.evidence is None:
            continue
        if (concept.evidence.start, concept.evidence.end) in taken:
            continue
        hits.append(
            MisconceptionHit(
                misconception_id=f"contradicts:{concept.concept_id}",
                claim=concept.evidence.text,
                correction=concept.statement,
                penalty=CONTRADICTION_PENALTY,
                evidence=concept.evidence,
                similarity=concept.similarity,
            )
        )
        taken.add((concept.evidence.start, concept.evidence.end))
    return hits


def fit(vectors: np.ndarray, fingerprint: np.ndarray) -> float:
    """Mean over the answer's units of the best cosine to a rubric's fingerprint rows."""
    if not len(vectors) or not len(fingerprint):
        return 0.0
    return float((vectors @ fingerprint.T).max(axis=1).mean())


def relevance(own_id: str, own: np.ndarray, others: dict[str, np.ndarray], vectors: np.ndarray,
              answered: bool) -> Relevance:
    """Whether the answer is about its own question; ``others`` are the other rubrics' fingerprints."""
    own_fit = fit(vectors, own)
    best_id, best_fit = None, None
    for rubric_id, fingerprint in others.items():
        if rubric_id == own_id:
            continue
        score = fit(vectors, fingerprint)
        if best_fit is None or score > best_fit:
            best_id, best_fit = rubric_id, score
    reason = ""
    if answered and best_fit is not None and best_fit - own_fit >= OFF_TOPIC_MARGIN:
        reason = f"the answer fits question {best_id} better than this one"
    elif answered and own_fit < OFF_TOPIC_FLOOR:
        reason = "the answer is not about this question"
    return Relevance(
        on_topic=not reason,
        score=round(own_fit, 4),
        best_other_rubric=best_id,
        best_other_score=None if best_fit is None else round(best_fit, 4),
        reason=reason,
    )
