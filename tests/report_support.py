"""Sessions for report, history and resume tests: graded by the deterministic test embedder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interviewer.rubrics import load_bank
from interviewer.scoring.grader import Grader
from interviewer.session.round import Interview
from interviewer.store import Store

from .fakes import HashingEmbedder

HOSTILE = "<script>document.title='PWNED'</script> & \"quoted\" 'single' <img src=x onerror=alert(1)> $title"

GOOD_SCALING = ("Feature scaling puts features on comparable ranges. Standardization subtracts the mean and divides by "
                "the standard deviation. Distance-based models such as KNN need scaling. Tree models do not need "
                "scaling. But you should fit the scaler on all the data before splitting.")
WEAK_LEAKAGE = "Leakage is bad."

DELIVERY = {"duration": 21.0, "speaking_seconds": 20.0, "word_count": 48, "words_per_minute": 144.0, "pace": "good",
            "fillers": [{"filler": "basically", "count": 2}], "filler_count": 2, "fillers_per_100_words": 4.2,
            "pauses": [{"start": 5.0, "end": 7.1, "seconds": 2.1, "after": "so", "before": "the"}],
            "longest_pause": 2.1, "suggestions": ["Fewer fillers: pause instead of saying 'basically'."], "notes": []}


def hostile_bank(root: Path) -> Path:
    """A bank with one rubric whose every text field carries HOSTILE."""
    root.mkdir(parents=True, exist_ok=True)
    h = HOSTILE.replace("'", "''")  # YAML single-quoted strings double their quotes
    (root / "evil.yaml").write_text(f"""id: evil
question: '{h} What is feature scaling?'
model_answer: 'Feature scaling puts features on comparable ranges. {h}'
concepts:
  - id: definition
    label: '{h} definition'
    statement: 'Feature scaling puts features on comparable ranges. {h}'
    cues: [comparable ranges]
    weight: 2
    follow_up: '{h} what does scaling do?'
  - id: trees
    label: 'Trees {h}'
    statement: 'Tree models do not need scaling. {h}'
    cues: [tree models]
    follow_up: 'Trees? {h}'
misconceptions:
  - id: all-data
    claim: 'Fit the scaler on all the data.'
    correction: 'Fit it on the training split only. {h}'
    cues: [fit the scaler on all the data]
""", encoding="utf-8")
    return root


KEEP = frozenset({"status", "concept_id", "rubric_id", "misconception_id", "profile", "pace"})


def poisoned(value: Any, key: str = "") -> Any:
    """``value`` (a grade dict) with HOSTILE appended to every free-text string in it."""
    if isinstance(value, dict):
        return {k: poisoned(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poisoned(v, key) for v in value]
    if isinstance(value, str) and key not in KEEP:
        return f"{value} {HOSTILE}"
    return value


def graded_session(db: Path, bank_dir: Path, answers: dict[str, str | None], *, bank_name: str | None = None,
                   finish: bool = True, voice: dict[str, Any] | None = None, follow_up: bool = False) -> int:
    """A stored session asking ``answers``' rubric ids in order; None leaves a question unanswered.
    ``voice`` (audio_path, transcript, delivery) makes the first answer a spoken one."""
    bank = load_bank(bank_dir)
    grader = Grader(HashingEmbedder())
    with Store(db) as store:
        interview = Interview.start(store, [bank[i] for i in answers], bank_name=bank_name or str(bank_dir))
        for n, (turn, text) in enumerate(zip(interview.turns, answers.values(), strict=True)):
            if text is None:
                continue
            extra: dict[str, Any] = dict(mode="voice", **voice) if voice and n == 0 else {}
            interview.submit(turn, text, seconds=42.0, **extra)
            interview.record_grade(turn, grader.grade(turn.rubric, text))
            first = turn.rubric.concepts[0]
            asked = (interview.follow_up_for(turn) or (first.id, first.follow_up)) if follow_up else None
            if asked:
                follow = interview.submit_follow_up(turn, asked[0], asked[1], f"My follow-up answer. {HOSTILE}")
                from interviewer.session.round import follow_up_rubric

                interview.record_follow_up_grade(follow, grader.grade(follow_up_rubric(turn.rubric, asked[0]),
                                                                      follow.answer))
        if finish:
            interview.finish()
        return interview.session_id
