"""Derive draft rubrics from question / model-answer text, for a human to review.

Input formats:

* the seed format: ``Q1: <question>`` then ``Model Answer: <answer>`` (lines before the first question,
  and trailing ``Label: …`` lines such as ``Interview Tip: …``, are ignored);
* Markdown: each heading is a question and the text under it (an optional ``Answer:`` prefix dropped)
  its model answer; headings with no text under them are skipped.

From each model answer: the opening sentences become the core concept(s); every enumerated item
``(1) …`` and every other sentence becomes a concept; cue phrases are key terms (n-grams from
scikit-learn's CountVectorizer) ranked by embedding similarity to the concept's statement;
sentences with a negation ("never shuffle time series") become misconception drafts. Beside the drafts goes
a ``bank.yaml`` (name, title, description), unless the folder has one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from interviewer.errors import InputError
from interviewer.outfile import check_output, write_output
from interviewer.rubrics.loader import BANK_FILE, parse_bank_info, parse_rubric
from interviewer.rubrics.model import BankInfo, Rubric
from interviewer.rubrics.phrases import LABEL_WORDS, follow_up_about, label_problem, noun_phrase, wrong_claim
from interviewer.scoring.embedder import Embedder
from interviewer.scoring.text import NEGATORS as TEXT_NEGATORS
from interviewer.scoring.text import sentences, word_count

CUES_PER_CONCEPT = 5
_SEED_Q_RE = re.compile(r"^\s*Q(\d+)\s*[:.)]\s*(.+)$")
_SEED_A_RE = re.compile(r"^\s*(?:Model\s+)?Answer\s*:\s*(.*)$", re.IGNORECASE)
_OTHER_LABEL_RE = re.compile(r"^\s*[A-Z][A-Za-z ]{2,30}:\s")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_ITEM_RE = re.compile(r"\((\d{1,2})\)\s*")
_LABEL_SPLIT_RE = re.compile(r"\s+[—–-]\s+|:\s+")
_CHUNK_RE = re.compile(r"[,;:()\[\]/=.!?\"']+|\s[—–-]\s")


@dataclass(frozen=True)
class QA:
    question: str
    answer: str


def parse_qa(text: str, source: str = "<text>") -> list[QA]:
    """Questions and model answers from the seed format or Markdown headings."""
    lines = text.splitlines()
    if any(_SEED_Q_RE.match(line) for line in lines):
        return _parse_seed(lines, source)
    if any(_HEADING_RE.match(line) for line in lines):
        return _parse_markdown(lines)
    raise InputError(
        f"{source}: no questions found; expected lines like 'Q1: …' followed by 'Model Answer: …', "
        "or Markdown headings with the answer under each"
    )


def _parse_seed(lines: Sequence[str], source: str) -> list[QA]:
    items: list[QA] = []
    question: str | None = None
    answer: list[str] = []
    in_answer = False

    def flush() -> None:
        if question is not None:
            body = " ".join(part.strip() for part in answer if part.strip())
            if not body:
                raise InputError(f"{source}: question {question[:50]!r} has no 'Model Answer:'")
            items.append(QA(question, body))

    for line in lines:
        q = _SEED_Q_RE.match(line)
        if q:
            flush()
            question, answer, in_answer = q.group(2).strip(), [], False
            continue
        a = _SEED_A_RE.match(line)
        if a and question is not None:
            answer, in_answer = [a.group(1)], True
            continue
        if in_answer:
            if _OTHER_LABEL_RE.match(line) or not line.strip() and answer and answer[-1] == "":
                in_answer = False
                continue
            answer.append(line)
    flush()
    return items


def _parse_markdown(lines: Sequence[str]) -> list[QA]:
    items: list[QA] = []
    heading: str | None = None
    body: list[str] = []
    for line in [*lines, "# end"]:
        h = _HEADING_RE.match(line)
        if h:
            text = " ".join(b.strip() for b in body if b.strip())
            text = _SEED_A_RE.sub(r"\1", text).strip()
            if heading and text:
                items.append(QA(re.sub(r"^Q\d+\s*[:.)]\s*", "", heading), text))
            heading, body = h.group(1).strip(), []
        else:
            body.append(line)
    return items


def _segments(answer: str) -> list[tuple[str, bool]]:
    """The answer as (text, is_enumerated_item) pieces, in order."""
    pieces: list[tuple[str, bool]] = []
    matches = list(_ITEM_RE.finditer(answer))
    position = 0
    for i, match in enumerate(matches):
        lead = answer[position : match.start()]
        pieces.extend((s.text, False) for s in sentences(lead))
        end = matches[i + 1].start() if i + 1 < len(matches) else len(answer)
        item = answer[match.end() : end]
        if i + 1 == len(matches) or int(matches[i + 1].group(1)) != int(match.group(1)) + 1:
            # The last item of a list runs to the end of its first sentence; the rest is ordinary text.
            item_sentences = sentences(item)
            if item_sentences:
                first = item_sentences[0]
                pieces.append((first.text, True))
                position = match.end() + first.end
                continue
        pieces.append((item.strip().rstrip(",;").strip(), True))
        position = end
    pieces.extend((s.text, False) for s in sentences(answer[position:]))
    merged: list[tuple[str, bool]] = []
    for text, item in pieces:
        words = word_count(text)
        if words < 4 and text.rstrip().endswith(":"):
            continue  # a bare header such as "Strategies:"
        if not item and words < 5 and merged and merged[-1][1]:
            merged[-1] = (f"{merged[-1][0]} {text}", True)  # "Hardest to handle." belongs to the item before
            continue
        if words >= 3:
            merged.append((text, item))
    return merged


def _slug(text: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:4] or ["concept"]
    base = "-".join(words)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _label(text: str, item: bool) -> str:
    """A whole noun phrase of at most six words: an item's lead-in ("Simple imputation — …") when it is one,
    else the sentence's own noun phrase (``phrases.noun_phrase``)."""
    head = _LABEL_SPLIT_RE.split(text, maxsplit=1)[0].strip(" .,:;")
    if head != text.strip(" .,:;") and word_count(head) <= (LABEL_WORDS if item else 3) and "(" not in head:
        label = noun_phrase(head)
        if label != "Key point" and label_problem(label) is None:
            return label
    return noun_phrase(text)


NEGATORS = TEXT_NEGATORS - {"lack", "lacks", "lacking", "non"}
"""Words that reverse what they stand in (the grader's, ``text.NEGATORS``); kept in cue phrases (scikit-learn's
English stop words drop them). Not "lack" or "non": they carry meaning of their own, so a cue may end or start
with them ("data lack", "non linear")."""


def _distinct(label: str, text: str, labels: set[str]) -> str:
    """``label``, unless an earlier point of the question has it ("Feature engineering" twice): then the noun
    phrase of what the sentence says after it ("…often matters more than model choice" → "Model choice"), or
    the label numbered. Two points a candidate cannot tell apart in the feedback are one too many."""
    chosen = label
    if label.lower() in labels:
        at = text.lower().find(label.lower())
        rest = noun_phrase(text[at + len(label):]) if at >= 0 else ""
        numbered = (f"{label} ({n})" for n in range(2, len(labels) + 3))
        chosen = next(c for c in ([rest] if rest else []) + list(numbered)
                      if c.lower() not in labels and c != "Key point" and label_problem(c) is None)
    labels.add(chosen.lower())
    return chosen


def _contractions_spelt_out(text: str) -> str:
    """ "doesn't" → "does not", "can't" → "can not", "won't" → "will not": a negation the tokenizer keeps."""
    text = re.sub(r"\b(can|won)['’]t\b", lambda m: ("can" if m.group(1).lower() == "can" else "will") + " not", text,
                  flags=re.IGNORECASE)
    return re.sub(r"n['’]t\b", " not", text, flags=re.IGNORECASE)


def candidate_phrases(statement: str) -> list[str]:
    """Key-term candidates: 1–3 word n-grams without stop words (scikit-learn's CountVectorizer), negations kept."""
    # scikit-learn's text module costs ~0.3 s to import; only rubric derivation needs it.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    # Negations stay: without them "does not guarantee a global minimum" gave the cue "descent does guarantee".
    statement = _contractions_spelt_out(statement)
    stop_words = sorted(ENGLISH_STOP_WORDS - NEGATORS)
    vectorizer = CountVectorizer(ngram_range=(1, 3), stop_words=stop_words,
                                 token_pattern=r"(?u)\b[A-Za-z][A-Za-z0-9-]+\b")
    # Each comma/bracket-delimited chunk is its own document, so no n-gram spans punctuation.
    chunks = [c for c in _CHUNK_RE.split(statement) if c.strip()]
    try:
        vectorizer.fit(chunks or [statement])
    except ValueError:  # only stop words
        return []
    # A negation belongs to the words around it: "not" alone or "descent does not" names nothing, and
    # "guarantee global minimum" or "trees need" cut from "does not guarantee a global minimum" or "trees need
    # no scaling" says the opposite. So no candidate ends in a negation, starts with the word it governs, or
    # ends with the word right before one.
    negators = "|".join(sorted(NEGATORS))
    after = {m.group(1).lower() for m in
             re.finditer(rf"\b(?:{negators})\s+(?:(?:a|an|the)\s+)?(\w+)", statement, re.IGNORECASE)}
    before = {m.group(1).lower() for m in re.finditer(rf"(\w+)\s+(?:{negators})\b", statement, re.IGNORECASE)}
    names = [str(c) for c in vectorizer.get_feature_names_out() if c.split()[-1] not in NEGATORS]
    # (a fragment such as "either it does or it does not." keeps what it has: a draft point needs some cue)
    return [c for c in names if c.split()[-1] not in before and c.split()[0] not in after] or names


def rank_cues(statement: str, candidates: Sequence[str], embedder: Embedder | None, limit: int = CUES_PER_CONCEPT) -> list[str]:
    """The ``limit`` candidates closest in meaning to the statement, skipping near-duplicates."""
    if not candidates:
        return []
    if embedder is not None:
        vectors = embedder.encode([statement, *candidates])
        order = np.argsort(-(vectors[1:] @ vectors[0]), kind="stable")
        ranked = [candidates[i] for i in order]
    else:
        ranked = sorted(candidates, key=lambda c: -len(c.split()))
    chosen: list[str] = []
    for phrase in ranked:
        if any(phrase in c or c in phrase for c in chosen):
            continue
        chosen.append(phrase)
        if len(chosen) == limit:
            break
    return chosen


def derive_rubric(
    rubric_id: str, qa: QA, embedder: Embedder | None = None, alternatives: Sequence[str] = ()
) -> dict[str, Any]:
    """A draft rubric (as plain data, ready to dump as YAML) for one question.

    ``alternatives``: several complete reference answers, any one of which is correct (as in
    SemEval-2013 Beetle). The rubric is derived from the first; the others become the first
    concept's alternatives.
    """
    others: list[str] = []
    for text in (qa.answer, *alternatives):  # the reference itself first, then the others, each once
        if text.strip() and text.strip() not in others:
            others.append(text.strip())
    if len(others) >= 2 and " OR " in qa.answer and qa.answer not in alternatives:
        others = others[1:]  # "A OR B" joins alternatives that are all listed: use them one by one
    qa = QA(qa.question, others[0] if others else qa.answer)
    others = others[1:]
    data = _derive(rubric_id, qa, embedder)
    if others:
        first = data["concepts"][0]
        first["alternatives"] = others
        pool = candidate_phrases(" ".join([first["statement"], *others]))
        first["cues"] = rank_cues(" ".join([first["statement"], *others]), pool, embedder)
    return data


def _derive(rubric_id: str, qa: QA, embedder: Embedder | None) -> dict[str, Any]:
    taken: set[str] = set()
    concepts: list[dict[str, Any]] = []
    misconceptions: list[dict[str, Any]] = []
    labels: set[str] = set()
    for index, (text, item) in enumerate(_segments(qa.answer)):
        label = _distinct(_label(text, item), text, labels)
        cues = rank_cues(text, candidate_phrases(text), embedder)
        concepts.append(
            {
                "id": _slug(label, taken),
                "label": label,
                "statement": text,
                "cues": cues,
                "weight": 2.0 if index == 0 else 1.0,
                "follow_up": follow_up_about(label, core=index == 0),
            }
        )
        claim = wrong_claim(text)
        if claim:
            misconceptions.append(
                {"id": _slug("wrong " + label, taken), "claim": claim, "correction": text, "cues": []}
            )
    if not concepts:
        concepts.append({"id": "answer", "label": "The model answer", "statement": qa.answer,
                         "cues": rank_cues(qa.answer, candidate_phrases(qa.answer), embedder),
                         "weight": 1.0, "follow_up": qa.question if qa.question.rstrip().endswith("?") else
                         "What is the core of your answer, in one or two sentences?"})
    data: dict[str, Any] = {"id": rubric_id, "question": qa.question, "model_answer": qa.answer, "concepts": concepts}
    if misconceptions:
        data["misconceptions"] = misconceptions
    return data


def prefix_for(source: str) -> str:
    """The id prefix derived from a question file's name: ``ml-questions.txt`` -> ``ml-questions-`` (so drafts
    are ``ml-questions-01``…, never a bundled bank's ``q01`` or ``stat01``)."""
    words = re.findall(r"[a-z0-9]+", Path(source).stem.lower())
    return ("-".join(words)[:24].strip("-") or "draft") + "-"


def derive_rubrics(text: str, source: str, embedder: Embedder | None = None, prefix: str | None = None,
                   reserved: Collection[str] = (), progress: Callable[[int, int, str], None] | None = None
                   ) -> list[Rubric]:
    """Draft rubrics for every question in ``text``, ids ``<prefix>01``, ``<prefix>02``… (validated).

    ``prefix``: None derives one from ``source`` (``prefix_for``). ``reserved``: ids already taken (the bundled
    banks'): a given prefix that would reuse one is an error; a derived one gets a ``draft-`` in front.
    ``progress(n, total, question)`` is called before each question is derived.
    """
    items = parse_qa(text, source)
    width = max(2, len(str(len(items))))
    ids = [f"{prefix if prefix is not None else prefix_for(source)}{n:0{width}d}" for n in range(1, len(items) + 1)]
    taken = sorted(set(ids) & set(reserved))
    if taken and prefix is not None:
        raise InputError(f"--prefix {prefix}: {', '.join(taken[:3])} {'is' if len(taken) == 1 else 'are'} already "
                         "a bundled question's id; choose another prefix (ids must not collide across banks)")
    if taken:
        ids = [f"draft-{i}" for i in ids]
    rubrics = []
    for n, (rubric_id, qa) in enumerate(zip(ids, items, strict=True), start=1):
        if progress is not None:
            progress(n, len(items), qa.question)
        rubrics.append(parse_rubric(derive_rubric(rubric_id, qa, embedder), f"{source} (question {n})"))
    return rubrics


def rubric_yaml(rubric: Rubric, source: str) -> str:
    """A rubric as YAML for a human to edit, with a header saying where it came from."""
    data = rubric.model_dump(mode="json", exclude_defaults=False)
    for key in ("difficulty", "time_limit_seconds"):
        if data.get(key) is None:
            data.pop(key, None)
    if not data.get("tags"):
        data.pop("tags", None)
    header = f"# Draft derived by `interviewer rubric derive {source}`. Review every concept by hand.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_drafts(rubrics: Sequence[Rubric], out_dir: Path, source: str, force: bool = False) -> list[Path]:
    """Write each rubric to ``out_dir/<id>.yaml`` (``interviewer.outfile``: through a temporary file, never over
    a device, a FIFO or a folder). Every target is checked before the first is written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: not a folder; give --out a folder for the drafts")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot make the folder ({exc.strerror})") from None
    targets = [out_dir / f"{r.id}.yaml" for r in rubrics]
    for target in targets:
        check_output(target, force=force, streams=False,
                     hint="use --force to overwrite, or choose another --out")
    for rubric, target in zip(rubrics, targets, strict=True):
        write_output(target, rubric_yaml(rubric, source), streams=False)
    return targets


def bank_info_for(source: str, prefix: str | None, count: int, reserved: Collection[str] = ()) -> BankInfo:
    """The ``bank.yaml`` for drafts derived from ``source``: named after the id prefix (``--prefix ml-`` -> ``ml``),
    else after the file (``my-questions.txt`` -> ``my-questions``); a name in ``reserved`` (a bundled bank's)
    gets ``my-`` in front, so ``--bank NAME`` finds this one. Validated as a bundled bank's is."""
    name = "-".join(re.findall(r"[a-z0-9]+", (prefix or "").lower()))[:60].strip("-") or prefix_for(source)[:-1]
    if name in reserved:
        name = f"my-{name}"
    stem = " ".join(re.findall(r"[A-Za-z0-9]+", Path(source).stem))
    title = stem[:1].upper() + stem[1:] if stem else name
    description = (f"{count} question{'s' if count != 1 else ''} drafted by `interviewer rubric derive` from "
                   f"{Path(source).name}; review each rubric before trusting its grades.")
    return parse_bank_info({"name": name, "title": title, "description": description}, f"{source}: bank.yaml")


def write_bank_info(out_dir: Path, info: BankInfo) -> Path | None:
    """Write ``out_dir/bank.yaml`` unless something is already there (the user's own is never overwritten,
    not even with ``--force``); the path written, or None."""
    target = out_dir / BANK_FILE
    if target.exists() or target.is_symlink():
        return None
    check_output(target, force=False, streams=False)
    header = "# The bank's name (what --bank NAME takes), title and description. Edit them freely.\n"
    data = info.model_dump(mode="json", exclude_none=True)
    write_output(target, header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), streams=False)
    return target
