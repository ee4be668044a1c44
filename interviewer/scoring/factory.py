"""``make_grader``: the one place a ``Grader`` is built from the settings, for the CLI, the app and the benchmarks.

The embedder and the stance cross-encoder load here unless they are given (``load_embedder``,
``load_stance``: on ONNX Runtime by default, ~0.5 s and ~250 MB, never importing torch; on torch with
``inference = "torch"``, ~4 s and ~600 MB); call it from a worker thread or a background loader, never on a
UI thread.
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


def load_embedder(settings: Settings) -> Embedder:
    """The settings' embedding model on the settings' inference backend."""
    if settings.inference == "onnx":
        from interviewer.scoring.onnx_models import load_onnx_embedder

        return load_onnx_embedder(settings.embedding_model)
    from interviewer.scoring import embedder

    return embedder.load_embedder(settings.embedding_model, settings.embedding_precision)


def load_stance(settings: Settings, embedder: Embedder | None = None) -> StanceModel:
    """The shipped stance cross-encoder on the settings' inference backend (on torch, in ``embedder``'s
    precision)."""
    if settings.inference == "onnx":
        from interviewer.scoring.onnx_models import load_onnx_stance

        return load_onnx_stance()
    from interviewer.scoring import stance

    return stance.load_stance(precision=getattr(embedder, "precision", "float32"))


def _load_both(settings: Settings) -> tuple[Embedder, StanceModel]:
    """The embedder and the stance model on ONNX Runtime, loaded side by side: ONNX Runtime builds a session
    without holding the GIL, so on two cores the stance session is built while the embedder's is (a one-shot
    ``grade`` waited ~0.5 s for the two, one after the other). An error is the one the loading raised."""
    import threading

    loaded: dict[str, StanceModel | BaseException] = {}

    def load() -> None:
        try:
            loaded["stance"] = load_stance(settings)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread below
            loaded["stance"] = exc

    worker = threading.Thread(target=load, name="stance-loader", daemon=True)
    worker.start()
    try:
        embedder = load_embedder(settings)
    except KeyboardInterrupt:
        # The user asked to stop: not after a first-run export of the stance model (10-20 s). The daemon
        # loader ends with the process; an export it leaves unfinished has no provenance, so it is redone.
        raise
    except BaseException:
        worker.join()  # never leave a session half-built behind an error
        raise
    worker.join()
    stance = loaded["stance"]
    if isinstance(stance, BaseException):
        raise stance
    return embedder, stance


def make_grader(settings: Settings, bank: Mapping[str, Rubric] | None = None, *, calibration: Path | None = None,
                embedder: Embedder | None = None, stance: StanceModel | StanceChoice = "shipped") -> Grader:
    """A grader for ``bank`` (used for off-topic checks; None: none) with the settings' embedding model,
    inference backend, precision and answer cap, the shipped stance model and calibration (or the
    ``calibration`` file), and the rubric cache in the user's cache folder. ``embedder``: one already loaded (the app shares one)."""
    from interviewer import locations
    from interviewer.scoring.calibration import load_calibration
    from interviewer.scoring.grader import Grader

    calibrations = load_calibration(calibration) if calibration else None
    if embedder is None and stance == "shipped" and settings.inference == "onnx":
        embedder, stance = _load_both(settings)
    if embedder is None:
        embedder = load_embedder(settings)
    if stance == "shipped":
        stance = load_stance(settings, embedder)
    return Grader(embedder, calibrations, stance=None if stance == "similarity" else stance, bank=bank,
                  max_answer_words=settings.max_answer_words, cache_dir=locations.cache_dir())
