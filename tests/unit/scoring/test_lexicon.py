"""The lemma lexicon (``scoring/lexicon.py``) answers as lemminflect does, from a cache file it can rebuild."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lemminflect import getAllLemmas, getInflection

from interviewer.scoring import lexicon, narrative
from interviewer.scoring import text as T

WORDS = ("splitting", "split", "was", "were", "asked", "led", "built", "read", "put", "ran", "running", "better",
         "data", "indices", "analyses", "scalers", "imputers", "onboarded", "i'm", "don't", "would", "leaves",
         "xgboost", "shap", "overfit", "overfitting", "went", "gone", "thought", "fed", "bled", "taught")


@pytest.fixture(scope="module")
def built() -> lexicon.Lexicon:
    return lexicon.build()


@pytest.mark.parametrize("word", WORDS)
def test_forms_and_past_are_lemminflects(built: lexicon.Lexicon, word: str) -> None:
    found = getAllLemmas(word)
    assert set(built.forms.get(word, ())) == {form.lower() for options in found.values() for form in options}
    assert (word in built.forms) == bool(found)
    past = any(word in (getInflection(lemma, "VBD") or ()) for lemma in found.get("VERB") or ())
    assert (word in built.past) == past


def test_the_grader_reads_words_through_it() -> None:
    assert {"split", "splitting"} <= T.lemmas("Splitting")
    assert T.lemmas("scalers") == {"scalers", "scaler"}  # unknown to the lexicon: the plural rule
    assert narrative.past_form("led") and narrative.past_form("refactored") and not narrative.past_form("lead")


def _no_build() -> lexicon.Lexicon:
    raise AssertionError("built again: the cache file was not read")


def test_the_cache_file_round_trips(tmp_path: Path, built: lexicon.Lexicon, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lexicon" / "lemminflect.bin"
    first = lexicon._load_or_build(path)
    assert path.is_file() and first == built
    monkeypatch.setattr(lexicon, "build", _no_build)
    assert lexicon._load_or_build(path) == built  # read back from the file


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, built: lexicon.Lexicon,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lemminflect.bin"
    path.write_bytes(b"\x00not marshal")
    assert lexicon._load_or_build(path) == built
    assert path.read_bytes() != b"\x00not marshal"  # the rebuilt file replaced the damaged one
    monkeypatch.setattr(lexicon, "build", _no_build)
    assert lexicon._load_or_build(path) == built


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path, built: lexicon.Lexicon) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    assert lexicon._load_or_build(blocker / "lexicon" / "lemminflect.bin") == built
    unreadable = tmp_path / "unreadable.bin"
    unreadable.mkdir()  # a folder where the file should be: reading it fails, and so does writing
    assert lexicon._load_or_build(unreadable) == built and not list(tmp_path.glob("*.tmp"))


def test_grading_text_does_not_import_lemminflect_once_the_cache_exists() -> None:
    lexicon.lexicon()  # this test's cache folder (shared lexicon/) has the file now
    code = ("import sys; from interviewer.scoring import text, narrative; text.lemmas('splitting'); "
            "narrative.past_form('asked'); print('lemminflect' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
