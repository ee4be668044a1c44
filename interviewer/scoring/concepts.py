"""Matching one rubric concept against an answer's units: covered, partial, missed or contradicted.

A concept is compared with every unit by cosine, against its statement, its alternatives and its cue
phrases, and its cue phrases are looked for word by word (by lemma). Two checks follow on the best
unit: if it says the opposite (one side negated, the other not, in the clauses that share the most
content words) the concept is *contradicted* and earns nothing; if it only names the concept in a list
of terms without explaining it, it earns partial credit at most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interviewer.rubrics.model import Concept
from interviewer.scoring import text as T
from interviewer.scoring.result import ConceptResult, Evidence

# Cosine thresholds for all-MiniLM-L6-v2 between one answer unit and a concept statement.
COVERED_SIMILARITY = 0.65  # the meaning is clearly there on its own
PARTIAL_SIMILARITY = 0.575  # close: covered if a cue phrase is also there, partial otherwise
CUE_SIMILARITY_DISCOUNT = 0.05  # a short cue phrase matches a unit less reliably than a statement
CREDIT = {"covered": 1.0, "partial": 0.5, "missed": 0.0}



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
    return AnswerUnits(
        text=text,
        units=units,
        words=words,
        word_starts=tuple(m.start() for m in found),
        content=T.content_words(words),
        unit_content=tuple(T.content_words(T.words(u.text)) for u in units),
        truncated=truncated,
    )


def match_concept(
    concept: Concept, statements: np.ndarray, cues: np.ndarray, parts: AnswerUnits, vectors: np.ndarray
) -> ConceptResult:
    """``statements``: (1 + alternatives, d); ``cues``: (n_cues, d); ``vectors``: the answer's units (n, d)."""
    best_unit, best, best_row = None, 0.0, 0
    if len(vectors):
        to_statements = vectors @ statements.T  # [unit, statement or alternative]
        scores = to_statements.max(axis=1)
        if len(cues):
            scores = np.maximum(scores, (vectors @ cues.T).max(axis=1) - CUE_SIMILARITY_DISCOUNT)
        best_unit = int(np.argmax(scores))
        best = float(scores[best_unit])
        best_row = int(np.argmax(to_statements[best_unit]))
    matched: list[str] = []
    cue_unit = None
    for cue in concept.cues:
        hit = T.find_cue(cue, parts.content)
        if hit is not None:
            matched.append(cue)
            if cue_unit is None:
                cue_unit = parts.unit_at(parts.word_starts[hit[0]])
    if best >= COVERED_SIMILARITY or (matched and best >= PARTIAL_SIMILARITY):
        status = "covered"
    elif best >= PARTIAL_SIMILARITY or matched:
        status = "partial"
    else:
        status = "missed"
    evidence_unit = best_unit if status != "missed" else None
    if matched and cue_unit is not None and (best_unit is None or best < COVERED_SIMILARITY):
        evidence_unit = cue_unit
    evidence = parts.evidence(evidence_unit) if evidence_unit is not None else None
    explained, contradicted = True, False
    if evidence is not None:
        target = (concept.statement, *concept.alternatives)[best_row]
        if T.polarity_conflict(evidence.text, target):
            # Saying the opposite is a contradiction only when the unit is about the concept (close in
            # meaning, not only sharing a cue word: "the page waited on the model with no fallback" tells a
            # story, it does not deny that you need a fallback). Either way the concept earns nothing.
            contradicted = evidence_unit == best_unit and best >= PARTIAL_SIMILARITY
            status = "missed"
            if not contradicted:
                evidence = None
        else:
            explained = T.explains(evidence.text)
            if status == "covered" and not explained:
                status = "partial"
    return ConceptResult(
        concept_id=concept.id,
        label=concept.label,
        status=status,
        credit=CREDIT[status],
        weight=concept.weight,
        similarity=round(best, 4),
        cues_matched=tuple(matched),
        evidence=evidence,
        statement=concept.statement,
        follow_up=concept.follow_up,
        explained=explained,
        contradicted=contradicted,
    )
