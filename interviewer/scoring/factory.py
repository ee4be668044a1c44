"""``make_grader``: the one place a ``Grader`` is built from the settings, for the CLI, the app and the benchmarks.

The embedder (sentence-transformers + torch: ~4 s and ~500 MB) and the stance cross-encoder load here
unless they are given; call it from a worker thread or a background loader, never on a UI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from interviewer.config import Settings

if TYPE_CHECKING:
    from interviewer.rubrics.model import Rubric
    from interviewer.scoring.embedder import Embedder
    from interviewer.scoring.grader import Grader
    from interviewer.scoring.stance import StanceModel

StanceChoice = Literal["shipped", "similarity"]
"""``shipped``: the stance cross-encoder that ships with the program; ``similarity``: the grader's
similarity-only stance (for an embedder the cross-encoder does not fit, such as the tests' fake)."""


def make_grader(settings: Settings, bank: Mapping[str, Rubric] | None = None, *, calibration: Path | None = None,
                embedder: Embedder | None = None, stance: StanceModel | StanceChoice = "shipped") -> Grader:
    """A grader for ``bank`` (used for off-topic checks; None: none) with the settings' embedding model,
    precision and answer cap, the shipped stance model and calibration (or the ``calibration`` file), and the
    rubric cache in the user's cache folder. ``embedder``: one already loaded (the app shares one)."""
    from interviewer import locations
    from interviewer.scoring.calibration import load_calibration
    from interviewer.scoring.grader import Grader

    calibrations = load_calibration(calibration) if calibration else None
    if embedder is None:
        from interviewer.scoring.embedder import load_embedder

        embedder = load_embedder(settings.embedding_model, settings.embedding_precision)
    if stance == "shipped":
        from interviewer.scoring.stance import load_stance

        stance = load_stance(precision=getattr(embedder, "precision", "float32"))
    return Grader(embedder, calibrations, stance=None if stance == "similarity" else stance, bank=bank,
                  max_answer_words=settings.max_answer_words, cache_dir=locations.cache_dir())
