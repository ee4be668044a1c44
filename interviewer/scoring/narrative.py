"""Whether a sentence tells something that happened, and whether the speaker is in it.

A behavioural question asks for one real past situation ("Tell me about a time…"). A sentence can name
every part of a good story and still tell none: "I would sit down with both of them and agree on criteria"
is what the candidate *would* do, "I usually write a post-mortem" is a habit, and "we rolled it back within
the hour" does not say what the candidate did. What a sentence claims here is in its grammar, not its
topic, so these checks read verbs and pronouns, not meaning:

* ``past``: the sentence has a verb in the past tense ("was", "asked", "built") that is not governed by a
  modal or an "if" before it in the same clause ("I would have asked", "if I were", "I'd ask").
* ``own``: as ``past``, and the speaker is in it: "I", "me", "my", "myself".

A rubric concept asks for one of them with ``experience`` (``rubrics/model.py``); only sentences that pass
can be its evidence. Stories told in the historic present ("so I'm on this team and my manager says…") do
not pass: rare in interviews, and the cost is a point read as missed, never one credited wrongly.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import getAllLemmas, getInflection

from interviewer.scoring import text as T

MODALS = frozenset({"would", "could", "might", "should", "will", "shall", "may", "can", "must", "gonna", "wanna",
                    "if", "i'd", "we'd", "you'd", "i'll", "we'll", "you'll", "they'd", "they'll", "he'd", "she'd"})
_PIECE_RE = re.compile(r"[,;:.!?()]+|\s[-–—]\s")
"""Where a modal's reach ends: a past form after a modal or "if" in the same piece is governed by it ("I
would usually sit down with the people involved", "then I'd take my proposed order to my manager", "if it
failed"), one before it or in the next piece is not ("I said I would fix it", "if it failed, I rolled back")."""
PERFECT = frozenset({"have", "has", "'ve", "i've", "we've", "you've", "they've", "having"})
"""A past form right after these is a perfect ("what I've noticed"): experience in general, not an event."""
FIRST_PERSON = frozenset({"i", "me", "my", "myself", "mine", "i'm", "i've", "i'd", "i'll"})


@lru_cache(maxsize=8192)
def past_form(word: str) -> bool:
    """Whether ``word`` (lower case) is a verb's simple past form ("was", "asked", "built", "led"); a modal
    never is, although "would" is the past of "will" to a lemmatiser."""
    if word in MODALS:
        return False
    verbs = getAllLemmas(word).get("VERB") or ()
    return any(word in (getInflection(lemma, "VBD") or ()) for lemma in verbs)


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in T.words(text)]


def tells_past(text: str) -> bool:
    """Whether the sentence tells something that happened (see the module docstring)."""
    for piece in _PIECE_RE.split(text):
        found = _words(piece)
        first_modal = next((i for i, w in enumerate(found) if w in MODALS), len(found))
        if any(past_form(word) and not (i and found[i - 1] in PERFECT) for i, word in enumerate(found[:first_modal])):
            return True
    return False


def tells_own(text: str) -> bool:
    """Whether the sentence tells something that happened with the speaker in it."""
    return tells_past(text) and any(w in FIRST_PERSON for w in _words(text))


@lru_cache(maxsize=256)
def told_units(text: str, spans: tuple[tuple[int, int], ...], experience: str) -> tuple[bool, ...]:
    """For each unit (``spans`` into ``text``), whether the sentence it belongs to tells ``experience``:
    a clause cut from a sentence keeps the modal that governs it ("What I would do is ask for a private
    chat, and start by describing what I've noticed")."""
    sentences = T.sentences(text)
    told = {(s.start, s.end): tells(s.text, experience) for s in sentences}
    result = []
    for start, end in spans:
        home = next(((s.start, s.end) for s in sentences if s.start <= start < s.end), None)
        result.append(told[home] if home is not None else tells(text[start:end], experience))
    return tuple(result)


def tells(text: str, experience: str | None) -> bool:
    """Whether the sentence can be evidence for a concept asking for ``experience`` (None: any sentence)."""
    if experience is None:
        return True
    return tells_own(text) if experience == "own" else tells_past(text)
