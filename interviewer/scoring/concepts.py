"""Matching one rubric concept against an answer's units: covered, partial, missed or contradicted.

Two steps. **Similarity chooses where to look**: every unit is compared with the concept's statement,
its alternatives and its cue phrases by cosine, and the few closest units (plus a unit that names a cue
phrase) become candidates. **Stance decides what they say**: the stance model reads each candidate
together with the statement and says whether it states it, touches it, says the opposite, or neither
(``stance.py``). The aim: "fit the scaler on the whole dataset" is no evidence for "fit the scaler on
the training data only", however many words they share, and a paraphrase in other words counts. (Not
reached yet on every answer: tests/unit/scoring/test_grading_trust.py marks what still fails.)

* covered / partial / missed: decided by the concept model (``concept_model.py``) from signals of the
  candidates (the stance model's probabilities, closeness in meaning, token recall, closeness to the
  question, naming vs explaining, word order vs shuffled words); with no fitted model, a candidate
  states the concept when the stance model says so or when it is as close as a restatement, and touches
  it likewise. A covered point whose evidence only names terms in a list is partial (``text.explains``).
  The evidence quoted is the candidate whose reading by the stance model earns the most credit (stating
  the point counts 1, touching it 1/2), then the closest in meaning.
* story points (``Concept.experience``, the behavioural bank's situation, task, actions, result): only a
  unit that tells something that happened, with the candidate in it where asked (``narrative.py``), can be
  a candidate; "I would sit down with them" or "we rolled it back" states no action of the candidate's.
* contradicted: missed, and a candidate close to it says the opposite (its negation disagrees with the
  statement's, ``denies``); that candidate is never evidence, and it is reported as a wrong claim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from interviewer.rubrics.model import Concept
from interviewer.scoring import narrative
from interviewer.scoring import text as T
from interviewer.scoring.concept_model import ConceptModel
from interviewer.scoring.result import ConceptResult, Evidence
from interviewer.scoring.stance import (
    CONTRADICT,
    COVERED_SIMILARITY,
    PARTIAL,
    PARTIAL_SIMILARITY,
    SUPPORT,
)
from interviewer.scoring.word_order import load_word_order

__all__ = ["COVERED_SIMILARITY", "PARTIAL_SIMILARITY", "AnswerUnits", "ConceptCandidates", "concept_candidates",
           "match_concept", "split_answer"]

# Cosine thresholds for all-MiniLM-L6-v2 between one answer unit and a concept statement or cue.
CUE_SIMILARITY_DISCOUNT = 0.05  # a short cue phrase matches a unit less reliably than a statement
CANDIDATE_FLOOR = 0.30  # a unit less similar than this to a concept is not asked about it
CANDIDATES_PER_CONCEPT = 5  # the closest units the stance model reads for each concept (3 missed points
# stated in other words, whose unit is not among the closest by cosine: dev CV r 0.816 with 3, 0.839 with 5,
# 0.836 with 7, for the third stance model; 0.822 / 0.825 / 0.825 for the fourth)
CONTRADICTION_FLOOR = 0.45  # a unit must be at least this close to a concept to count as denying it
STATES = 0.5  # p(support) at which a unit states the concept
TOUCHES = 0.5  # p(support) + p(partial) at which it touches it
CREDIT = {"covered": 1.0, "partial": 0.5, "missed": 0.0}

StanceTable = Mapping[tuple[str, str], np.ndarray]
"""(candidate unit text, rubric text) → probabilities of the stance labels."""


@dataclass(frozen=True)
class AnswerUnits:
    """An answer cut into units, with its words and where each word starts."""

    text: str
    units: tuple[T.Span, ...]
    words: tuple[str, ...]
    word_starts: tuple[int, ...]
    content: T.ContentWords
    unit_content: tuple[T.ContentWords, ...]
    """Each unit's own content words (indexes relative to the unit), for cues that must sit in one unit."""
    truncated: bool
    unit_sentences: tuple[T.Span, ...] = ()
    """The sentence each unit was cut from (a clause keeps its sentence's modal, or its "a common mistake is…")."""

    def unit_at(self, position: int) -> int | None:
        for i, unit in enumerate(self.units):
            if unit.start <= position < unit.end:
                return i
        return None

    def evidence(self, index: int) -> Evidence:
        span = self.units[index]
        return Evidence(span.text, span.start, span.end)


def split_answer(answer: str, max_words: int) -> AnswerUnits:
    text, truncated = T.truncate_words(answer, max_words)  # not stripped: evidence spans index the answer
    found = list(T.WORD_RE.finditer(text))
    words = tuple(m.group(0) for m in found)
    units = tuple(T.units(text))
    sentences = T.sentences(text)
    return AnswerUnits(
        text=text,
        units=units,
        words=words,
        word_starts=tuple(m.start() for m in found),
        content=T.content_words(words, T.clause_numbers(text)),
        unit_content=tuple(T.content_words(T.words(u.text), T.clause_numbers(u.text)) for u in units),
        truncated=truncated,
        unit_sentences=tuple(next((s for s in sentences if s.start <= u.start < s.end), u) for u in units),
    )


@dataclass(frozen=True)
class ConceptCandidates:
    """Where one concept is looked for: candidate units, the rubric text each is read against, and the
    similarity of each unit (``scores[u]``: best cosine to the statement, an alternative or a cue, which
    chooses the candidates; ``closeness[u]``: best cosine to the statement or an alternative alone)."""

    units: tuple[int, ...]
    hypotheses: tuple[str, ...]
    scores: np.ndarray
    closeness: np.ndarray
    cues_matched: tuple[str, ...]
    untold: bool = False
    """A story point whose closest unit tells no experience (``narrative.tells``), so it is no candidate."""

    def pairs(self, parts: AnswerUnits) -> list[tuple[str, str]]:
        return [(parts.units[u].text, h) for u, h in zip(self.units, self.hypotheses, strict=True)]


def top_units(scores: np.ndarray, count: int, floor: float, extra: int | None = None) -> list[int]:
    """The ``count`` highest-scoring units at or above ``floor`` (ties by position), plus ``extra``."""
    order = sorted(range(len(scores)), key=lambda u: (-float(scores[u]), u))
    chosen = [u for u in order[:count] if scores[u] >= floor]
    if extra is not None and extra not in chosen:
        chosen.append(extra)
    return chosen


def repeated_units(parts: AnswerUnits) -> np.ndarray:
    """Per unit, whether an earlier unit has the same words (case aside): a sentence said twice is one
    statement, so the copy is no candidate (copies would take the candidate slots of other sentences, and make
    the second-closest sentence as close as the closest)."""
    seen: set[tuple[str, ...]] = set()
    repeated = np.zeros(len(parts.units), dtype=bool)
    for index, unit in enumerate(parts.units):
        key = tuple(word.lower() for word in T.words(unit.text))
        repeated[index] = key in seen
        seen.add(key)
    return repeated


def concept_candidates(concept: Concept, statements: np.ndarray, cues: np.ndarray, parts: AnswerUnits,
                       vectors: np.ndarray) -> ConceptCandidates:
    """``statements``: (1 + alternatives, d); ``cues``: (n_cues, d); ``vectors``: the answer's units (n, d)."""
    texts = (concept.statement, *concept.alternatives)
    matched: list[str] = []
    cue_unit = None
    for cue in concept.cues:
        hit = T.find_cue(cue, parts.content)
        if hit is not None:
            matched.append(cue)
            if cue_unit is None:
                cue_unit = parts.unit_at(parts.word_starts[hit[0]])
    if not len(vectors):
        return ConceptCandidates((), (), np.zeros(0), np.zeros(0), tuple(matched))
    to_statements = vectors @ statements.T  # [unit, statement or alternative]
    repeated = repeated_units(parts)
    closeness = np.where(repeated, -1.0, to_statements.max(axis=1))
    scores = closeness
    if len(cues):
        by_cue = (vectors @ cues.T).max(axis=1) - CUE_SIMILARITY_DISCOUNT
        scores = np.where(repeated, -1.0, np.maximum(closeness, by_cue))
    untold = False
    if concept.experience is not None:  # a story point: only a sentence telling what happened can state it
        told = np.array(narrative.told_units(tuple(s.text for s in parts.unit_sentences), concept.experience))
        closest = int(np.argmax(scores))
        untold = bool(not told[closest] and scores[closest] >= CANDIDATE_FLOOR)
        scores = np.where(told, scores, -1.0)
        cue_unit = cue_unit if cue_unit is not None and told[cue_unit] else None
    units = top_units(scores, CANDIDATES_PER_CONCEPT, CANDIDATE_FLOOR, cue_unit)
    hypotheses = tuple(texts[int(np.argmax(to_statements[u]))] for u in units)
    return ConceptCandidates(tuple(units), hypotheses, scores, closeness, tuple(matched), untold)


def denies(unit: str, statement: str, closeness: float) -> bool:
    """Whether a unit close to a concept says its opposite: its negation disagrees with the statement's on
    the word the negation applies to ("trees need scaling" against "trees don't need scaling"), and it is
    about the concept (``CONTRADICTION_FLOOR``). The stance model's "contradict" is not trusted alone here:
    on held-out pairs it is right 57% of the times it says so (reversals and hedges are its weakest kinds),
    and letting it veto evidence lowered the dev split's r; it is one of the signals the concept model
    weighs instead."""
    return closeness >= CONTRADICTION_FLOOR and T.polarity_conflict(unit, statement)


def _level(row: np.ndarray) -> float:
    """What the stance model's reading of a candidate earns: states the point 1, touches it 1/2, neither 0 (the
    checklist's credits, by ``STATES`` and ``TOUCHES``). Among candidates of one level the closest in meaning is
    quoted: a sentence read as stating every point of its question (p 0.99 each) no longer takes every quote
    from one that says the point, read at p 0.98."""
    if float(row[SUPPORT]) >= STATES:
        return 1.0
    return 0.5 if float(row[SUPPORT] + row[PARTIAL]) >= TOUCHES else 0.0


def _order(parts: AnswerUnits, unit: int, order: Sequence[float]) -> float:
    """The unit's order signal (``WordOrder.judge``): ``order[unit]`` when the grader judged the answer's
    units against the rubric, else judged here by function words alone."""
    return order[unit] if unit < len(order) else load_word_order().judge(T.words(parts.units[unit].text))[1]


def match_concept(concept: Concept, found: ConceptCandidates, parts: AnswerUnits, stance: StanceTable,
                  extra: Mapping[str, float] | None = None, model: ConceptModel | None = None,
                  order: Sequence[float] = ()) -> ConceptResult:
    """Judge a concept from its candidates (``stance`` holds every candidate pair's stance).

    ``extra``: answer-level signals for this concept (``token_recall``, ``qd_token_recall``,
    ``question``: the best unit's cosine to the question). With a fitted ``model`` (``concept_model.py``)
    the signals decide the status; without one, a candidate states the concept when the stance model
    says so, or when it is as close in meaning as a restatement. Either way a candidate that denies the
    concept is never its evidence (``denies``), and a covered point whose evidence only names terms is
    partial.
    """
    rows = [stance[pair] for pair in found.pairs(parts)]
    closeness = [float(found.closeness[u]) for u in found.units]
    denied = [denies(parts.units[u].text, h, c) for u, h, c in zip(found.units, found.hypotheses, closeness, strict=True)]
    live = [i for i in range(len(rows)) if not denied[i]]
    # The candidate that states it best: the credit the stance model's reading earns (stating it counts 1,
    # touching it 1/2, as the checklist does), then closeness in meaning. (By p(support) alone, a unit that
    # only names the point, "I use SHAP and LIME" (partial 0.99), lost to a definition sentence close in
    # words that neither states nor names it (support 0.00 for both): the quote showed the wrong sentence.)
    rank = sorted(live, key=lambda i: (-_level(rows[i]), -closeness[i], found.units[i]))
    by_closeness = sorted((closeness[i] for i in live), reverse=True)
    signals = {
        "closeness": by_closeness[0] if by_closeness else 0.0,
        "second": by_closeness[1] if len(by_closeness) > 1 else 0.0,
        "support": max((float(rows[i][SUPPORT]) for i in live), default=0.0),
        "touch": max((float(rows[i][SUPPORT] + rows[i][PARTIAL]) for i in live), default=0.0),
        "contradict": max((float(rows[i][CONTRADICT]) for i in range(len(rows))), default=0.0),
        "cue": float(bool(found.cues_matched)),
        "explains": float(T.explains(parts.units[found.units[rank[0]]].text)) if rank else 0.0,
        "order": _order(parts, found.units[rank[0]], order) if rank else 0.0,
        **(extra or {}),
    }
    if model is not None:
        status = model.status(signals) if rank else "missed"
    elif any(float(rows[i][SUPPORT]) >= STATES or closeness[i] >= COVERED_SIMILARITY for i in live):
        status = "covered"
    elif any(float(rows[i][SUPPORT] + rows[i][PARTIAL]) >= TOUCHES or closeness[i] >= PARTIAL_SIMILARITY
             for i in live):
        status = "partial"
    else:
        status = "missed"
    evidence_unit, contradicted, explained = None, False, True
    if status != "missed":
        evidence_unit = found.units[rank[0]]
    elif any(denied):
        contradicted = True
        worst = max((i for i in range(len(rows)) if denied[i]), key=lambda i: (float(rows[i][CONTRADICT]), -i))
        evidence_unit = found.units[worst]
    evidence = parts.evidence(evidence_unit) if evidence_unit is not None else None
    if status != "missed" and evidence is not None and not T.explains(evidence.text):
        status, explained = "partial", False  # only named: partial at most, and the feedback says so
    credit = CREDIT[status]
    return ConceptResult(
        concept_id=concept.id,
        label=concept.label,
        status=status,  # type: ignore[arg-type]
        credit=credit,
        weight=concept.weight,
        similarity=round(max(0.0, float(found.scores.max())) if len(found.scores) else 0.0, 4),
        cues_matched=found.cues_matched,
        evidence=evidence,
        statement=concept.statement,
        follow_up=concept.follow_up,
        explained=explained,
        contradicted=contradicted,
        untold=found.untold and status == "missed" and not contradicted,
        stance=round(signals["support"], 4),
        signals={k: round(float(v), 4) for k, v in signals.items()},
    )
