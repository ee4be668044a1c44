"""Typed grading results. Every field is plain data, so ``Grade.to_dict()`` is JSON-ready.

A grade explains itself: per concept whether it was covered, with the candidate's own sentence as
evidence; which were missed, with what the model answer says; wrong claims; and what to say next time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, Literal

ConceptStatus = Literal["covered", "partial", "missed"]
MAX_SCORE = 10.0


@dataclass(frozen=True)
class Evidence:
    """The candidate's own words: ``answer[start:end] == text``."""

    text: str
    start: int
    end: int


UNTOLD = "not told as your own past experience"
"""How a missed story point whose closest sentence tells no experience is marked (CLI, app, reports)."""
OPPOSITE = "said the opposite"
NAMED = "named, not explained"


def key_point_note(status: str, *, contradicted: bool = False, explained: bool = True, untold: bool = False) -> str:
    """The one note beside a key point's status, the same in the CLI, the app and the reports: ``OPPOSITE``,
    ``NAMED`` (partial because only named), ``UNTOLD`` (a story point not told as the candidate's own) or ""."""
    if contradicted:
        return OPPOSITE
    if status == "partial" and not explained:
        return NAMED
    return UNTOLD if untold and status == "missed" else ""


@dataclass(frozen=True)
class ConceptResult:
    concept_id: str
    label: str
    status: ConceptStatus
    credit: float
    """1 covered, 0.5 partial, 0 missed: the share of the concept's weight earned."""
    weight: float
    similarity: float
    """Best cosine between an answer unit and the concept's statement or cues (for a story point, over the
    units that tell an experience only; 0 when none does)."""
    cues_matched: tuple[str, ...]
    """Cue phrases found in the answer (by lemma, in order)."""
    evidence: Evidence | None
    statement: str
    """What a correct statement of the concept says (from the rubric)."""
    follow_up: str
    explained: bool = True
    """False when the concept was only named (a term in a list) and not explained: partial credit at most."""
    contradicted: bool = False
    """True when the answer says the opposite of the concept (e.g. "trees need scaling"): no credit."""
    untold: bool = False
    """True when a story point (``Concept.experience``) was missed, not contradicted, and the sentence
    closest to it tells no experience of the candidate's own: "I would…", "I usually…", or only what "we"
    did (shown as ``UNTOLD``)."""
    stance: float = 0.0
    """The stance model's probability that the best candidate unit states the concept (0–1)."""
    signals: dict[str, float] = field(default_factory=dict)
    """What the status was decided from (``concept_model.SIGNALS``), for inspection and refitting."""


@dataclass(frozen=True)
class MisconceptionHit:
    """A wrong claim found in the answer (filled in by the misconception detector)."""

    misconception_id: str
    """The rubric's misconception id, or ``contradicts:<concept id>`` for a contradicted concept."""
    claim: str
    correction: str
    penalty: float
    evidence: Evidence | None
    similarity: float
    concept_id: str | None = None
    """The key point the claim gets wrong (None when it is about none of them)."""
    points_off: float = 0.0
    """What the claim cost in the score, in points of 10 (shown in the feedback)."""


@dataclass(frozen=True)
class ScoreBreakdown:
    """How the score was built from the checklist, so it can be shown and checked."""

    checklist: float
    """10 × the weighted share of key points covered (partial ones count half), 0–10."""
    curved: float
    """The checklist points through the calibration's monotone curve."""
    deducted: float
    """Points taken off for wrong claims (the sum of their ``points_off``)."""
    cap: float | None = None
    """The ceiling that applied, if any (see ``cap_reason``)."""
    cap_reason: str = ""


@dataclass(frozen=True)
class Relevance:
    """Whether the answer is about its question (filled in by the off-topic detector)."""

    on_topic: bool
    score: float
    """How well the answer fits its own question: mean best cosine of its units to the rubric, 0–1."""
    best_other_rubric: str | None = None
    """The other bank question the answer fits best, if a bank was given."""
    best_other_score: float | None = None
    best_other_question: str | None = None
    """That question's text (what the candidate is told, never its id)."""
    reason: str = ""
    """Why the answer was flagged off-topic ("" when on topic)."""


@dataclass(frozen=True)
class Similarity:
    """Sentence-level alignment between answer and model answer (BERTScore-style, over sentences).

    ``recall``: mean over model-answer sentences of the best-matching answer unit's cosine: how much of
    the model answer the candidate said. ``precision``: the same the other way: how much of what the
    candidate said is in the model answer. ``f1``: their harmonic mean.
    """

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Feedback:
    summary: str
    strengths: tuple[str, ...]
    """What was good, quoting the candidate."""
    missing: tuple[str, ...]
    """What was missing, with what the model answer says."""
    corrections: tuple[str, ...]
    """Wrong claims with the correct statement."""
    follow_up: str | None
    """The question an interviewer would ask next (for the most important missed concept)."""
    next_time: str
    """One sentence on what to say next time."""


@dataclass(frozen=True)
class Grade:
    rubric_id: str
    question: str
    score: float
    """0–10, one decimal."""
    concepts: tuple[ConceptResult, ...]
    similarity: Similarity
    feedback: Feedback
    features: dict[str, float]
    """The interpretable features the score is computed from (see ``calibration.json``)."""
    word_count: int
    misconceptions: tuple[MisconceptionHit, ...] = ()
    relevance: Relevance | None = None
    warnings: tuple[str, ...] = ()
    profile: str = "rubric"
    """The calibration profile used: "rubric" (a bank rubric) or "reference" (derived from a reference answer)."""
    max_score: float = MAX_SCORE
    breakdown: ScoreBreakdown | None = None
    """How the score follows from the checklist (None for the reference profile and empty answers)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def covered(self) -> tuple[ConceptResult, ...]:
        return tuple(c for c in self.concepts if c.status == "covered")

    @property
    def partial(self) -> tuple[ConceptResult, ...]:
        return tuple(c for c in self.concepts if c.status == "partial")

    @property
    def missed(self) -> tuple[ConceptResult, ...]:
        return tuple(c for c in self.concepts if c.status == "missed")

    @property
    def unsaid_warnings(self) -> tuple[str, ...]:
        """The warnings the feedback's summary does not already say (an off-topic reason is in both)."""
        summary = self.feedback.summary.lower()
        return tuple(w for w in self.warnings if w.lower().split(": ", 1)[-1] not in summary)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Grade:
        """The grade ``to_dict()`` made (the session store, grade-batch output), typed again.

        Lenient with grades written by earlier versions: a field they lack takes its default, or an empty
        value (0, "", an empty tuple) where it has none; a key this version does not know is ignored. A
        value of the wrong shape (an object where a list belongs) is a ``ValueError`` naming the field.
        """
        return _typed(cls, data, "grade")


# -- Grade.from_dict ---------------------------------------------------------------------------------------
_NESTED: dict[str, type] = {}  # annotation name -> dataclass, filled below


def _typed(cls: type, data: Any, where: str) -> Any:
    """``cls(**data)`` with each field converted by its annotation (see ``Grade.from_dict``)."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
    values: dict[str, Any] = {}
    for f in fields(cls):
        annotation = str(f.type)
        if f.name in data:
            values[f.name] = _value(annotation, data[f.name], f"{where}.{f.name}")
        elif f.default is MISSING and f.default_factory is MISSING:
            values[f.name] = _empty(annotation)
    return cls(**values)


def _value(annotation: str, value: Any, where: str) -> Any:
    optional = annotation.endswith(" | None")
    kind = annotation.removesuffix(" | None")
    if value is None:
        return None if optional else _empty(annotation)
    if kind in _NESTED:
        return _typed(_NESTED[kind], value, where)
    if kind.startswith("tuple["):
        if not isinstance(value, list | tuple):
            raise ValueError(f"{where}: expected a list, got {type(value).__name__}")
        item = kind[len("tuple["):-1].removesuffix(", ...")
        return tuple(_value(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if kind.startswith("dict["):
        if not isinstance(value, Mapping):
            raise ValueError(f"{where}: expected an object, got {type(value).__name__}")
        return dict(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _empty(annotation: str) -> Any:
    """The value a field missing from an older grade takes when it has no default."""
    kind = annotation.removesuffix(" | None")
    if annotation.endswith(" | None"):
        return None
    if kind in _NESTED:
        return _typed(_NESTED[kind], {}, kind)
    return {"str": "", "float": 0.0, "int": 0, "bool": False, "ConceptStatus": "missed"}.get(
        kind, () if kind.startswith("tuple[") else {})


_NESTED.update((c.__name__, c) for c in (Evidence, ConceptResult, MisconceptionHit, ScoreBreakdown, Relevance,
                                         Similarity, Feedback))
