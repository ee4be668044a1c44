"""What the grader asks of lemminflect's lexicon, loaded in a few hundredths of a second.

The grader needs two things from a dictionary: every form a lower-case word may stand for ("splitting" →
split, splitting: ``text.lemmas``) and whether a word is a verb's simple past ("asked", "led":
``narrative.past_form``). lemminflect answers both, but reads its tables from gzipped CSV files on first
use: 0.3–0.5 s for the lemmas and 0.3 s more for the inflections on this machine, a quarter of a one-shot
``interviewer grade``.

So the answers are worked out once, from lemminflect itself (its lemma table with its overrides, and
``getInflection`` for the past forms), and kept in the user's cache folder as one ``marshal`` file keyed
by lemminflect's version and Python's ``marshal`` format. Later processes load it in about 40 ms and never
import lemminflect. A missing, damaged or unwritable cache only costs the time it saves: the tables are
then built in memory, as lemminflect would have loaded them.
"""

from __future__ import annotations

import marshal
import sys
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from interviewer.outfile import save_cache_file

FOLDER = "lexicon"
FORMAT = 1
"""The cache file's layout and how ``build`` works it out: raise it when either changes, so no cache made by an
older ``build`` is read (fresh and cached machines would grade differently)."""


@dataclass(frozen=True)
class Lexicon:
    forms: dict[str, tuple[str, ...]]
    """A lower-case word's lemmas over every part of speech, lower-cased (no entry: a word the lexicon does
    not know)."""
    past: frozenset[str]
    """Words that are a simple past form of one of their verb lemmas ("was", "asked", "built")."""


_lock = threading.Lock()
_loaded: Lexicon | None = None


def lexicon() -> Lexicon:
    """The process's lexicon: loaded from the cache folder, or built (and saved there) the first time."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load_or_build(_cache_file())
    return _loaded


def forms(word: str) -> tuple[str, ...]:
    """lemminflect's ``getAllLemmas(word)``, every part of speech's lemmas in one tuple, lower-cased (``word``
    is lower case); empty for a word it does not know."""
    return lexicon().forms.get(word, ())


def known(word: str) -> bool:
    return word in lexicon().forms


def is_past(word: str) -> bool:
    """Whether ``word`` (lower case) is a simple past form of one of its verb lemmas, as lemminflect's
    ``getInflection(lemma, "VBD")`` spells them."""
    return word in lexicon().past


def _version() -> str:
    try:
        return metadata.version("lemminflect")
    except metadata.PackageNotFoundError:
        return "unknown"


def _cache_file() -> Path | None:
    from interviewer import locations

    try:
        folder = locations.cache_dir()
    except OSError:
        return None
    python = f"{sys.version_info[0]}{sys.version_info[1]}"
    return folder / FOLDER / f"lexicon{FORMAT}-lemminflect-{_version()}-marshal{marshal.version}-py{python}.bin"


def _load_or_build(path: Path | None) -> Lexicon:
    if path is not None:
        try:
            data = marshal.loads(path.read_bytes())
            return Lexicon(dict(data["forms"]), frozenset(data["past"]))
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            pass  # none yet, unreadable or damaged: built (and saved) again
    built = build()
    if path is not None:
        save_cache_file(path, lambda temp: temp.write_bytes(marshal.dumps({"forms": built.forms, "past": built.past})))
    return built


def build() -> Lexicon:
    """The lexicon from lemminflect's own tables and functions (about a second)."""
    from lemminflect import Lemmatizer, getInflection

    lemmatizer = Lemmatizer()
    table = lemmatizer._getLemmaDict()  # noqa: SLF001 - the table getAllLemmas reads, with its overrides below
    overrides = lemmatizer._getOverridesDict()  # noqa: SLF001
    forms: dict[str, tuple[str, ...]] = {}
    verbs: dict[str, tuple[str, ...]] = {}
    for word in {*table, *overrides}:
        if word != word.lower():
            continue  # getAllLemmas lower-cases what it looks up: capitalised entries are proper nouns only
        entry = {**table.get(word, {}), **overrides.get(word, {})}
        if not entry:
            continue
        forms[word] = tuple(sorted({form.lower() for options in entry.values() for form in options}))
        if entry.get("VERB"):
            verbs[word] = tuple(entry["VERB"])
    past_of: dict[str, tuple[str, ...]] = {}
    past = set()
    for word, lemmas in verbs.items():
        for lemma in lemmas:
            if lemma not in past_of:
                past_of[lemma] = tuple(getInflection(lemma, "VBD") or ())
            if word in past_of[lemma]:
                past.add(word)
                break
    return Lexicon(forms, frozenset(past))
