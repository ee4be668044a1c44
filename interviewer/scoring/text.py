"""Text handling for grading: sentences with their spans, clauses, words, and cue-phrase matching.

All functions are pure and cheap (no model): a 150-word answer is split and matched in well under a
millisecond, so they can run on every keystroke if a UI ever wants that. The first word looked up loads
the lemma lexicon (``lexicon.py``, ~40 ms from the cache folder).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from interviewer.scoring import lexicon

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "approx", "dr", "mr", "mrs", "ms", "fig", "eq", "al"}
# A clause split is tried only on units longer than this many words; shorter units stay whole.
CLAUSE_SPLIT_MIN_WORDS = 22
# A unit with no usable punctuation is cut into windows of this many words (spoken run-ons).
MAX_UNIT_WORDS = 40

WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_SENTENCE_END_RE = re.compile(r"([.!?]+)[\"')\]]*\s+|\n\s*\n|\n\s*(?=[-*•]|\(?\d+[.)]\s)|;\s+")
_CLAUSE_RE = re.compile(
    r",\s+(?=(?:and|but|so|because|whereas|while|which|although|though|otherwise|since)\b)"
    r"|\s+(?=(?:but|because|whereas|although|otherwise)\b)"
    r"|\s+[-–—]\s+|:\s+"
)

# Function words skipped when matching cue phrases. Negations are kept on purpose: "not" changes meaning.
STOPWORDS = frozenset(
    """a an the of to in on at for by with from as is are was were be been being it its this that these those
    and or if then than so such can could would should will may might must do does did done have has had
    you your we our i my they their them he she his her there here what which who whom how when where why
    about into over under up down out also just very really some any each other more most own same both
    enough well per""".split()
)


@dataclass(frozen=True)
class Span:
    """A piece of the original text: ``text == source[start:end]`` (stripped)."""

    text: str
    start: int
    end: int


def words(text: str) -> list[str]:
    """The words of ``text``, in order (letters and digits; "don't" is one word)."""
    return WORD_RE.findall(text)


def word_count(text: str) -> int:
    return len(words(text))


def truncate_words(text: str, limit: int) -> tuple[str, bool]:
    """The text up to the end of its ``limit``-th word, and whether anything was cut."""
    for index, match in enumerate(WORD_RE.finditer(text)):
        if index == limit:
            return text[: match.start()].rstrip(), True
    return text, False


def _strip_span(source: str, start: int, end: int) -> Span | None:
    piece = source[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    start, end = start + lead, end - trail
    if not WORD_RE.search(source[start:end]):
        return None
    return Span(source[start:end], start, end)


def sentences(text: str) -> list[Span]:
    """Split text into sentences (also at blank lines, list items and semicolons), keeping spans."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        if match.group(1) == ".":
            before = text[start : match.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            after = text[match.end() : match.end() + 1]
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha() and len(before) > 1):
                continue
            if last == "no" and after.isdigit():  # "No. 5"
                continue
        end = match.end(1) if match.group(1) else match.start()
        span = _strip_span(text, start, end)
        if span:
            spans.append(span)
        start = match.end()
    span = _strip_span(text, start, len(text))
    if span:
        spans.append(span)
    return spans


def _window(source: str, span: Span) -> list[Span]:
    found = list(WORD_RE.finditer(span.text))
    if len(found) <= MAX_UNIT_WORDS:
        return [span]
    # Windows of equal size: 41 words make two units of 21 and 20, not 40 and a stray "it".
    count = -(-len(found) // MAX_UNIT_WORDS)
    size = -(-len(found) // count)
    pieces = []
    for first in range(0, len(found), size):
        chunk = found[first : first + size]
        start = span.start + chunk[0].start()
        end = span.start + chunk[-1].end()
        pieces.append(Span(source[start:end], start, end))
    return pieces


def units(text: str) -> list[Span]:
    """The units an answer is graded in: sentences, long ones cut at clause boundaries.

    Each unit is short enough that one embedding says what it claims; every unit keeps its span so
    feedback can quote the candidate's own words.
    """
    result: list[Span] = []
    for sentence in sentences(text):
        if word_count(sentence.text) < CLAUSE_SPLIT_MIN_WORDS:
            result.append(sentence)
            continue
        start = 0
        for match in _CLAUSE_RE.finditer(sentence.text):
            piece = _strip_span(text, sentence.start + start, sentence.start + match.start())
            if piece and word_count(piece.text) >= 4:
                result.extend(_window(text, piece))
                start = match.end()
        piece = _strip_span(text, sentence.start + start, sentence.end)
        if piece:
            if word_count(piece.text) < 4 and result and result[-1].end <= piece.start and start:
                # A clause too short to stand alone rejoins the one before it.
                merged = Span(text[result[-1].start : piece.end], result[-1].start, piece.end)
                result[-1] = merged
            else:
                result.extend(_window(text, piece))
    return result


@lru_cache(maxsize=50_000)
def lemmas(word: str) -> frozenset[str]:
    """Every form a word may stand for: itself lower-cased plus its lemmas ("splitting" → split, splitting)."""
    lower = word.lower().replace("’", "'")
    forms = {lower, *lexicon.forms(lower)}
    if len(forms) == 1 and len(lower) > 3:
        # Words the lemmatizer does not know ("scalers", "imputers"): strip a plural ending.
        if lower.endswith("ies"):
            forms.add(lower[:-3] + "y")
        elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
            forms.add(lower[:-1])
    return frozenset(forms)


@lru_cache(maxsize=20_000)
def cue_terms(phrase: str) -> tuple[frozenset[str], ...]:
    """The content words of a cue phrase, each as its set of lemma forms."""
    terms = [w for w in words(phrase) if w.lower() not in STOPWORDS]
    return tuple(lemmas(w) for w in terms)


ContentWords = tuple[tuple[int, frozenset[str], int], ...]
"""(word index, lemma forms, clause number) of each non-function word."""

# What ends a clause between two words, for cue phrases: a comma or full stop followed by a space (after any
# closing quote or bracket; not "0.05" or "10,000"), ; : ! ? brackets, an em dash, a spaced hyphen or en dash
# (not the range "5–10"), a line break (a new bullet or paragraph).
_CUE_BREAK_RE = re.compile(r"[;:!?()\[\]—\n]|[,.][\"'”’)\]]*\s|\s[-–]\s")
_ABBREVIATION_END_RE = re.compile(r"(?:^|\W)(?:" + "|".join(re.escape(a) for a in sorted(_ABBREVIATIONS)) + r")$",
                                  re.IGNORECASE)
_ABBREVIATION_TAIL = max(map(len, _ABBREVIATIONS)) + 1  # the text before a full stop that can hold one, with its edge


def clause_numbers(text: str) -> tuple[int, ...]:
    """Per word of ``text`` (as :func:`words` finds them), the number of the clause it stands in."""
    numbers: list[int] = []
    clause, last_end = 0, None
    for match in WORD_RE.finditer(text):
        gap = text[last_end : match.start()] if last_end is not None else ""
        # (only the last few characters: matching the whole text before every full stop made long answers quadratic)
        if gap.startswith(".") and _ABBREVIATION_END_RE.search(text[max(0, last_end - _ABBREVIATION_TAIL) : last_end]):
            gap = gap[1:]  # "e.g. when", "min-max vs. standard": no full stop
        if _CUE_BREAK_RE.search(gap):
            clause += 1
        numbers.append(clause)
        last_end = match.end()
    return tuple(numbers)


def content_words(answer_words: Sequence[str], clauses: Sequence[int] = ()) -> ContentWords:
    """The non-function words of an answer as (word index, lemma forms, clause number): computed once per
    answer. ``clauses``: each word's clause (:func:`clause_numbers`; none given: one clause)."""
    return tuple((i, lemmas(w), clauses[i] if clauses else 0) for i, w in enumerate(answer_words)
                 if w.lower() not in STOPWORDS)


def find_cue(cue: str, content: ContentWords) -> tuple[int, int] | None:
    """Find the cue's content words in order within a short window of ``answer_words``.

    ``content`` comes from :func:`content_words`. Returns the (first, last) word indexes of the match, or
    None. Words match on any shared lemma, so "fitting the scalers" matches the cue "fit scaler"; function
    words are skipped on both sides, and up to two other content words may sit between consecutive cue
    words, but no clause break: "the probability, assuming the null hypothesis is true, of seeing data…"
    does not name "probability the null hypothesis is true".
    """
    terms = cue_terms(cue)
    if not terms:
        return None
    for first, (_, word_forms, _) in enumerate(content):
        if not (terms[0] & word_forms):
            continue
        position, ok = first, True
        for term in terms[1:]:
            for step in range(1, 4):
                if position + step < len(content) and content[position + step][2] == content[position][2] \
                        and term & content[position + step][1]:
                    position += step
                    break
            else:
                ok = False
                break
        if ok:
            return content[first][0], content[position][0]
    return None


# -- clauses, negation and explanation depth ----------------------------------------------------------
_CLAUSE_BREAK_RE = re.compile(
    r"[.!?;:()]+\s*|\s[-–—]\s|,?\s+(?=(?:but|because|whereas|although|though|otherwise|since|unless|so that|while)\b)",
    re.IGNORECASE,
)
# Words that negate the clause they stand in. "avoid"/"prevent" are left out on purpose: "to prevent
# leakage, fit on the training set" is a positive statement about fitting.
NEGATORS = frozenset({"not", "no", "never", "cannot", "without", "nor", "neither", "none", "nothing",
                      "lack", "lacks", "lacking", "non"})
# A negator followed by one of these hedges a claim ("imputation is not always needed", "not necessarily")
# rather than reversing it: the negation is not counted.
HEDGES = frozenset({"always", "necessarily"})
# Words that signal reasoning: an answer that explains uses them, a list of terms does not.
REASONING_MARKERS = frozenset(
    """because since so therefore thus otherwise means mean meaning which why when if unless whereas while
    instead rather than causes cause leads lead results result makes make helps help prevents prevent avoid
    avoids ensures ensure""".split()
)


def clauses(text: str) -> list[str]:
    """Split a sentence into clauses at punctuation and subordinating words (for negation scope)."""
    return [c.strip() for c in _CLAUSE_BREAK_RE.split(text) if c and word_count(c) >= 1]


def is_negator(word: str) -> bool:
    lower = word.lower().replace("’", "'")
    return lower in NEGATORS or lower.endswith("n't")


def _hedged(found: Sequence[str], index: int) -> bool:
    """True if the negator at ``index`` only hedges: "not always", "not necessarily", "not only"."""
    return index + 1 < len(found) and found[index + 1].lower() in HEDGES


def negated(clause: str) -> bool:
    """True if the clause is negated (an odd number of negating words, hedges such as "not always" left out)."""
    found = words(clause)
    return sum(is_negator(w) and not _hedged(found, i) for i, w in enumerate(found)) % 2 == 1


def base_lemma(word: str) -> str:
    """One lemma for a word: the shortest, ties broken alphabetically (the same in every process,
    whatever the hash seed: ``lemmas`` is a set)."""
    return min(lemmas(word), key=lambda form: (len(form), form))


def content_lemmas(text: str) -> set[str]:
    """The base lemma of each content word (not a function word, not a negator)."""
    return {base_lemma(w) for w in words(text) if w.lower() not in STOPWORDS and not is_negator(w)}


NEGATION_WINDOW = 6  # a negator negates the words up to this many words after it, in its clause


def _negators_before(recent: list[str]) -> bool:
    window = recent[-NEGATION_WINDOW:]
    return any(is_negator(w) or (w.lower() == "than" and i > 0 and window[i - 1].lower() == "rather")
               for i, w in enumerate(window))


def negation_flags(text: str) -> tuple[dict[str, set[bool]], set[str]]:
    """Each content lemma → the polarities it is used with (True: a negator stands just before it, in
    the same clause), and the *heads*: the first content word after each negator.

    "Trees don't need scaling" → ({tree: {False}, need: {True}, scaling: {True}}, {need}). Scope is
    local on purpose: in "so imputation is not always needed" the "not" says nothing about "missing
    values". "rather than" negates what follows it ("user level rather than per request").
    """
    flags: dict[str, set[bool]] = {}
    heads: set[str] = set()
    for clause in clauses(text):
        recent: list[str] = []
        pending = False
        found = words(clause)
        for index, word in enumerate(found):
            lower = word.lower()
            if is_negator(word) and _hedged(found, index):
                recent.append("")  # a hedge ("not always") negates nothing; keep the distance count
                continue
            if is_negator(word) or (lower == "than" and recent and recent[-1].lower() == "rather"):
                recent.append(word)
                pending = True
                continue
            if lower not in STOPWORDS and lower != "rather":
                lemma = base_lemma(word)
                flags.setdefault(lemma, set()).add(_negators_before(recent))
                if pending:
                    heads.add(lemma)
                    pending = False
            recent.append(word)
    return flags, heads


def polarity_conflict(unit: str, statement: str) -> bool:
    """True if the unit says the opposite of the statement about what a negation applies to.

    A negation's *head* (the first content word after it) decides: if both texts use that word, one
    only negated and the other never, they conflict. "Trees need scaling" against "trees don't need
    scaling" (head "need"); "never shuffle a time series" against "randomly shuffle time series"
    (head "shuffle"). "Trees are invariant to scaling" does not conflict with "trees don't need
    scaling": negation said in other words is not seen (the rubric's misconceptions cover it).
    """
    unit_flags, unit_heads = negation_flags(unit)
    statement_flags, statement_heads = negation_flags(statement)
    shared = (unit_heads | statement_heads) & unit_flags.keys() & statement_flags.keys()
    return any(not (unit_flags[w] & statement_flags[w]) for w in shared)


_RELATION_RE = re.compile(r":\s|\s*(?:->|→|=>|=)\s*")
"""A head term related to what follows it, as notes do ("Min-max -> [0,1], wrecked by outliers")."""


def _content(text: str) -> bool:
    return any(w.lower() not in STOPWORDS for w in words(text))


def explains(unit: str) -> bool:
    """Whether a unit says something about a term rather than only naming it.

    "Standardization, min-max, KNN, trees." and "- robust scaling" name; "Trees don't need it because
    they split on thresholds." and "Feature scaling puts features on comparable ranges." explain. A unit
    names when it is under four words (unless negated), or a list: three or more comma-separated items
    of at most three words each, with no reasoning word. A note that relates a head to its items with a
    colon or an arrow explains ("- Categoricals: one-hot, target encoding", "Min-max -> [0,1]").
    """
    found = words(unit)
    lower = [w.lower() for w in found]
    if any(w in REASONING_MARKERS for w in lower):
        return True
    relation = _RELATION_RE.search(unit)
    if relation and _content(unit[:relation.start()]) and _content(unit[relation.end():]):
        return True  # a note: "Categoricals: one-hot, target encoding" says what the items are for
    if len(found) < 4:
        return any(is_negator(w) for w in found)
    items = [item for item in re.split(r"[,;/]|\band\b|\bor\b", unit) if words(item)]
    return not (len(items) >= 3 and all(word_count(item) <= 3 for item in items))
