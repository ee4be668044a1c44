"""Fit the word-order table (``interviewer/scoring/word_order.py``): a class-bigram model of English
word order, and the gain below which a unit is read as words in no order.

    .venv/bin/python benchmarks/train_word_order.py ../shared/data [--out interviewer/scoring/word_order.json]

Text (ordinary sentences, none of them graded interview answers): the SemEval-2013 Beetle and
SciEntsBank ``train`` splits (student answers and reference answers), and the bank's rubrics (model
answers, statements, alternatives, misconceptions and their corrections, follow-up questions). Each is cut
into units the way the grader cuts answers (``text.units``). Four in five units fit the table (add-half
smoothing); the fifth is held out to choose the threshold: the gain that ``KEEP`` of the held-out
units reach. The script prints how many shuffled held-out units would pass it. Deterministic (fixed
seed); a few seconds. The dev and test sets of graded answers are never read.

The collocation threshold (``collocated``): every bundled rubric's model answer has its words shuffled
(``SHUFFLES`` times, punctuation travelling with its word) and cut into units; each unit's collocation
gain against its own rubric's word pairs is measured, and the threshold is the gain that only
``SHUFFLED_PASSING`` of those shuffled units reach. The script prints how many of the model answers' own
units it keeps.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interviewer.rubrics import load_bank
from interviewer.rubrics.banks import bundled_banks
from interviewer.scoring import text as T
from interviewer.scoring.prepared import rubric_word_pairs
from interviewer.scoring.word_order import (
    CONTENT,
    DEFAULT_TABLE,
    END,
    MIN_WORDS,
    START,
    WordOrder,
    collocation_gain,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
KEEP = 0.98  # the share of held-out ordinary units that must count as ordered
SMOOTHING = 0.5
SHUFFLES = 20  # shuffles of each model answer for the collocation threshold
SHUFFLED_PASSING = 0.05  # the share of shuffled model-answer units the collocation threshold lets through
# Function words: each is its own class (the order of these is what English grammar fixes).
FUNCTION_WORDS = sorted(T.STOPWORDS | T.NEGATORS | {
    "because", "but", "while", "since", "although", "though", "unless", "until", "after", "before", "between",
    "through", "during", "within", "without", "like", "than", "all", "only", "one", "not", "don't", "doesn't",
    "isn't", "aren't", "won't", "can't", "it's", "that's", "whether", "either", "every", "many", "much", "few",
    "even", "still", "again", "once", "because", "instead", "rather", "too", "however", "therefore", "thus",
    "um", "uh", "yeah", "okay", "so", "like", "kind", "sort",
})


def texts(shared: Path) -> list[str]:
    out = []
    for name in ("semeval2013_beetle.jsonl", "semeval2013_scientsbank.jsonl"):
        with (shared / name).open(encoding="utf-8") as handle:
            rows = [r for r in map(json.loads, handle) if r["split"] == "train"]
        out += sorted({r["answer"] for r in rows}) + sorted({r["reference_answer"] for r in rows})
    for rubric in load_bank(ROOT / "rubrics" / "practical-ml").values():
        out.append(rubric.model_answer)
        for concept in rubric.concepts:
            out += [concept.statement, *concept.alternatives, concept.follow_up]
        for misconception in rubric.misconceptions:
            out += [misconception.claim, misconception.correction]
    return [t for t in out if t and t.strip()]


def collocation_threshold(rng: random.Random) -> tuple[float, float]:
    """The collocation gain only ``SHUFFLED_PASSING`` of shuffled model-answer units reach, and the share
    of the model answers' own (judged) units that reach it."""
    shuffled, own = [], []
    for entry in bundled_banks():
        for rubric in load_bank(entry.folder).values():
            pairs = rubric_word_pairs(rubric)  # the pairs the grader judges by
            own += [g for g in (collocation_gain(T.words(u.text), pairs) for u in T.units(rubric.model_answer))
                    if g is not None]
            tokens = rubric.model_answer.split()
            for _ in range(SHUFFLES):
                rng.shuffle(tokens)
                for unit in T.units(" ".join(tokens)):
                    gain = collocation_gain(T.words(unit.text), pairs)
                    if gain is not None:
                        shuffled.append(gain)
    shuffled.sort()
    threshold = shuffled[min(len(shuffled) - 1, int((1 - SHUFFLED_PASSING) * len(shuffled)))]
    threshold = max(threshold, 1e-6)  # a unit must beat its shuffles
    return threshold, sum(g >= threshold for g in own) / len(own)


def unit_words(all_texts: list[str]) -> list[list[str]]:
    return [T.words(unit.text) for text in all_texts for unit in T.units(text)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared_data", type=Path, help="folder with the SemEval-2013 JSONL files (../shared/data)")
    parser.add_argument("--out", type=Path, default=DEFAULT_TABLE)
    args = parser.parse_args()
    rng = random.Random(SEED)
    units = unit_words(texts(args.shared_data))
    rng.shuffle(units)
    cut = len(units) * 4 // 5
    fit, held = units[:cut], units[cut:]

    classes = [START, END, CONTENT, *FUNCTION_WORDS]
    index = {c: i for i, c in enumerate(classes)}
    counts = [[SMOOTHING] * len(classes) for _ in classes]
    for words in fit:
        sequence = [index[START], *(index.get(w.lower(), index[CONTENT]) for w in words), index[END]]
        for a, b in zip(sequence, sequence[1:], strict=False):
            counts[a][b] += 1
    for row in counts:
        row[index[START]] = 0.0  # nothing goes back to the start
    logp = [[round(math.log(c / sum(row)), 4) if c else -30.0 for c in row] for row in counts]

    model = WordOrder(classes, logp, 0.0)
    gains = sorted(g for g in (model.gain(w) for w in held) if g is not None)
    ordered = gains[int((1 - KEEP) * len(gains))]
    shuffled_gains = []
    for words in held:
        if len(words) >= MIN_WORDS:
            mixed = list(words)
            rng.shuffle(mixed)
            shuffled_gains.append(model.gain(mixed))
    passing = sum(g >= ordered for g in shuffled_gains) / len(shuffled_gains)
    print(f"{len(fit)} units fitted, {len(gains)} held out (≥ {MIN_WORDS} words): threshold {ordered:.3f} nats "
          f"keeps {KEEP:.0%} of them; {passing:.1%} of their shuffles would pass")
    collocated, kept = collocation_threshold(random.Random(SEED))
    print(f"collocation threshold {collocated:.3f} (passed by {SHUFFLED_PASSING:.0%} of shuffled model-answer units); "
          f"{kept:.1%} of the model answers' own units reach it")
    table = {"classes": classes, "logp": logp, "ordered": round(ordered, 4), "collocated": round(collocated, 4),
             "provenance": {"script": "benchmarks/train_word_order.py", "units_fitted": len(fit),
                            "units_held_out": len(gains), "keep": KEEP, "shuffles_passing": round(passing, 4),
                            "collocation_shuffles": SHUFFLES, "collocation_shuffled_passing": SHUFFLED_PASSING,
                            "model_answer_units_collocated": round(kept, 4),
                            "smoothing": SMOOTHING, "seed": SEED,
                            "text": "SemEval-2013 Beetle and SciEntsBank train splits; the bank's rubrics"}}
    args.out.write_text(json.dumps(table, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
