"""Grading quality: agreement with human grades, and the README's results table.

    .venv/bin/python benchmarks/grading_quality.py ../shared/data [--write-readme]

* The team's dev set (benchmarks/data/devset.jsonl, 191 answers), cross-validated by question: each
  question's answers are scored by a calibration fitted on the other 14 questions only.
* The frozen test split (benchmarks/data/testset.jsonl, 124 answers) with the shipped calibration: it
  was never used to choose a rule, a feature, a weight or a threshold.
* Per kind of answer (strong, one wrong claim, buzzword list, …): the human and the grader's means.
* How often the headline contradicts the checklist (a third or less of the key points covered, yet
  7.5 or more), and how much length drives the score (Pearson r of score and word count).
* The SemEval-2013 test splits (Beetle unseen answers / unseen questions; SciEntsBank unseen answers /
  questions / domains) with the shipped calibration (fitted on the train splits only), next to the
  naive baseline: cosine of all-MiniLM-L6-v2 embeddings of the whole answer and the reference answer.

``interviewer eval`` reproduces every row (``--cross-validate`` for the dev set, ``--split`` for
SemEval). The last line of output is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np
from _grading import DATA, DEVSET, TESTSET, grade, make_grader, read, semeval_path

from interviewer.scoring.crossval import cross_validated_rubric_scores
from interviewer.scoring.evaluation import evaluate, gold_score

README = Path(__file__).resolve().parents[1] / "README.md"
SPLITS = [
    ("Beetle", "semeval2013_beetle.jsonl", "test_unseen_answers", 0.465),
    ("Beetle", "semeval2013_beetle.jsonl", "test_unseen_questions", 0.234),
    ("SciEntsBank", "semeval2013_scientsbank.jsonl", "test_unseen_answers", 0.375),
    ("SciEntsBank", "semeval2013_scientsbank.jsonl", "test_unseen_questions", 0.400),
    ("SciEntsBank", "semeval2013_scientsbank.jsonl", "test_unseen_domains", 0.390),
]
START, END = "<!-- grading-quality:start -->", "<!-- grading-quality:end -->"


def naive_cosine(grader, records) -> list[float]:  # type: ignore[no-untyped-def]
    answers = grader.embedder.encode([r["answer"] for r in records])
    references = grader.embedder.encode([r["reference_answer"] for r in records])
    return [float(v) for v in (answers * references).sum(axis=1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared_data", type=Path, help="folder with the SemEval-2013 JSONL files (../shared/data)")
    parser.add_argument("--write-readme", action="store_true", help="replace the table in README.md")
    args = parser.parse_args()
    started = time.perf_counter()
    grader = make_grader()
    figures: dict[str, dict] = {}

    dev = grade(grader, read(DEVSET), "devset")
    gold = [gold_score(r) for r in dev]
    cv = cross_validated_rubric_scores(grader, [(grader.bank[r["rubric"]], r["answer"]) for r in dev],
                                       [r["points"] for r in dev], gold, [r["rubric"] for r in dev])
    figures["devset"] = {**evaluate(cv, gold, dev).to_dict(), **checklist_health(dev, cv)}
    test = grade(grader, read(TESTSET), "testset")
    shipped = [r["predicted_score"] for r in test]
    figures["testset"] = {**evaluate(shipped, [gold_score(r) for r in test], test).to_dict(),
                          **checklist_health(test, shipped)}
    old = grade(grader, read(DATA / "devset-v1.jsonl"), "devset-v1")
    figures["devset_v1"] = evaluate([r["predicted_score"] for r in old], [gold_score(r) for r in old], old).to_dict()

    for corpus, name, split, baseline in SPLITS:
        records = read(semeval_path(args.shared_data, name), [split])
        graded = grade(grader, records, f"{name}:{split}")
        gold = [gold_score(r) for r in graded]
        ours = evaluate([r["predicted_score"] for r in graded], gold, graded, grader.calibration["reference"].threshold)
        naive = evaluate(naive_cosine(grader, records), gold)
        figures[f"{corpus} {split}"] = {**ours.to_dict(), "naive_pearson_measured": naive.pearson,
                                        "naive_pearson_given": baseline}

    table = render(figures)
    print(table)
    if args.write_readme:
        text = README.read_text(encoding="utf-8")
        if START not in text or END not in text:
            raise SystemExit(f"{README}: markers {START} … {END} not found")
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), START + "\n" + table + "\n" + END, text, flags=re.S)
        README.write_text(text, encoding="utf-8")
        print(f"updated {README}")
    print(f"took {time.perf_counter() - started:.0f} s")
    print(json.dumps({"benchmark": "grading_quality", **figures}))


def checklist_health(records: list[dict], scores: list[float]) -> dict[str, float]:
    """Share of grades whose headline contradicts the checklist (≤ a third covered yet ≥ 7.5), and the
    Pearson r of score and word count for the grader and for the human."""
    contradicting = 0
    for record, score in zip(records, scores, strict=True):
        concepts = record["grade"]["concepts"]
        covered = sum(c["status"] == "covered" for c in concepts)
        contradicting += covered <= len(concepts) / 3 and score >= 7.5
    words = np.array([record["grade"]["word_count"] for record in records], dtype=float)
    human = np.array([gold_score(record) for record in records])
    return {"headline_contradicts_checklist": round(contradicting / len(records), 4),
            "length_r": round(float(np.corrcoef(words, np.asarray(scores))[0, 1]), 3),
            "human_length_r": round(float(np.corrcoef(words, human)[0, 1]), 3)}


LOCAL = (("devset", "dev set, cross-validated by question"), ("testset", "**frozen test split**, shipped calibration"),
         ("devset_v1", "old dev set (v1, tuned on by the previous grader), shipped calibration"))


def render(figures: dict[str, dict]) -> str:
    lines = [
        "| data | answers | Pearson r | Spearman r | RMSE | QWK | naive cosine r | gain |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, title in LOCAL:
        f = figures[key]
        lines.append(f"| {title} | {f['n']} | {f['pearson']:.3f} | {f['spearman']:.3f} | {f['rmse']:.2f} | "
                     f"{f['qwk']:.3f} | — | — |")
    for key, f in figures.items():
        if key in dict(LOCAL):
            continue
        gain = f["pearson"] - f["naive_pearson_given"]
        lines.append(
            f"| SemEval-2013 {key.replace('test_', '').replace('_', ' ')} | {f['n']} | {f['pearson']:.3f} | "
            f"{f['spearman']:.3f} | {f['rmse']:.2f} | {f['qwk']:.3f} | {f['naive_pearson_given']:.3f} "
            f"(here {f['naive_pearson_measured']:.3f}) | {gain:+.3f} |"
        )
    lines.append("")
    lines.append("SemEval accuracy / macro-F1 of correct-vs-not at the threshold chosen on train: " + "; ".join(
        f"{k.replace('test_', '').replace('_', ' ')} {f['accuracy']:.3f} / {f['macro_f1']:.3f}"
        for k, f in figures.items() if k not in dict(LOCAL) and "accuracy" in f))
    dev, test = figures["devset"], figures["testset"]
    lines += ["", "Headline contradicting the checklist (a third or less of the key points covered, yet ≥ 7.5): "
              f"dev {100 * dev['headline_contradicts_checklist']:.1f}%, test {100 * test['headline_contradicts_checklist']:.1f}%. "
              f"Length and score, Pearson r (grader / human): dev {dev['length_r']:.2f} / {dev['human_length_r']:.2f}, "
              f"test {test['length_r']:.2f} / {test['human_length_r']:.2f}.", "",
              "Mean score by kind of answer, human → grader:", "",
              "| kind | dev n | dev (cross-validated) | test n | frozen test |", "|---|---|---|---|---|"]
    dev_kinds = dev.get("groups", {}).get("kind", {})
    test_kinds = test.get("groups", {}).get("kind", {})
    for kind in sorted(set(dev_kinds) | set(test_kinds)):
        cells = []
        for kinds in (dev_kinds, test_kinds):
            g = kinds.get(kind)
            cells += [str(g["n"]), f"{g['gold']:.1f} → {g['predicted']:.1f}"] if g else ["0", "—"]
        lines.append(f"| {kind.replace('_', ' ')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
