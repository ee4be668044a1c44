"""Small, model-free English for rubric drafts: whole noun phrases for labels, follow-up questions about them,
and wrong claims made by taking a negation out of a sentence so it stays grammatical.

Word classes come from lemminflect's lexicon (``getAllLemmas``: which parts of speech a word can be), plus a
list of function words; no tagger, no model. ``rubric review`` uses the same checks (``label_problem``,
``follow_up_problem``, ``claim_problem``).
"""

from __future__ import annotations

import re
from functools import cache

LABEL_WORDS = 6
FUNCTION_WORDS = frozenset("""
a an the this that these those some any each every all both either neither no its their his her our your my
of in on at by for from with without to into onto over under about against between through during before
after above below up down out off than as per via versus vs
and or but nor so yet if then else when whenever while where whereas because since although though unless
until whether which who whom whose what how why
i you he she it we they me him us them one ones
is are was were be been being am do does did doing done have has had having
can could may might must shall should will would
not never no only also just very too quite rather even still often always usually
cannot can't don't doesn't didn't isn't aren't won't shouldn't
there here such same other another more most less least much many few several
""".split())
CUT_ENDINGS = frozenset("a an the of in on at by for from with to into than as and or but nor if because that "
                        "which when not".split())
"""Words a whole sentence does not end with (a claim that does was cut)."""
AUXILIARIES = frozenset("is are was were be been being am do does did have has had can could may might must shall "
                        "should will would".split())
INTERNAL = frozenset({"of", "and", "for", "in", "on", "with", "to", "between", "versus", "vs"})
"""Function words a noun phrase may hold inside it ("choice of threshold", "train and test")."""
DETERMINERS = frozenset("the a an your each every all any this these its their".split())
QUESTION_OPENERS = frozenset("what which who whom whose when where why how is are was were do does did can could "
                             "should would will may might have has had".split())
_TOKEN = re.compile(r"[A-Za-z0-9][\w'’.+/-]*[A-Za-z0-9]|[A-Za-z0-9]|[(),;:—–\"“”!?]")


@cache
def _readings(word: str) -> frozenset[str]:
    from lemminflect import getAllLemmas  # ~0.3 s to import: only rubric derivation and review need it

    return frozenset(getAllLemmas(word.lower()))


def is_function_word(word: str) -> bool:
    return word.lower() in FUNCTION_WORDS


def noun_capable(word: str) -> bool:
    """Can ``word`` end a noun phrase? A noun in the lexicon, or a word it does not know (an acronym, a
    hyphenated term, jargon) that does not look like an adverb or adjective."""
    if is_function_word(word) or not word[:1].isalnum():
        return False
    readings = _readings(word)
    if readings:
        if readings == frozenset({"ADJ", "VERB"}):  # "skew", "drift" as nouns the lexicon does not list
            return word.lower() == _base_verb(word)
        return "NOUN" in readings or "PROPN" in readings or word.isupper()
    return not re.search(r"(ly|ful|ous|ive|able|ible)$", word.lower())


def _verb_only(word: str) -> bool:
    readings = _readings(word)
    return bool(readings) and "VERB" in readings and not readings & {"NOUN", "ADJ", "PROPN"}


def _adverb_only(word: str) -> bool:
    return _readings(word) == frozenset({"ADV"})


def _base_verb(word: str) -> str | None:
    """The verb's lemma if ``word`` is a verb in its base form ("choose", "fit"), else None."""
    from lemminflect import getAllLemmas

    lemmas = getAllLemmas(word.lower()).get("VERB", ())
    return word.lower() if word.lower() in lemmas else None


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _trim(words: list[str]) -> list[str]:
    """Cut a phrase back to at most ``LABEL_WORDS`` words ending on a word that can end a noun phrase."""
    words = words[:LABEL_WORDS]
    while words and not noun_capable(words[-1]):
        words.pop()
    return words


def _phrase_from(words: list[str], start: int) -> list[str]:
    """The noun phrase that starts at or after ``start``: content words, with INTERNAL function words between
    them, stopping at punctuation, an auxiliary, a verb, an adverb or any other function word."""
    i = start
    while i < len(words) and (is_function_word(words[i]) or _adverb_only(words[i]) or _verb_only(words[i])):
        i += 1
    out: list[str] = []
    while i < len(words) and len(out) < LABEL_WORDS + 2:
        word = words[i]
        low = word.lower()
        if not word[:1].isalnum() or low in AUXILIARIES or _adverb_only(word) or (out and _verb_only(word)):
            break
        if is_function_word(word) and not (out and low in INTERNAL and i + 1 < len(words)
                                           and words[i + 1][:1].isalnum() and not is_function_word(words[i + 1])):
            break
        if out and _base_verb(word) and out[-1].lower().endswith("s") and "NOUN" in _readings(out[-1]):
            break  # "engineers combine …": a plural subject, then its verb
        if (out and low.endswith("s") and not out[-1].lower().endswith("s") and "VERB" in _readings(word)
                and i + 1 < len(words) and words[i + 1].lower() in DETERMINERS | {"it", "them", "more", "less"}):
            break  # "batch learning trains …": a singular subject, then its verb
        out.append(word)
        i += 1
    return _trim(out)


def _capitalise(words: list[str]) -> str:
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def noun_phrase(text: str) -> str:
    """A short label for a sentence: a whole noun phrase of at most ``LABEL_WORDS`` words, never ending in a
    function word. "Choose the decision threshold on a validation set." -> "Choosing the decision threshold";
    "Feature engineering is the process of …" -> "Feature engineering"."""
    words = tokens(text)
    if not words:
        return "Key point"
    if words[0].lower() in {"if", "when", "in", "for", "once", "before", "after", "while", "because", "since",
                            "first", "second", "third", "finally", "also", "then", "next", "however", "otherwise"}:
        comma = next((i for i, w in enumerate(words[:12]) if w in (",", ":", "—", "–")), None)
        if comma is not None:
            words = words[comma + 1:]
    negated = words[:2] and words[0].lower() in ("never", "don't", "do") and (words[0].lower() != "do" or
                                                                             words[1].lower() == "not")
    lead = words[2:] if negated and words[0].lower() == "do" else words[1:] if negated else words
    verb = _base_verb(lead[0]) if lead else None
    if verb and (negated or _verb_only(lead[0]) or (len(lead) > 1 and lead[1].lower() in DETERMINERS)):
        from lemminflect import getInflection

        gerund = (getInflection(verb, "VBG") or (verb + "ing",))[0]
        rest = lead[1:]
        determiner = [rest[0]] if rest and rest[0].lower() in DETERMINERS else []
        obj = _phrase_from(rest, len(determiner))
        if obj:
            phrase = _trim([*(["not"] if negated else []), gerund, *determiner, *obj])
            if len(phrase) > 1:
                return _capitalise(phrase)
    phrase = _phrase_from(words, 0)
    if len(phrase) < 2:  # "It is considered the most impactful step …": a fuller phrase after the verb
        phrase = next((p for i in range(1, len(words)) if len(p := _phrase_from(words, i)) >= 2), phrase)
    return _capitalise(phrase) if phrase else "Key point"


def lower_first(label: str) -> str:
    """A label inside a sentence: "Feature scaling" -> "feature scaling", "A p-value" -> "a p-value"; a first
    word whose second character is no lower-case letter ("MCAR", "A/B tests", "H0", "R²", "P(A|B)") unchanged."""
    first = label.split(" ", 1)[0]
    return label if len(first) > 1 and not first[1].islower() else label[:1].lower() + label[1:]


def follow_up_about(label: str, core: bool = False) -> str:
    """A follow-up question about the concept ``label`` (a noun phrase)."""
    topic = lower_first(label)
    if core:
        return f"How would you sum up {topic} in one or two sentences?"
    return f"What can you tell me about {topic}, and why does it matter?"


_NEGATED_VERB = re.compile(r"\b(does not|doesn't|do not|don't|did not|didn't)\s+([a-z]+)\b", re.I)
_SIMPLE_NEGATION = {"is not": "is", "isn't": "is", "are not": "are", "aren't": "are", "was not": "was",
                    "were not": "were", "cannot": "can", "can't": "can", "can not": "can", "should not": "should",
                    "shouldn't": "should", "must not": "must", "will not": "will", "won't": "will",
                    "would not": "would", "need not": "need to"}
_CONTRAST = re.compile(r",\s*(not|never)\b|\bnot (only|just|necessarily|always|all|every)\b|\brather than\b|"
                       r"\bno longer\b|\bnot\b[^.]*\bbut\b|\(.*\bnot\b.*\)|\".*\bnot\b.*\"", re.I)
_NEGATION = re.compile(r"\b(never|not|cannot|can't|don't|doesn't|didn't|isn't|aren't|won't|shouldn't|no)\b", re.I)


def wrong_claim(sentence: str) -> str | None:
    """The claim a sentence with one negation warns against, as a whole sentence, or None when it cannot be
    made cleanly (a contrast such as "…, not the default", two negations, a negation inside brackets).

    "Never shuffle time series before splitting." -> "It is fine to shuffle time series before splitting.";
    "Tree models do not need scaling." -> "Tree models need scaling."."""
    text = " ".join(sentence.split()).rstrip()
    body = re.sub(r"\s*\([^()]*\)$", "", text.rstrip(".!")).rstrip(" ,;")  # a closing aside "(too many …)"
    if text.endswith(":") or body.endswith(":"):
        return None
    if len(_NEGATION.findall(body)) != 1 or _CONTRAST.search(body) or len(body.split()) < 4 or "—" in body:
        return None
    first, _, rest = body.partition(" ")
    if first.lower() == "never" and _base_verb(rest.split(" ", 1)[0]):
        return f"It is fine to {rest}."
    match = re.match(r"(?i)(do not|don't)\s+(\w+)\s+(.*)", body)
    if match and _base_verb(match.group(2)):
        return f"It is fine to {match.group(2).lower()} {match.group(3)}."
    match = _NEGATED_VERB.search(body)
    if match and _base_verb(match.group(2)):
        from lemminflect import getInflection

        plural = match.group(1).lower().startswith(("do ", "don"))
        past = match.group(1).lower().startswith("did")
        tag = "VBP" if plural else "VBD" if past else "VBZ"
        verb = (getInflection(match.group(2).lower(), tag) or (match.group(2),))[0]
        claim = body[:match.start()] + verb + body[match.end():]
    else:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, _SIMPLE_NEGATION)) + r")\b", re.I)
        match = pattern.search(body)
        if match:
            claim = body[:match.start()] + _SIMPLE_NEGATION[match.group(1).lower()] + body[match.end():]
        else:
            match = re.search(r"(?i)\b(\w+)\s+never\s+(\w+)", body)
            if not match or match.start() == 0:
                return None
            claim = body[:match.start()] + f"{match.group(1)} {match.group(2)}" + body[match.end():]
    claim = " ".join(claim.split())
    return claim[:1].upper() + claim[1:] + "."


# -- checks (rubric review) ----------------------------------------------------------------------------
def label_problem(label: str) -> str | None:
    words = tokens(label)
    if not words:
        return "label empty"
    if label.rstrip()[-1:] in "(,;:—–-":
        return "label cut (ends in punctuation)"
    if is_function_word(words[-1]):
        return f"label cut (ends in {words[-1]!r})"
    if len([w for w in words if w[:1].isalnum()]) > LABEL_WORDS:
        return f"label long (over {LABEL_WORDS} words)"
    return None


def follow_up_problem(question: str) -> str | None:
    text = question.strip()
    words = tokens(text)
    if not text.endswith("?"):
        return "follow-up not a question (no '?')"
    if not words or words[0].lower() not in QUESTION_OPENERS and not any(
            w.lower() in QUESTION_OPENERS for w in words[:4]):
        return "follow-up not a question (no question word)"
    if len(words) >= 2 and is_function_word(words[-2]) and words[-1] == "?":
        return f"follow-up cut (ends in {words[-2]!r})"
    return None


def claim_problem(claim: str) -> str | None:
    text = claim.strip()
    if not text.endswith((".", "!")) or len(text.split()) < 4:
        return "claim not a whole sentence"
    words = [w for w in tokens(text) if w[:1].isalnum()]
    if words and words[-1].lower() in CUT_ENDINGS:
        return f"claim cut (ends in {words[-1]!r})"
    return None
