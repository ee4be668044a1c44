"""The grader: scores an answer against a rubric by meaning and key concepts.

How a grade is made:

1. The answer is cut into units (sentences; long ones at clause boundaries) that keep their spans.
2. Units are embedded once. Each concept is matched against its statement and its cue phrases by
   cosine, and its cue phrases are also looked for word by word (by lemma). A concept is *covered*
   when the meaning is clearly there (or a cue is there and the meaning is close), *partial* when
   only one weak signal is, *missed* otherwise. The best-matching unit is the evidence.
3. The answer is aligned with the model answer sentence by sentence (precision / recall / F1).
4. The features go through the calibration (``calibration.json``) to a 0–10 score, and the feedback
   is written from the concept results.

Rubric-side embeddings are computed once per rubric and cached; an answer costs one ``encode`` call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interviewer.rubrics.model import Rubric
from interviewer.scoring import text as T
from interviewer.scoring.calibration import Calibration, load_calibration
from interviewer.scoring.embedder import Embedder
from interviewer.scoring.feedback import write_feedback
from interviewer.scoring.result import ConceptResult, Evidence, Grade, Similarity

# Cosine thresholds for all-MiniLM-L6-v2 between one answer unit and a concept statement.
COVERED_SIMILARITY = 0.62  # the meaning is clearly there on its own
PARTIAL_SIMILARITY = 0.45  # close: covered if a cue phrase is also there, partial otherwise
CUE_SIMILARITY_DISCOUNT = 0.05  # a short cue phrase matches a unit less reliably than a statement
# Sentence-level F1 against the model answer is mapped from [floor, ceiling] onto [0, 1].
SIMILARITY_FLOOR = 0.25
SIMILARITY_CEILING = 0.75
CREDIT = {"covered": 1.0, "partial": 0.5, "missed": 0.0}


@dataclass(frozen=True)
class PreparedRubric:
    """A rubric with its embeddings: statements (n_concepts, d), cues per concept, model-answer units."""

    rubric: Rubric
    statements: np.ndarray
    cues: tuple[np.ndarray, ...]
    model_units: tuple[T.Span, ...]
    model_vectors: np.ndarray


@dataclass(frozen=True)
class AnswerUnits:
    """An answer cut into units, with its words and where each word starts."""

    text: str
    units: tuple[T.Span, ...]
    words: tuple[str, ...]
    word_starts: tuple[int, ...]
    content: T.ContentWords
    truncated: bool


def _rubric_key(rubric: Rubric) -> str:
    return hashlib.sha1(rubric.model_dump_json().encode("utf-8")).hexdigest()


def split_answer(answer: str, max_words: int) -> AnswerUnits:
    text, truncated = T.truncate_words(answer.strip(), max_words)
    found = list(T.WORD_RE.finditer(text))
    words = tuple(m.group(0) for m in found)
    return AnswerUnits(
        text=text,
        units=tuple(T.units(text)),
        words=words,
        word_starts=tuple(m.start() for m in found),
        content=T.content_words(words),
        truncated=truncated,
    )


class Grader:
    """Grades answers against rubrics with one embedder. Safe to reuse across many answers."""

    def __init__(
        self,
        embedder: Embedder,
        calibration: Calibration | None = None,
        *,
        max_answer_words: int = 5000,
    ) -> None:
        self.embedder = embedder
        self.calibration = calibration or load_calibration()
        self.max_answer_words = max_answer_words
        self._prepared: dict[str, PreparedRubric] = {}

    # -- rubric side ---------------------------------------------------------------------------
    def prepare(self, rubric: Rubric) -> PreparedRubric:
        """Embed a rubric's statements, cues and model answer (cached by the rubric's content)."""
        key = _rubric_key(rubric)
        cached = self._prepared.get(key)
        if cached is not None:
            return cached
        model_units = tuple(T.units(rubric.model_answer))
        texts = [c.statement for c in rubric.concepts]
        for concept in rubric.concepts:
            texts.extend(concept.cues)
        texts.extend(u.text for u in model_units)
        vectors = self.embedder.encode(texts)
        n = len(rubric.concepts)
        statements, offset, cues = vectors[:n], n, []
        for concept in rubric.concepts:
            cues.append(vectors[offset : offset + len(concept.cues)])
            offset += len(concept.cues)
        prepared = PreparedRubric(rubric, statements, tuple(cues), model_units, vectors[offset:])
        self._prepared[key] = prepared
        return prepared

    # -- answer side ---------------------------------------------------------------------------
    def grade(self, rubric: Rubric, answer: str) -> Grade:
        """Grade one answer. An empty answer scores 0 with "no answer given"."""
        return self.grade_many([(rubric, answer)])[0]

    def grade_many(self, items: Sequence[tuple[Rubric, str]]) -> list[Grade]:
        """Grade many answers, embedding all their units in one batched pass."""
        split = [split_answer(answer, self.max_answer_words) for _, answer in items]
        prepared = [self.prepare(rubric) for rubric, _ in items]
        all_units = [u.text for s in split for u in s.units]
        vectors = self.embedder.encode(all_units)
        grades, offset = [], 0
        for (rubric, answer), parts, ready in zip(items, split, prepared, strict=True):
            n = len(parts.units)
            grades.append(self._score(ready, answer, parts, vectors[offset : offset + n]))
            offset += n
        return grades

    def _score(self, ready: PreparedRubric, original: str, parts: AnswerUnits, vectors: np.ndarray) -> Grade:
        rubric = ready.rubric
        warnings: list[str] = []
        if parts.truncated:
            warnings.append(
                f"the answer is over {self.max_answer_words} words; only the first {self.max_answer_words} were graded"
            )
        if not parts.units:
            warnings.append("no answer given")
        concepts = tuple(self._concept(ready, i, parts, vectors) for i in range(len(rubric.concepts)))
        similarity = self._similarity(ready, vectors)
        features = self._features(rubric, concepts, similarity, parts)
        score = self.calibration.score(features) if parts.units else 0.0
        feedback = write_feedback(rubric, concepts, (), score, answered=bool(parts.units))
        return Grade(
            rubric_id=rubric.id,
            question=rubric.question,
            score=score,
            concepts=concepts,
            similarity=similarity,
            feedback=feedback,
            features=features,
            word_count=len(parts.words),
            warnings=tuple(warnings),
        )

    def _concept(self, ready: PreparedRubric, index: int, parts: AnswerUnits, vectors: np.ndarray) -> ConceptResult:
        concept = ready.rubric.concepts[index]
        best_unit, best = None, 0.0
        if len(vectors):
            to_statement = vectors @ ready.statements[index]
            scores = to_statement
            if len(ready.cues[index]):
                to_cues = (vectors @ ready.cues[index].T).max(axis=1) - CUE_SIMILARITY_DISCOUNT
                scores = np.maximum(to_statement, to_cues)
            best_unit = int(np.argmax(scores))
            best = float(scores[best_unit])
        matched: list[str] = []
        cue_unit = None
        for cue in concept.cues:
            hit = T.find_cue(cue, parts.content)
            if hit is not None:
                matched.append(cue)
                if cue_unit is None:
                    cue_unit = self._unit_at(parts, parts.word_starts[hit[0]])
        if best >= COVERED_SIMILARITY or (matched and best >= PARTIAL_SIMILARITY):
            status = "covered"
        elif best >= PARTIAL_SIMILARITY or matched:
            status = "partial"
        else:
            status = "missed"
        evidence_unit = best_unit if status != "missed" else None
        if matched and cue_unit is not None and (best_unit is None or best < COVERED_SIMILARITY):
            evidence_unit = cue_unit
        evidence = None
        if evidence_unit is not None:
            span = parts.units[evidence_unit]
            evidence = Evidence(span.text, span.start, span.end)
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
        )

    @staticmethod
    def _unit_at(parts: AnswerUnits, position: int) -> int | None:
        for i, unit in enumerate(parts.units):
            if unit.start <= position < unit.end:
                return i
        return None

    @staticmethod
    def _similarity(ready: PreparedRubric, vectors: np.ndarray) -> Similarity:
        if not len(vectors) or not len(ready.model_vectors):
            return Similarity(0.0, 0.0, 0.0)
        matrix = vectors @ ready.model_vectors.T  # matrix[i, j] = cos(answer unit i, model unit j)
        precision = float(matrix.max(axis=1).mean())
        recall = float(matrix.max(axis=0).mean())
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        return Similarity(round(precision, 4), round(recall, 4), round(f1, 4))

    @staticmethod
    def _features(
        rubric: Rubric, concepts: Sequence[ConceptResult], similarity: Similarity, parts: AnswerUnits
    ) -> dict[str, float]:
        total = rubric.total_weight
        coverage = sum(c.credit * c.weight for c in concepts) / total
        covered_share = sum(c.weight for c in concepts if c.status == "covered") / total
        mean_similarity = sum(c.similarity * c.weight for c in concepts) / total
        span = SIMILARITY_CEILING - SIMILARITY_FLOOR
        normalised = min(1.0, max(0.0, (similarity.f1 - SIMILARITY_FLOOR) / span))
        return {
            "coverage": round(coverage, 4),
            "covered_share": round(covered_share, 4),
            "concept_similarity": round(mean_similarity, 4),
            "similarity": round(normalised, 4),
            "similarity_f1": similarity.f1,
            "similarity_recall": similarity.recall,
            "similarity_precision": similarity.precision,
            "log_words": round(float(np.log1p(len(parts.words))), 4),
        }
