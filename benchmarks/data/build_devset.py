"""Assemble the v2 dev set from the hand-written parts, add the generated word-salad answers, and split it.

    python3 benchmarks/data/build_devset.py

Run once, before any tuning, to freeze the split; it is kept for the record and to show how the files
were made. ``testset.jsonl`` is the frozen test split: its SHA-256 is in the README and a test checks it.

* ``drafts/part-*.jsonl``: 300 answers written and graded by hand (``drafts/PROCEDURE.md``), 20 per
  question in 16 kinds.
* ``word_salad``: the model answer's own words in a random order (seeded by the id). It states nothing,
  so every point is missing and the score is 0: generated, because no judgement is involved.
* The split: an answer is in the test split when the SHA-256 of its id, as a number, is divisible by 3
  (about a third, with no look at the answers or at any grade).
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BANK = HERE.parents[1] / "rubrics" / "practical-ml"


def word_salad(rubric_id: str) -> dict:
    rubric = yaml.safe_load((BANK / f"{rubric_id}.yaml").read_text(encoding="utf-8"))
    record_id = f"{rubric_id}-word-salad-1"
    words = rubric["model_answer"].replace("(", "").replace(")", "").split()
    random.Random(record_id).shuffle(words)
    return {"id": record_id, "rubric": rubric_id, "question": rubric["question"], "kind": "word_salad",
            "answer": " ".join(words), "score": 0.0, "max_score": 10,
            "points": {c["id"]: "missing" for c in rubric["concepts"]}, "false_claims": []}


def main() -> None:
    rows = []
    for part in sorted((HERE / "drafts").glob("part-*.jsonl")):
        rows += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows += [word_salad(f"q{n:02d}") for n in range(1, 16)]
    rows.sort(key=lambda r: r["id"])
    test = [r for r in rows if int(hashlib.sha256(r["id"].encode()).hexdigest(), 16) % 3 == 0]
    dev = [r for r in rows if r not in test]
    for name, block in (("devset.jsonl", dev), ("testset.jsonl", test)):
        (HERE / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in block), encoding="utf-8")
        print(f"{name}: {len(block)} answers")


if __name__ == "__main__":
    main()
