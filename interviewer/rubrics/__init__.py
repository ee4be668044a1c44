"""Rubrics: the question, its model answer, the key concepts and the misconceptions to grade against."""

from interviewer.rubrics.loader import Bank, load_bank, load_rubric, rubric_files
from interviewer.rubrics.model import Concept, Misconception, Rubric

__all__ = ["Bank", "Concept", "Misconception", "Rubric", "load_bank", "load_rubric", "rubric_files"]
