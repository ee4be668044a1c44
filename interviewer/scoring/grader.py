"""The grader: scores an answer against a rubric by meaning, key concepts and wrong claims.

How a grade is made:

1. The answer is cut into units (sentences; long ones at clause boundaries) that keep their spans.
2. Units are embedded once. For each concept and each misconception, similarity picks the few units
   worth reading (``concepts.py``, ``detectors.py``).
3. The stance model reads those (unit, statement) pairs, all of an answer's pairs in one batch
   (``stance.py``); with the candidates' closeness in meaning and token recall, its output decides
   whether each concept is covered, partial or missed (``concept_model.py``). A unit that says the
   opposite of a concept is never its evidence, and is a wrong claim; so is a unit that states one of
   the rubric's misconceptions (``detectors.py``).
4. Relevance: the answer's fit to its own rubric against every other rubric of the bank (if given).
5. The score follows the checklist (``checklist.py``): the weighted key points covered, through a
   monotone curve, minus each wrong claim's cost, under fixed ceilings. Answers graded against a rubric
   derived from one reference answer (``profile="reference"``) use a logistic calibration of the
   features instead (``features.py``).

Rubric-side embeddings are computed once per rubric (and kept on disk when a cache folder is given);
an answer costs one ``encode`` call and one stance batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from interviewer.outfile import save_cache_file
from interviewer.rubrics.model import Rubric
from interviewer.scoring import checklist
from interviewer.scoring import text as T
from interviewer.scoring.calibration import CalibrationSet, load_calibration
from interviewer.scoring.concepts import AnswerUnits, ConceptCandidates, split_answer
from interviewer.scoring.detectors import (
    OWN_POINTS_ON_TOPIC,
    ClaimCandidates,
    answers_own_points,
    claim_candidates,
    contradictions,
    discredit,
    find_misconceptions,
    own_points,
    own_share,
    relevance,
)
from interviewer.scoring.embedder import Embedder
from interviewer.scoring.features import answer_features, question_demoted, token_features
from interviewer.scoring.feedback import write_feedback
from interviewer.scoring.result import ConceptResult, Grade, Similarity
from interviewer.scoring.prepared import PreparedRubric, first_statements, rubric_texts, rubric_word_pairs
from interviewer.scoring.stance import SimilarityStance, StanceModel

__all__ = ["Grader", "PreparedRubric", "final_score", "split_answer"]


class Grader:
    """Grades answers against rubrics with one embedder. Safe to reuse across many answers.

    ``stance``: the stance model (``stance.load_stance()``, the shipped cross-encoder); None falls back
    to ``SimilarityStance`` (similarity and negation words only, no model: for tests with fake embedders).
    ``bank``: the other questions, for off-topic detection (None: relevance is judged on its own).
    ``cache_dir``: where rubric embeddings are kept between runs (None: memory only).
    """

    def __init__(
        self,
        embedder: Embedder,
        calibration: CalibrationSet | None = None,
        *,
        stance: StanceModel | None = None,
        bank: Mapping[str, Rubric] | None = None,
        max_answer_words: int = 5000,
        cache_dir: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.stance = stance if stance is not None else SimilarityStance(embedder)
        self.calibration = calibration or load_calibration()
        self.bank = bank
        self.max_answer_words = max_answer_words
        self.cache_dir = cache_dir
        self._prepared: dict[str, PreparedRubric] = {}
        self._bank_fingerprints: dict[str, np.ndarray] | None = None
        self._own_points: dict[str, tuple[bool, ...]] = {}

    def for_bank(self, bank: Mapping[str, Rubric] | None) -> Grader:
        """A grader with these models, calibration and settings for another bank's questions (its off-topic
        checks compare with that bank's questions)."""
        return Grader(self.embedder, self.calibration, stance=self.stance, bank=bank,
                      max_answer_words=self.max_answer_words, cache_dir=self.cache_dir)

    # -- rubric side ---------------------------------------------------------------------------
    def _cache_key(self, rubric: Rubric) -> str:
        identity = f"{self.embedder.name}\0{getattr(self.embedder, 'precision', '')}\0{rubric.model_dump_json()}"
        return hashlib.sha1(identity.encode("utf-8")).hexdigest()

    def _encode_cached(self, key: str, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Sentence and token vectors of ``texts``, from the disk cache when it has them."""
        path = self.cache_dir / "rubric-embeddings" / f"{key}.npz" if self.cache_dir else None
        if path is not None and path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    vectors, flat, lengths = data["vectors"], data["tokens"], data["lengths"]
                if vectors.shape[0] == len(texts) == len(lengths):
                    return vectors, np.split(flat, np.cumsum(lengths)[:-1])
            except Exception:  # noqa: BLE001 - a damaged cache file (truncated zip, bad header) is recomputed
                pass
        vectors, tokens = self.embedder.encode_tokens(texts)
        if path is not None:
            flat = np.vstack(tokens) if tokens else np.zeros((0, vectors.shape[1]), dtype=np.float32)
            save_cache_file(path, lambda temp: np.savez(temp, vectors=vectors, tokens=flat,
                                                        lengths=np.array([len(t) for t in tokens])))
        return vectors, tokens

    def prepare(self, rubric: Rubric) -> PreparedRubric:
        """Embed a rubric's statements, cues, claims and model answer (cached by the rubric's content)."""
        key = self._cache_key(rubric)
        cached = self._prepared.get(key)
        if cached is not None:
            return cached
        model_units = tuple(T.units(rubric.model_answer))
        vectors, token_list = self._encode_cached(key, rubric_texts(rubric, model_units))
        offset = 0

        def take(n: int) -> tuple[np.ndarray, list[np.ndarray]]:
            nonlocal offset
            block = vectors[offset : offset + n], token_list[offset : offset + n]
            offset += n
            return block

        statement_blocks = [take(1 + len(c.alternatives)) for c in rubric.concepts]
        statements = tuple(block for block, _ in statement_blocks)
        statement_tokens = tuple(tuple(tokens) for _, tokens in statement_blocks)
        cues = tuple(take(len(c.cues))[0] for c in rubric.concepts)
        claims = take(len(rubric.misconceptions))[0]
        corrections = take(len(rubric.misconceptions))[0]
        model_vectors, model_token_list = take(len(model_units))
        question_block, question_token_list = take(1)
        question = question_block[0]
        dim = vectors.shape[1]
        model_tokens = np.vstack(model_token_list) if model_token_list else np.zeros((0, dim), dtype=np.float32)
        key_text = " ".join([rubric.model_answer, *(c.statement for c in rubric.concepts)])
        question_lemmas = frozenset(T.content_lemmas(rubric.question))
        key_lemmas = frozenset(T.content_lemmas(key_text) - question_lemmas)
        firsts = first_statements(statements)
        related = tuple(int(np.argmax(firsts @ c)) for c in corrections)
        prepared = PreparedRubric(rubric, statements, cues, claims, corrections, model_units, model_vectors,
                                  key_lemmas, question_lemmas, related, question, statement_tokens, model_tokens,
                                  question_token_list[0], rubric_word_pairs(rubric))
        self._prepared[key] = prepared
        return prepared

    def _fingerprints(self) -> dict[str, np.ndarray]:
        """Every bank rubric's fingerprint (computed once: the bank does not change under a grader)."""
        if not self.bank:
            return {}
        if self._bank_fingerprints is None:
            self._bank_fingerprints = {rid: self.prepare(rubric).fingerprint for rid, rubric in self.bank.items()}
        return self._bank_fingerprints

    def _own(self, ready: PreparedRubric) -> tuple[bool, ...]:
        """Per concept of a rubric, whether it is its own: no other question of the bank has a near-identical
        statement (``detectors.own_points``, computed once per rubric)."""
        key = self._cache_key(ready.rubric)
        if key not in self._own_points:
            others = [self.prepare(r).first_statements for rid, r in (self.bank or {}).items()
                      if rid != ready.rubric.id]  # a rubric has at least one concept (the model says so)
            self._own_points[key] = own_points(ready.first_statements, others)
        return self._own_points[key]

    def _answers_own(self, ready: PreparedRubric, concepts: Sequence[ConceptResult], other_id: str | None,
                     parts: AnswerUnits, vectors: np.ndarray, answer_tokens: np.ndarray,
                     unit_tokens: Sequence[np.ndarray]) -> float:
        """The share of this question's own points the answer earns (``detectors.own_share``), or 0 unless it
        is larger than its share of the best-fitting other question's own points: the fingerprint says which
        question an answer resembles, its own points which one it answers."""
        share = own_share(concepts, self._own(ready))
        if share < OWN_POINTS_ON_TOPIC or not self.bank or other_id not in self.bank:
            return share
        other = self.prepare(self.bank[other_id])
        found = other.candidates(parts, vectors)
        table = self._stance_table(p for f in found for p in f.pairs(parts))
        theirs, _ = other.match(parts, vectors, answer_tokens, unit_tokens, found, table,
                                self.calibration.concept_model)
        return share if share > own_share(theirs, self._own(other)) else 0.0

    def _stance_table(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        """The stance model's reading of each distinct (unit, statement) pair, in one batch."""
        distinct = list(dict.fromkeys(pairs))
        return dict(zip(distinct, self.stance.predict(distinct), strict=True)) if distinct else {}

    @property
    def _questions(self) -> dict[str, str]:
        return {rid: rubric.question for rid, rubric in (self.bank or {}).items()}

    # -- answer side ---------------------------------------------------------------------------
    def grade(self, rubric: Rubric, answer: str, profile: str = "rubric") -> Grade:
        """Grade one answer. An empty answer scores 0 with "no answer given"."""
        return self.grade_many([(rubric, answer)], profile)[0]

    def grade_many(self, items: Sequence[tuple[Rubric, str]], profiles: str | Sequence[str] = "rubric") -> list[Grade]:
        """Grade many answers, embedding all their units in one batched pass and reading all their
        candidate pairs in one stance batch.

        ``profiles``: the calibration profile for all items, or one per item ("rubric" for bank
        rubrics, "reference" for rubrics derived from a single reference answer).
        """
        if isinstance(profiles, str):
            profiles = [profiles] * len(items)
        split = [split_answer(answer, self.max_answer_words) for _, answer in items]
        prepared = [self.prepare(rubric) for rubric, _ in items]
        vectors, tokens = self.embedder.encode_tokens([u.text for s in split for u in s.units])
        fingerprints = self._fingerprints() if "rubric" in profiles else {}
        plans, offset = [], 0
        for parts, ready in zip(split, prepared, strict=True):
            n = len(parts.units)
            unit_vectors = vectors[offset : offset + n]
            unit_tokens = tokens[offset : offset + n]
            answer_tokens = np.vstack(unit_tokens) if unit_tokens else np.zeros((0, vectors.shape[1]), np.float32)
            found = ready.candidates(parts, unit_vectors)
            claims = claim_candidates(ready.rubric, ready.claims, ready.corrections, np.vstack(ready.statements),
                                      parts, unit_vectors)
            plans.append((unit_vectors, answer_tokens, unit_tokens, found, claims))
            offset += n
        table = self._stance_table(pair for parts, (_, _, _, found, _) in zip(split, plans, strict=True)
                                   for f in found for pair in f.pairs(parts))
        return [self._score(ready, parts, *plan, fingerprints, profile, table)
                for parts, ready, plan, profile in zip(split, prepared, plans, profiles, strict=True)]

    def _score(self, ready: PreparedRubric, parts: AnswerUnits, vectors: np.ndarray, answer_tokens: np.ndarray,
               unit_tokens: Sequence[np.ndarray], found: Sequence[ConceptCandidates], claims: ClaimCandidates,
               fingerprints: dict[str, np.ndarray], profile: str, table: Mapping[tuple[str, str], np.ndarray]) -> Grade:
        """``vectors``: the answer's unit embeddings, (units, d); ``answer_tokens``: its content tokens,
        ``unit_tokens`` the same per unit."""
        rubric = ready.rubric
        answered = bool(parts.units)
        warnings: list[str] = []
        if parts.truncated:
            warnings.append(
                f"the answer is over {self.max_answer_words} words; only the first {self.max_answer_words} were graded"
            )
        if not answered:
            warnings.append("no answer given")
        concepts, extras = ready.match(parts, vectors, answer_tokens, unit_tokens, found, table,
                                       self.calibration.concept_model)
        wrong = find_misconceptions(rubric, claims, parts, ready.related)
        concepts = discredit(concepts, wrong, ready.related, rubric)
        wrong += contradictions(concepts, wrong)
        others = fingerprints if profile == "rubric" else {}
        topic = relevance(rubric.id, ready.fingerprint, others, vectors, answered, self._questions, len(wrong))
        if not topic.on_topic and others:
            share = self._answers_own(ready, concepts, topic.best_other_rubric, parts, vectors, answer_tokens,
                                      unit_tokens)
            topic = answers_own_points(topic, share)
        similarity = self._similarity(ready, vectors)
        features = answer_features(ready, concepts, wrong, topic, similarity, parts, vectors)
        features.update(token_features(ready, answer_tokens, extras))
        features.update(question_demoted(ready, answer_tokens))
        off_topic = answered and not topic.on_topic and profile == "rubric"
        features.update(checklist.ceiling_features(rubric, concepts, wrong, off_topic))
        calibration = self.calibration[profile]
        score = final_score(self.calibration, features, profile) if answered else 0.0
        breakdown = None
        if answered and calibration.kind == "checklist":
            breakdown, hits = checklist.breakdown(rubric, concepts, wrong, off_topic,
                                                  calibration.curve(features["checklist"]), calibration.deduction_scale)
            wrong = list(hits)
        if off_topic:
            warnings.append(f"off-topic: {topic.reason}")
        feedback = write_feedback(rubric, concepts, wrong, score, answered=answered, relevance=topic, breakdown=breakdown)
        return Grade(
            rubric_id=rubric.id,
            question=rubric.question,
            score=score,
            concepts=concepts,
            similarity=similarity,
            feedback=feedback,
            features=features,
            word_count=len(parts.words),
            misconceptions=tuple(wrong),
            relevance=topic,
            warnings=tuple(warnings),
            profile=profile,
            breakdown=breakdown,
        )

    @staticmethod
    def _similarity(ready: PreparedRubric, vectors: np.ndarray) -> Similarity:
        if not len(vectors) or not len(ready.model_vectors):
            return Similarity(0.0, 0.0, 0.0)
        matrix = vectors @ ready.model_vectors.T  # matrix[i, j] = cos(answer unit i, model unit j)
        precision = float(matrix.max(axis=1).mean())
        recall = float(matrix.max(axis=0).mean())
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        return Similarity(round(precision, 4), round(recall, 4), round(f1, 4))


def final_score(calibration: CalibrationSet, features: Mapping[str, float], profile: str = "rubric") -> float:
    """The 0–10 score from an answer's features, by the profile's calibration: the checklist (with its
    deductions and ceilings), or a linear or logistic map (minus the penalties if the profile says so,
    capped for an off-topic answer)."""
    chosen = calibration[profile]
    score = chosen.score(features)
    if chosen.kind != "checklist":
        if chosen.deduct_penalties:
            score = max(0.0, score - features.get("penalty", 0.0))
        if profile == "rubric" and features.get("off_topic", 0.0) >= 1.0:
            score = min(score, checklist.OFF_TOPIC_CAP)
    return round(score, 1)
