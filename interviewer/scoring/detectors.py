"""Detectors for what similarity alone cannot see: wrong claims, and answers to another question.

* Misconceptions: a unit makes one of the rubric's wrong claims when it is much closer in meaning to the
  claim than to anything correct the rubric says, or names one of the claim's cue phrases and is no
  closer to anything correct; in both cases its negation must agree with the claim's, so a unit that
  warns against it ("never shuffle a time series") is not a hit, and nor is a bare example ("for example,
  fitting the scaler on all the data before splitting" in an answer about leakage): it names a practice
  as an instance of what the sentence before it says, without claiming the practice is fine.
* Relevance: how well the answer's units fit its own rubric (its model answer and concept statements)
  against how well they fit every other question of the bank. An answer that fits another question
  clearly better, or fits nothing, is off-topic, unless it makes this question's wrong claims (a wrong
  answer on the right topic is wrong, not off-topic) or earns at least half of the weight of the question's
  own key points (``own_share``), and a larger share of them than of the best-fitting other question's own
  points (``Grader._answers_own`` compares the two): questions that share points (a behavioural bank's STAR
  parts) have close fingerprints, but an answer that states what only this question asks answers this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from interviewer.rubrics.model import Rubric
from interviewer.scoring import frames
from interviewer.scoring import text as T
from interviewer.scoring.concepts import AnswerUnits, top_units
from interviewer.scoring.result import ConceptResult, MisconceptionHit, Relevance

CLAIM_CANDIDATE_FLOOR = 0.40  # a unit less similar than this to a claim is not asked about it
CLAIM_CANDIDATES = 2  # the closest units looked at for each claim (plus one naming its cue)
# A unit this close to a claim makes it if it is closer to the claim than to
# the correction and to every concept statement by at least CLAIM_MARGIN; a unit naming a claim's cue
# phrase makes it when it is at least CUE_CLAIM_SIMILARITY close and no closer to anything correct.
CLAIM_SIMILARITY = 0.60
CLAIM_MARGIN = 0.24
CUE_CLAIM_SIMILARITY = 0.45
CONTRADICTION_PENALTY = 1.5  # points off for saying the opposite of a concept (not a listed misconception)
OFF_TOPIC_MARGIN = 0.06  # another question fits the answer better by this much: off-topic
OFF_TOPIC_FLOOR = 0.30  # the answer fits its own question less than this: off-topic
SHARED_POINT = 0.95  # a concept statement this close to another question's is shared, not the question's own
OWN_POINTS_ON_TOPIC = 0.5  # earning this share of the question's own key points' weight keeps an answer on topic


@dataclass(frozen=True)
class ClaimCandidates:
    """Per misconception, the units read against its claim, and per unit the evidence by meaning:
    ``closeness[m][k]`` its cosine to the claim, ``rival[m][k]`` its best cosine to the correction or a
    concept statement, ``cue[m][k]`` whether it names one of the claim's cue phrases."""

    units: tuple[tuple[int, ...], ...]
    closeness: tuple[tuple[float, ...], ...] = ()
    rival: tuple[tuple[float, ...], ...] = ()
    cue: tuple[tuple[bool, ...], ...] = ()


def claim_candidates(rubric: Rubric, claims: np.ndarray, corrections: np.ndarray, statements: np.ndarray,
                     parts: AnswerUnits, vectors: np.ndarray) -> ClaimCandidates:
    """``claims``, ``corrections``: (misconceptions, d); ``statements``: every concept statement and
    alternative, (rows, d); ``vectors``: the answer's units, (units, d)."""
    if not len(vectors) or not rubric.misconceptions:
        return ClaimCandidates(tuple(() for _ in rubric.misconceptions))
    to_claims = vectors @ claims.T  # [unit, misconception]
    to_corrections = vectors @ corrections.T
    to_concepts = (vectors @ statements.T).max(axis=1) if len(statements) else np.zeros(len(vectors))
    chosen, closeness, rival, cue = [], [], [], []
    for m_index, misconception in enumerate(rubric.misconceptions):
        named = [any(T.find_cue(c, parts.unit_content[u]) for c in misconception.cues) for u in range(len(parts.units))]
        cue_unit = next((u for u, hit in enumerate(named) if hit), None)
        units = top_units(to_claims[:, m_index], CLAIM_CANDIDATES, CLAIM_CANDIDATE_FLOOR, cue_unit)
        chosen.append(tuple(units))
        closeness.append(tuple(float(to_claims[u, m_index]) for u in units))
        rival.append(tuple(max(float(to_corrections[u, m_index]), float(to_concepts[u])) for u in units))
        cue.append(tuple(named[u] for u in units))
    return ClaimCandidates(tuple(chosen), tuple(closeness), tuple(rival), tuple(cue))


def makes_claim(unit: str, claim: str, closeness: float, rival: float, cue: bool, sentence: str = "") -> float:
    """How strongly a unit makes a claim (0: it does not): it is much closer in meaning to the claim than
    to anything correct the rubric says, or it names one of the claim's cue phrases and is no closer to
    anything correct; never when its negation disagrees with the claim's ("never shuffle a time series"
    against "shuffle the time series"), never from a bare example (``frames.bare_example``), and never when
    its ``sentence`` reports the claim as a mistake ("A common mistake is to read…", ``frames.reported_as_mistake``),
    and never when it forbids what the claim asserts ("Finally, don't bother scaling for random forests" against
    "tree models need scaling", ``frames.prohibits``; a claim that is itself a prohibition can still be made).
    (Asking
    the stance model as well found the same wrong claims in the dev set and twice as many false ones,
    mostly in spoken answers: it is not asked here.)
    """
    if T.polarity_conflict(unit, claim) or frames.bare_example(unit) or frames.reported_as_mistake(sentence or unit):
        return 0.0
    if frames.prohibits(unit) and not any(T.is_negator(w) for w in T.words(claim)):
        return 0.0  # "Finally, don't bother scaling trees" forbids what "trees need scaling" claims
    if (closeness >= CLAIM_SIMILARITY and closeness >= rival + CLAIM_MARGIN) or \
            (cue and closeness >= CUE_CLAIM_SIMILARITY and closeness >= rival):
        return closeness
    return 0.0


def find_misconceptions(rubric: Rubric, found: ClaimCandidates, parts: AnswerUnits,
                        related: Sequence[int]) -> list[MisconceptionHit]:
    """The rubric's misconceptions the answer states, each with the unit that states it most clearly.

    ``related[m]``: the index of the concept misconception ``m`` gets wrong.
    """
    hits: list[MisconceptionHit] = []
    for m_index, (misconception, units) in enumerate(zip(rubric.misconceptions, found.units, strict=True)):
        best, best_unit = 0.0, None
        for k, u in enumerate(units):
            sentence = parts.unit_sentences[u].text if parts.unit_sentences else ""
            strength = makes_claim(parts.units[u].text, misconception.claim, found.closeness[m_index][k],
                                   found.rival[m_index][k], found.cue[m_index][k], sentence)
            if strength > best:
                best, best_unit = strength, u
        if best_unit is not None:
            hits.append(
                MisconceptionHit(
                    misconception_id=misconception.id,
                    claim=misconception.claim,
                    correction=misconception.correction,
                    penalty=misconception.penalty,
                    evidence=parts.evidence(best_unit),
                    similarity=round(best, 4),
                    concept_id=rubric.concepts[related[m_index]].id,
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
                concept_id=concept.concept_id,
            )
        )
        taken.add((concept.evidence.start, concept.evidence.end))
    return hits


def fit(vectors: np.ndarray, fingerprint: np.ndarray) -> float:
    """Mean over the answer's units of the best cosine to a rubric's fingerprint rows."""
    if not len(vectors) or not len(fingerprint):
        return 0.0
    return float((vectors @ fingerprint.T).max(axis=1).mean())


def own_points(statements: np.ndarray, others: Sequence[np.ndarray]) -> tuple[bool, ...]:
    """Per concept (``statements``: each concept's statement embedding, (concepts, d)), whether it is the
    question's own: no other question's concept statement (``others``: one (concepts, d) block per other
    rubric) is near-identical to it (cosine < ``SHARED_POINT``)."""
    if not len(statements):
        return ()
    rows = [block for block in others if len(block)]
    if not rows:
        return (True,) * len(statements)
    closest = (statements @ np.vstack(rows).T).max(axis=1)
    return tuple(bool(c < SHARED_POINT) for c in closest)


def own_share(concepts: Sequence[ConceptResult], own: Sequence[bool]) -> float:
    """The share of the weight of the question's own key points (``own_points``) that the answer earned
    (covered counts fully, partial half); 0 when the question has no point of its own."""
    total = sum(c.weight for c, mine in zip(concepts, own, strict=True) if mine)
    if total <= 0:
        return 0.0
    earned = sum(c.weight * c.credit for c, mine in zip(concepts, own, strict=True) if mine)
    return earned / total


def relevance(own_id: str, own: np.ndarray, others: Mapping[str, np.ndarray], vectors: np.ndarray,
              answered: bool, questions: Mapping[str, str] | None = None, wrong_claims: int = 0) -> Relevance:
    """Whether the answer is about its own question; ``others`` are the other rubrics' fingerprints and
    ``questions`` their texts (the message names the other question by its text, never by its id).
    An answer that makes ``wrong_claims`` of this question's misconceptions is on topic, and wrong (one that
    states its own key points is too: ``answers_own_points``)."""
    own_fit = fit(vectors, own)
    best_id, best_fit = None, None
    for rubric_id in sorted(others):
        if rubric_id == own_id:
            continue
        score = fit(vectors, others[rubric_id])
        if best_fit is None or score > best_fit:
            best_id, best_fit = rubric_id, score
    other_question = (questions or {}).get(best_id) if best_id is not None else None
    reason = ""
    if answered and not wrong_claims:
        # Another question is named only when it clearly fits: "I don't know" fits none.
        clear = best_fit is not None and best_fit >= OFF_TOPIC_FLOOR + OFF_TOPIC_MARGIN
        if best_fit is not None and best_fit - own_fit >= OFF_TOPIC_MARGIN and (clear or own_fit >= OFF_TOPIC_FLOOR):
            reason = (f'the answer fits another question better: "{other_question}"' if other_question
                      else "the answer fits another question better than this one")
        elif own_fit < OFF_TOPIC_FLOOR:
            reason = "the answer is not about this question"
    return Relevance(
        on_topic=not reason,
        score=round(own_fit, 4),
        best_other_rubric=best_id,
        best_other_score=None if best_fit is None else round(best_fit, 4),
        best_other_question=other_question,
        reason=reason,
    )


def answers_own_points(topic: Relevance, own_points_share: float) -> Relevance:
    """``topic`` once the answer is known to earn ``own_points_share`` of its question's own key points' weight:
    at least ``OWN_POINTS_ON_TOPIC`` answers the question, whatever else the answer resembles (the caller
    passes 0 unless that share beats the answer's share of the best-fitting other question's own points)."""
    return replace(topic, on_topic=True, reason="") if own_points_share >= OWN_POINTS_ON_TOPIC else topic
