"""``scoring.factory``: the two ONNX models load side by side, and a failure in either reaches the caller."""

from __future__ import annotations

import threading

import pytest

from interviewer.config import Settings
from interviewer.errors import ModelNotAvailableError
from interviewer.scoring import factory
from interviewer.scoring.stance import LABELS

from tests.fakes import HashingEmbedder


class _Stance:
    labels = LABELS


def _loaders(monkeypatch: pytest.MonkeyPatch, *, embedder_error: bool = False,
             stance_error: bool = False) -> dict[str, str]:
    """Replace the two loaders; returns the name of the thread each ran on. The embedder's waits until the
    stance loader has started, so the test hangs (and times out) if they ran one after the other."""
    threads: dict[str, str] = {}
    stance_started = threading.Event()

    def load_embedder(settings: Settings) -> HashingEmbedder:
        threads["embedder"] = threading.current_thread().name
        assert stance_started.wait(10), "the stance model did not start loading beside the embedder"
        if embedder_error:
            raise ModelNotAvailableError("embedder.onnx: the ONNX model could not be loaded")
        return HashingEmbedder()

    def load_stance(settings: Settings, embedder: object = None) -> _Stance:
        threads["stance"] = threading.current_thread().name
        stance_started.set()
        if stance_error:
            raise ModelNotAvailableError("stance.onnx: the ONNX model could not be loaded")
        return _Stance()

    monkeypatch.setattr(factory, "load_embedder", load_embedder)
    monkeypatch.setattr(factory, "load_stance", load_stance)
    return threads


def test_the_stance_model_loads_beside_the_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    threads = _loaders(monkeypatch)
    grader = factory.make_grader(Settings())
    assert threads["embedder"] == threading.current_thread().name
    assert threads["stance"] == "stance-loader"
    assert isinstance(grader.embedder, HashingEmbedder) and isinstance(grader.stance, _Stance)


@pytest.mark.parametrize("failing", ["embedder", "stance"])
def test_a_model_that_fails_to_load_fails_make_grader(monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    _loaders(monkeypatch, embedder_error=failing == "embedder", stance_error=failing == "stance")
    with pytest.raises(ModelNotAvailableError, match=f"{failing}.onnx"):
        factory.make_grader(Settings())
    assert not any(t.name == "stance-loader" for t in threading.enumerate())


def test_torch_loads_one_after_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    """On torch the stance model takes the embedder's precision, so it loads after it, on the caller's thread."""
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(factory, "load_embedder",
                        lambda s: calls.append(("embedder", threading.current_thread().name)) or HashingEmbedder())
    monkeypatch.setattr(factory, "load_stance",
                        lambda s, e=None: calls.append(("stance", threading.current_thread().name)) or _Stance())
    factory.make_grader(Settings(inference="torch"))
    here = threading.current_thread().name
    assert calls == [("embedder", here), ("stance", here)]


def test_ctrl_c_while_loading_does_not_wait_for_the_stance_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C during the embedder's load stops at once: not after the stance model's first-run export
    (10-20 s), which the loader thread (a daemon) would still be doing."""
    release = threading.Event()
    stance_started = threading.Event()

    def load_embedder(settings: Settings) -> HashingEmbedder:
        assert stance_started.wait(10)
        raise KeyboardInterrupt

    def load_stance(settings: Settings, embedder: object = None) -> _Stance:
        stance_started.set()
        release.wait(30)  # an export in progress
        return _Stance()

    monkeypatch.setattr(factory, "load_embedder", load_embedder)
    monkeypatch.setattr(factory, "load_stance", load_stance)
    try:
        with pytest.raises(KeyboardInterrupt):
            factory.make_grader(Settings())
        loader = next(t for t in threading.enumerate() if t.name == "stance-loader")
        assert loader.is_alive() and loader.daemon  # make_grader returned while the export was still running
    finally:
        release.set()
