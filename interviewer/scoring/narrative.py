"""Whether a sentence tells something that happened, and whether the speaker is in it.

A behavioural question asks for one real past situation ("Tell me about a time…"). A sentence can name
every part of a good story and still tell none: "I would sit down with both of them and agree on criteria"
is what the candidate *would* do, "I usually write a post-mortem" is a habit, and "we rolled it back within
the hour" does not say what the candidate did. What a sentence claims here is in its grammar, not its
topic, so these checks read verbs and pronouns, not meaning:

* ``past``: the sentence has a verb in the past tense ("was", "asked", "built") that no modal, habit or
  conditional governs ("I would have asked", "I'd take my proposed order", "if I were", "when a teammate
  disagreed, I would ask", "I usually sit down with the people involved").
* ``own``: as ``past``, and the speaker is in the same clause (between commas): "I", "me", "my", "myself".
  "We shipped it, and my manager was pleased" does not pass; "my manager asked the team to fix it" does
  (grammar this shallow cannot tell who did what).

A rubric concept asks for one of them with ``experience`` (``rubrics/model.py``); only sentences that pass
can be its evidence. Stories told in the historic present ("so I'm on this team and my manager says…") do
not pass, nor do notes with no "I" for an ``own`` point ("- asked her worry first"): such points are read as
missed. The reverse error exists too: a verb whose present and past are spelt alike ("I put", "I read")
passes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from interviewer.scoring import lexicon
from interviewer.scoring import text as T

MODALS = frozenset({"would", "could", "might", "should", "will", "shall", "may", "can", "must", "gonna", "wanna",
                    "i'd", "we'd", "you'd", "i'll", "we'll", "you'll", "they'd", "they'll", "he'd", "she'd",
                    "would've", "could've", "should've", "might've", "must've", "wouldn't", "couldn't", "shouldn't",
                    "won't", "can't", "mustn't", "mightn't"})
# A past form in a conditional or temporal clause ("if I were", "when a teammate disagreed, I would ask",
# "once we understood the cause I would…") or in a habit ("I usually sit down with the people involved")
# tells no event by itself: the clause it hangs on does.
MARKERS = MODALS | {"if", "unless", "when", "whenever", "once", "suppose", "imagine", "say",
                    "usually", "always", "generally", "typically", "normally", "often", "tend", "tends"}
NEW_SUBJECT = frozenset({"i", "we"})
"""A marker's reach ends at a new "I" or "we" after its own subject ("I would say the biggest mistake I
made was…", "I can think of a time we broke production"), not at the one right after it ("if I were")."""
_PIECE_RE = re.compile(r"[,;:.!?()]+|\s[-–—]\s")
"""A marker's reach also ends with its piece: "I said I would fix it, and I did", "if it failed, I rolled back"."""
PERFECT = frozenset({"have", "has", "'ve", "i've", "we've", "you've", "they've", "having"})
"""A past form right after these is a perfect ("what I've noticed"): experience in general, not an event."""
DETERMINERS = frozenset({"a", "an", "the", "some", "any", "this", "that", "these", "those", "my", "our", "your",
                         "their", "his", "her", "its", "no", "every", "each"})
"""A past form right after these is a noun or an adjective ("some ground rules", "my proposed order")."""
NOT_VERB = PERFECT | DETERMINERS
FIRST_PERSON = frozenset({"i", "me", "my", "myself", "mine", "i'm", "i've", "i'd", "i'll"})


@lru_cache(maxsize=8192)
def past_form(word: str) -> bool:
    """Whether ``word`` (lower case) is a verb's simple past form ("was", "asked", "built", "led", and words
    no dictionary knows that end in "-ed": "onboarded", "refactored"); a modal never is, although "would"
    is the past of "will" to a lemmatiser."""
    if word in MARKERS:
        return False
    if not lexicon.known(word):
        return len(word) > 4 and word.endswith("ed")
    return lexicon.is_past(word)


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in T.words(text)]


def _piece_tells(found: list[str]) -> bool:
    """Whether a piece's words (``_PIECE_RE``) hold a past form that no marker governs."""
    governed, since = False, 0
    for i, word in enumerate(found):
        if word in MARKERS:
            governed, since = True, 0
            continue
        since += 1
        if governed and word in NEW_SUBJECT and since > 1:
            governed = False
        if not governed and past_form(word) and not (i and found[i - 1] in NOT_VERB):
            return True
    return False


def tells_past(text: str) -> bool:
    """Whether the sentence tells something that happened (see the module docstring)."""
    return any(_piece_tells(_words(piece)) for piece in _PIECE_RE.split(text))


def tells_own(text: str) -> bool:
    """Whether the sentence tells something that happened with the speaker in it: in the same piece as the
    past form ("it was a team effort, and I'm proud of all of us" does not)."""
    return any(_piece_tells(found) and any(w in FIRST_PERSON for w in found)
               for found in map(_words, _PIECE_RE.split(text)))


@lru_cache(maxsize=256)
def told_units(sentences: tuple[str, ...], experience: str) -> tuple[bool, ...]:
    """For each unit, given the sentence it was cut from (``AnswerUnits.unit_sentences``), whether that
    sentence tells ``experience``: a clause keeps the modal that governs it ("What I would do is ask for a
    private chat, and start by describing what I've noticed")."""
    told = {sentence: tells(sentence, experience) for sentence in set(sentences)}
    return tuple(told[sentence] for sentence in sentences)


def tells(text: str, experience: str | None) -> bool:
    """Whether the sentence can be evidence for a concept asking for ``experience`` (None: any sentence)."""
    if experience is None:
        return True
    return tells_own(text) if experience == "own" else tells_past(text)
