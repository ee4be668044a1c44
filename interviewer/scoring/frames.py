"""How a sentence frames a claim it names: asserting it, or not.

A unit can name a practice without claiming it is right: it gives a bare example of what the sentence before
it says ("For example, fitting the scaler on all the data"), it reports the claim as a mistake ("A common
mistake is to read a 95% interval as…"), or it forbids it ("Finally, don't bother scaling for random
forests"). ``detectors.makes_claim`` does not count a misconception as made by such a unit. Pure functions
over the text, no model.
"""

from __future__ import annotations

import re

from interviewer.scoring import text as T

# A unit opening with one of these gives an example of what the sentence before it says.
_EXAMPLE_RE = re.compile(r"^\W*(?:for example|for instance|e\.?g\.?|such as|say|like)\b[\s,:]*", re.IGNORECASE)
# Words that make a sentence judge or recommend a practice rather than only name it.
EVALUATIVE = frozenset(
    """fine ok okay good better best safe correct right valid acceptable harmless enough recommended recommend
    should must can could may might need needs needed just always works work matter matters problem""".split()
)


def bare_example(unit: str) -> bool:
    """Whether a unit only gives an example, naming a practice without judging it.

    "For example, fitting the scaler on all the data before splitting." is an instance of what the
    sentence before it says (in an answer about leakage: an instance of leakage); it does not claim the
    practice is fine. "For example, you can fit the scaler on all the data" and "e.g. scaling everything
    first is fine" judge it, and are not bare.
    """
    opening = _EXAMPLE_RE.match(unit)
    if opening is None or opening.end() == len(unit):
        return False
    return not any(w.lower() in EVALUATIVE for w in T.words(unit[opening.end():]))


_MISTAKE_NOUN = r"(?:mistakes?|errors?|misconceptions?|misunderstandings?|traps?|pitfalls?|fallac(?:y|ies)|myths?)"
_MISTAKE_FRAME_RE = re.compile(
    r"\b(?:(?:a|an|the|one|two|three)\s+(?:(?:very|most|really)\s+)?(?:common|classic|typical|frequent|usual|"
    rf"popular|standard|well-known)\s+{_MISTAKE_NOUN}"
    r"|misconceptions?|myths?|fallac(?:y|ies)|pitfalls?|traps?"
    r"|people\s+(?:often\s+|sometimes\s+|usually\s+|commonly\s+|wrongly\s+)?(?:think|assume|believe)"
    r"|(?:it\s+is|it'?s|it\s+was)\s+tempting\s+to|fall(?:s|ing)?\s+for|misread\w*|misinterpret\w*"
    r"|wrong\s+to|wrongly|mistake\s+to|error\s+to)\b",
    re.IGNORECASE,
)


def reported_as_mistake(sentence: str) -> bool:
    """Whether a sentence reports a claim as a mistake rather than making it: "A common mistake is to read
    a 95% interval as a 95% chance…", "It's tempting to stop as soon as it looks significant", "people
    often think a p-value is…", "the classic trap is…". A bare "mistake" is not such a frame ("my mistake
    was to skip the tests" makes the claim)."""
    return _MISTAKE_FRAME_RE.search(sentence.replace("’", "'")) is not None


# Discourse markers before a command ("And don't…", "Finally, never…") and the openings that forbid.
_OPENERS = frozenset("and so but also finally then first second third firstly secondly thirdly lastly instead please "
                     "just again plus next now still or".split())
_FORBIDS = (("don't",), ("dont",), ("never",), ("avoid",), ("do", "not"), ("no", "need"), ("there's", "no", "need"),
            ("theres", "no", "need"))
# "Don't forget to…", "never skip…", "do not hesitate to…" forbid leaving it out: they assert what follows.
_ANYWAY = frozenset("forget forgetting skip skipping neglect ignore ignoring overlook omit miss hesitate fail "
                    "underestimate".split())
# A new main clause after the command ("Don't use accuracy here, and remember that…") is not forbidden by it.
_NEXT_CLAUSE_RE = re.compile(r";|,\s*(?:and|but|yet)\s+|\s+but\s+", re.IGNORECASE)


def prohibits(unit: str) -> bool:
    """Whether a unit forbids what it names ("Finally, don't bother scaling for random forests", "never
    shuffle a time series", "no need to impute everything"): after discourse markers it opens with
    don't / do not / never / avoid / (there's) no need, and every main clause of it does ("don't X, and
    never Y"). It warns against a practice; it does not assert it. "Don't forget to scale trees" and "never
    skip it" forbid leaving it out: they assert it, and are not prohibitions."""
    parts = [part for part in _NEXT_CLAUSE_RE.split(unit.replace("’", "'")) if T.words(part)]
    return bool(parts) and all(_forbids(part) for part in parts)


def _forbids(clause: str) -> bool:
    found = [w.lower() for w in T.words(clause)]
    start = next((i for i, w in enumerate(found) if w not in _OPENERS and not w.isdigit()), len(found))
    for opening in _FORBIDS:
        if tuple(found[start:start + len(opening)]) == opening:
            following = found[start + len(opening):start + len(opening) + 2]
            return not any(w in _ANYWAY for w in following)
    return False
