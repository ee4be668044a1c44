"""Grading: embeddings, concept matching, similarity and calibration, with typed results.

Importing this package is cheap: the embedding model (and torch) load only when an embedder is made.
"""

from interviewer.scoring.grader import Grader
from interviewer.scoring.result import ConceptResult, Evidence, Feedback, Grade, MisconceptionHit, Relevance, Similarity

__all__ = ["ConceptResult", "Evidence", "Feedback", "Grade", "Grader", "MisconceptionHit", "Relevance", "Similarity"]
