"""Cross-validation by question for the rubric profile: every fitted part is refitted without the
held-out question, so its answers are graded by models that never saw it.

For each question: the concept model (``concept_model.py``) is fitted on the other questions' human
judgements of each key point, every answer is graded again with it, the checklist curve and deduction
scale are fitted on the other questions' answers, and the held-out question's answers are scored with
both. The stance model and the embeddings are shared (they were never fitted on the dev set).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from interviewer.errors import InputError
from interviewer.rubrics.model import Rubric
from interviewer.scoring.calibration import CalibrationSet
from interviewer.scoring.concept_model import HUMAN, ConceptModel, fit_concept_model
from interviewer.scoring.fit import fit_checklist_profile
from interviewer.scoring.grader import Grader, final_score
from interviewer.scoring.result import Grade


def with_calibration(grader: Grader, calibration: CalibrationSet) -> Grader:
    """The same grader (models, caches) with another calibration."""
    other = copy.copy(grader)
    other.calibration = calibration
    return other


def concept_rows(grades: Sequence[Grade], points: Sequence[Mapping[str, str]]) -> tuple[list[dict[str, float]], list[str]]:
    """Each key point's signals and its human label, over graded answers with human ``points``."""
    signals, labels = [], []
    for grade, judged in zip(grades, points, strict=True):
        for concept in grade.concepts:
            label = judged.get(concept.concept_id)
            if label in HUMAN:
                signals.append(concept.signals)
                labels.append(HUMAN[label])
    return signals, labels


def fit_rubric_calibration(grader: Grader, items: Sequence[tuple[Rubric, str]], points: Sequence[Mapping[str, str]],
                           gold: Sequence[float], source: str) -> tuple[ConceptModel, Any]:
    """The concept model, then the checklist curve on answers graded with it."""
    grades = grader.grade_many(items)
    signals, labels = concept_rows(grades, points)
    if len(set(labels)) < 3:
        raise InputError("fitting the concept model needs covered, partial and missed key points in the data")
    model = fit_concept_model(signals, labels, source)
    fitted = with_calibration(grader, CalibrationSet(dict(grader.calibration.profiles), model))
    regraded = fitted.grade_many(items)
    curve = fit_checklist_profile([g.features for g in regraded], gold, source)
    return model, curve


def cross_validated_rubric_scores(grader: Grader, items: Sequence[tuple[Rubric, str]],
                                  points: Sequence[Mapping[str, str]], gold: Sequence[float],
                                  groups: Sequence[str]) -> list[float]:
    """Each answer's score from a concept model and a curve fitted without its question."""
    if len(set(groups)) < 3:
        raise InputError(f"--cross-validate needs answers to at least 3 questions, got {len(set(groups))}")
    grades = grader.grade_many(items)  # the signals do not depend on the concept model: one pass
    predicted = [0.0] * len(items)
    for held_out in sorted(set(groups)):
        train = [i for i, g in enumerate(groups) if g != held_out]
        signals, labels = concept_rows([grades[i] for i in train], [points[i] for i in train])
        model = fit_concept_model(signals, labels, "cv")
        fold = with_calibration(grader, CalibrationSet(dict(grader.calibration.profiles), model))
        regraded = fold.grade_many(items)
        curve = fit_checklist_profile([regraded[i].features for i in train], [gold[i] for i in train], "cv")
        scored = CalibrationSet({**grader.calibration.profiles, "rubric": curve}, model)
        for i, g in enumerate(groups):
            if g == held_out:
                predicted[i] = final_score(scored, regraded[i].features) if regraded[i].word_count else 0.0
    return predicted
