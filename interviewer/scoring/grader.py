"""The grader: scores an answer against a rubric by meaning, key concepts and wrong claims.

How a grade is made:

1. The answer is cut into units (sentences; long ones at clause boundaries) that keep their spans.
2. Units are embedded once. Each concept is matched (``concepts.py``): covered, partial, missed or
   contradicted, with the best unit as evidence; a concept only named in a list earns partial credit.
3. Wrong claims are detected (``detectors.py``): the rubric's misconceptions, and contradicted concepts.
4. Relevance: the answer's fit to its own rubric against every other rubric of the bank (if given).
5. The answer is aligned with the model answer sentence by sentence (precision / recall / F1) and token by
   token (also with the question's words demoted); graded wrong-claim evidence below the detector's
   thresholds (``claim_margin``, ``claim_contrast``) is measured too.
6. The interpretable features (wrong claims' penalties among them) go through the calibration profile
   (``calibration.json``) to a 0–10 score; a profile may instead deduct the penalties after its map
   (``deduct_penalties``); an off-topic answer is capped.

Rubric-side embeddings are computed once per rubric (and kept on disk when a cache folder is given);
an answer costs one ``encode`` call.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interviewer.rubrics.model import Rubric
from interviewer.scoring import text as T
from interviewer.scoring.calibration import CalibrationSet, load_calibration
from interviewer.scoring.concepts import COVERED_SIMILARITY, AnswerUnits, match_concept, split_answer
from interviewer.scoring.detectors import OFF_TOPIC_CAP, contradictions, discredit, find_misconceptions, relevance
from interviewer.scoring.embedder import Embedder
from interviewer.scoring.feedback import write_feedback
from interviewer.scoring.result import ConceptResult, Grade, MisconceptionHit, Relevance, Similarity

# Sentence-level F1 against the model answer is mapped from [floor, ceiling] onto [0, 1].
SIMILARITY_FLOOR = 0.25
SIMILARITY_CEILING = 0.75
SOFT_CREDIT_FLOOR = 0.30  # below this cosine a concept earns no soft credit
# Length counts only up to this many words, and only in distinct units: saying more helps a little,
# saying the same thing again does not.
LENGTH_CAP_WORDS = 250
# claim_margin / claim_contrast when there is nothing to compare with (no misconceptions in the rubric):
# their medians over the dev-set answers with no false claim (86 answers; benchmarks/data/devset.jsonl).
NO_CLAIM_MARGIN = 0.05
NO_CLAIM_CONTRAST = 0.21

__all__ = ["Grader", "PreparedRubric", "final_score", "split_answer"]


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

    @property
    def model_words(self) -> int:
        return T.word_count(self.rubric.model_answer)

    @property
    def fingerprint(self) -> np.ndarray:
        """What the rubric is about: model-answer units and concept statements, (rows, d)."""
        return np.vstack([self.model_vectors, *self.statements])


def _rubric_texts(rubric: Rubric, model_units: Sequence[T.Span]) -> list[str]:
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


def _distinct_words(parts: AnswerUnits) -> int:
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


def claim_evidence(ready: PreparedRubric, parts: AnswerUnits, vectors: np.ndarray) -> dict[str, float]:
    """Graded evidence of a wrong claim, below the detector's thresholds (the calibration weighs it).

    ``claim_margin``: over the answer's units and the rubric's misconceptions, the largest lead of a
    unit's cosine to a claim over its cosine to that claim's correction and to every concept statement
    (negative when every unit is closer to something correct); ``claim_contrast``: the same against the
    correction only. A unit that negates the claim ("never shuffle a time series") is left out.
    """
    claims = ready.claims
    if not len(vectors) or not len(claims):
        # No answer, or a rubric that lists no misconceptions: no evidence either way, so the values an
        # answer with no wrong claim typically has (not a bonus for rubrics without misconceptions).
        return {"claim_margin": NO_CLAIM_MARGIN, "claim_contrast": NO_CLAIM_CONTRAST}
    statements = np.vstack(ready.statements)
    to_claims = vectors @ claims.T
    contrast = to_claims - vectors @ ready.corrections.T
    margin = to_claims - np.maximum(vectors @ ready.corrections.T, (vectors @ statements.T).max(axis=1)[:, None])
    best_margin: float | None = None
    best_contrast: float | None = None
    for u in range(len(vectors)):
        for m, misconception in enumerate(ready.rubric.misconceptions):
            if best_margin is not None and margin[u, m] <= best_margin and contrast[u, m] <= best_contrast:
                continue
            if T.polarity_conflict(parts.units[u].text, misconception.claim):
                continue
            best_margin = float(margin[u, m]) if best_margin is None else max(best_margin, float(margin[u, m]))
            best_contrast = float(contrast[u, m]) if best_contrast is None else max(best_contrast, float(contrast[u, m]))
    if best_margin is None or best_contrast is None:  # every unit negates every claim
        return {"claim_margin": NO_CLAIM_MARGIN, "claim_contrast": NO_CLAIM_CONTRAST}
    return {"claim_margin": round(best_margin, 4), "claim_contrast": round(best_contrast, 4)}


def token_features(ready: PreparedRubric, answer: np.ndarray) -> dict[str, float]:
    """Token-level alignment (BERTScore-style, contextual MiniLM token vectors, function words left out).

    ``token_coverage``: weighted mean over concepts of the best token recall of a statement or an
    alternative; ``best_token_recall``: the best concept's; ``token_recall`` / ``token_precision`` /
    ``token_f1``: against the model answer's tokens.
    """
    weights = [c.weight for c in ready.rubric.concepts]
    recalls = [max(_token_recall(t, answer) for t in block) for block in ready.statement_tokens]
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


def final_score(calibration: CalibrationSet, features: Mapping[str, float], profile: str = "rubric") -> float:
    """The 0–10 score from an answer's features: the profile's calibration, minus the wrong claims'
    penalties (unless the profile takes them as a feature), capped for an off-topic answer."""
    chosen = calibration[profile]
    score = chosen.score(features)
    if chosen.deduct_penalties:
        score = max(0.0, score - features.get("penalty", 0.0))
    if profile == "rubric" and features.get("off_topic", 0.0) >= 1.0:
        score = min(score, OFF_TOPIC_CAP)
    return round(score, 1)


class Grader:
    """Grades answers against rubrics with one embedder. Safe to reuse across many answers.

    ``bank``: the other questions, for off-topic detection (None: relevance is judged on its own).
    ``cache_dir``: where rubric embeddings are kept between runs (None: memory only).
    """

    def __init__(
        self,
        embedder: Embedder,
        calibration: CalibrationSet | None = None,
        *,
        bank: Mapping[str, Rubric] | None = None,
        max_answer_words: int = 5000,
        cache_dir: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.calibration = calibration or load_calibration()
        self.bank = bank
        self.max_answer_words = max_answer_words
        self.cache_dir = cache_dir
        self._prepared: dict[str, PreparedRubric] = {}
        self._bank_fingerprints: dict[str, np.ndarray] | None = None

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
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npz")
                flat = np.vstack(tokens) if tokens else np.zeros((0, vectors.shape[1]), dtype=np.float32)
                np.savez(tmp, vectors=vectors, tokens=flat, lengths=np.array([len(t) for t in tokens]))
                tmp.replace(path)
            except OSError:
                pass  # the cache is an optimisation; a read-only disk only costs time
        return vectors, tokens

    def prepare(self, rubric: Rubric) -> PreparedRubric:
        """Embed a rubric's statements, cues, claims and model answer (cached by the rubric's content)."""
        key = self._cache_key(rubric)
        cached = self._prepared.get(key)
        if cached is not None:
            return cached
        model_units = tuple(T.units(rubric.model_answer))
        vectors, token_list = self._encode_cached(key, _rubric_texts(rubric, model_units))
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
        firsts = np.vstack([block[0] for block in statements])
        related = tuple(int(np.argmax(firsts @ c)) for c in corrections)
        prepared = PreparedRubric(rubric, statements, cues, claims, corrections, model_units, model_vectors,
                                  key_lemmas, question_lemmas, related, question, statement_tokens, model_tokens,
                                  question_token_list[0])
        self._prepared[key] = prepared
        return prepared

    def _fingerprints(self) -> dict[str, np.ndarray]:
        """Every bank rubric's fingerprint (computed once: the bank does not change under a grader)."""
        if not self.bank:
            return {}
        if self._bank_fingerprints is None:
            self._bank_fingerprints = {rid: self.prepare(rubric).fingerprint for rid, rubric in self.bank.items()}
        return self._bank_fingerprints

    # -- answer side ---------------------------------------------------------------------------
    def grade(self, rubric: Rubric, answer: str, profile: str = "rubric") -> Grade:
        """Grade one answer. An empty answer scores 0 with "no answer given"."""
        return self.grade_many([(rubric, answer)], profile)[0]

    def grade_many(self, items: Sequence[tuple[Rubric, str]], profiles: str | Sequence[str] = "rubric") -> list[Grade]:
        """Grade many answers, embedding all their units in one batched pass.

        ``profiles``: the calibration profile for all items, or one per item ("rubric" for bank
        rubrics, "reference" for rubrics derived from a single reference answer).
        """
        if isinstance(profiles, str):
            profiles = [profiles] * len(items)
        split = [split_answer(answer, self.max_answer_words) for _, answer in items]
        prepared = [self.prepare(rubric) for rubric, _ in items]
        vectors, tokens = self.embedder.encode_tokens([u.text for s in split for u in s.units])
        fingerprints = self._fingerprints() if "rubric" in profiles else {}
        grades, offset = [], 0
        for parts, ready, profile in zip(split, prepared, profiles, strict=True):
            n = len(parts.units)
            unit_tokens = tokens[offset : offset + n]
            answer_tokens = np.vstack(unit_tokens) if unit_tokens else np.zeros((0, vectors.shape[1]), np.float32)
            grades.append(self._score(ready, parts, vectors[offset : offset + n], answer_tokens, fingerprints, profile))
            offset += n
        return grades

    def _score(self, ready: PreparedRubric, parts: AnswerUnits, vectors: np.ndarray, answer_tokens: np.ndarray,
               fingerprints: dict[str, np.ndarray], profile: str) -> Grade:
        """``vectors``: the answer's unit embeddings, (units, d); ``answer_tokens``: its content tokens."""
        rubric = ready.rubric
        answered = bool(parts.units)
        warnings: list[str] = []
        if parts.truncated:
            warnings.append(
                f"the answer is over {self.max_answer_words} words; only the first {self.max_answer_words} were graded"
            )
        if not answered:
            warnings.append("no answer given")
        concepts = tuple(
            match_concept(c, ready.statements[i], ready.cues[i], parts, vectors) for i, c in enumerate(rubric.concepts)
        )
        statements = np.vstack(ready.statements)
        wrong = find_misconceptions(rubric, ready.claims, ready.corrections, statements, parts, vectors)
        concepts = discredit(concepts, wrong, ready.related, rubric)
        wrong += contradictions(concepts, wrong)
        others = fingerprints if profile == "rubric" else {}
        topic = relevance(rubric.id, ready.fingerprint, others, vectors, answered)
        similarity = self._similarity(ready, vectors)
        features = self._features(ready, concepts, wrong, topic, similarity, parts, vectors)
        features.update(token_features(ready, answer_tokens))
        features.update(question_demoted(ready, answer_tokens))
        features.update(claim_evidence(ready, parts, vectors))
        score = final_score(self.calibration, features, profile) if answered else 0.0
        if answered and not topic.on_topic and profile == "rubric":
            warnings.append(f"off-topic: {topic.reason}")
        feedback = write_feedback(rubric, concepts, wrong, score, answered=answered, relevance=topic)
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

    @staticmethod
    def _features(ready: PreparedRubric, concepts: Sequence[ConceptResult], wrong: Sequence[MisconceptionHit],
                  topic: Relevance, similarity: Similarity, parts: AnswerUnits, vectors: np.ndarray) -> dict[str, float]:
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
            "question_similarity": round(to_question, 4),
            "negation_mismatch": negation_mismatch,
            "log_words": round(float(np.log1p(min(_distinct_words(parts), LENGTH_CAP_WORDS))), 4),
            # Shorter than the model answer (log ratio of word counts, 0 when at least as long).
            "short_answer": round(min(0.0, float(np.log1p(len(parts.words)) - np.log1p(ready.model_words))), 4),
        }
