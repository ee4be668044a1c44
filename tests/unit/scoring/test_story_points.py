"""Story points (``Concept.experience``) with the real models: a behavioural answer earns its STAR points
only from sentences that tell what happened, with the candidate in them (``narrative.py``)."""

from __future__ import annotations

import pytest

from interviewer.locations import bundled_bank_dir
from interviewer.rubrics import load_bank
from interviewer.scoring.grader import Grader

pytestmark = pytest.mark.model

STORY = ("Two years ago I was the on-call engineer for our checkout service at a travel startup. "
         "I shipped a config change on a Friday without a canary, and it broke card payments for forty minutes. "
         "It was my change, so it was my job to fix it and to tell people. "
         "I rolled it back, posted a status update and called the two biggest affected partners myself. "
         "We lost about 600 bookings; I wrote the post-mortem and added a canary step to our deploy pipeline. "
         "I learned to never skip the canary, and since then I have not pushed a config change on a Friday.")
HYPOTHETICAL = ("If I broke something in production, I would roll it back first and tell people what happened. "
                "I'd make sure it was my job to fix it and I would call the affected partners myself. "
                "Then I would write a post-mortem and add a canary step so it could not happen again. "
                "I usually think failures are how you learn to never skip the safety checks.")


@pytest.fixture(scope="module")
def behavioural():  # type: ignore[no-untyped-def]
    return load_bank(bundled_bank_dir("behavioural"))


@pytest.fixture(scope="module")
def grader(real_embedder, real_stance, behavioural) -> Grader:
    return Grader(real_embedder, stance=real_stance, bank=behavioural)


def test_the_story_points_need_a_story(grader: Grader, behavioural) -> None:
    told = grader.grade(behavioural["beh09"], STORY)
    said = grader.grade(behavioural["beh09"], HYPOTHETICAL)
    told_points = {c.concept_id: c for c in told.concepts}
    said_points = {c.concept_id: c for c in said.concepts}
    for point in ("task", "own-actions", "result"):  # (its situation sentence is missed with or without the check)
        assert told_points[point].status != "missed", point
    for point in ("situation", "task", "own-actions", "result"):
        assert said_points[point].status == "missed", point
    assert said_points["own-actions"].untold, "the point is missed because nothing in it happened"
    assert any("you said what you would do" in line for line in said.feedback.missing)
    assert told.score >= said.score + 3.0, (told.score, said.score)


WE_STORY = ("Last spring a config change of mine broke card payments at a travel startup. "
            "We rolled it back within the hour, posted a status update and called the two biggest affected partners. "
            "Then we wrote a post-mortem and added a canary step to the deploy pipeline.")


def test_we_is_not_the_candidates_own_action(grader: Grader, behavioural) -> None:
    from interviewer.scoring.concepts import concept_candidates, split_answer

    rubric = behavioural["beh09"]
    ready = grader.prepare(rubric)
    index = next(i for i, c in enumerate(rubric.concepts) if c.id == "own-actions")
    concept = rubric.concepts[index]
    parts = split_answer(WE_STORY, 5000)
    vectors = grader.embedder.encode([u.text for u in parts.units])
    ours = {i for i, u in enumerate(parts.units) if u.text.lower().startswith(("we ", "then we "))}
    assert len(ours) == 2

    def candidates(point):  # type: ignore[no-untyped-def]
        return set(concept_candidates(point, ready.statements[index], ready.cues[index], parts, vectors).units)

    assert not ours & candidates(concept)
    # The control: without the story point, a "we" sentence is one of the closest to the point.
    assert ours & candidates(concept.model_copy(update={"experience": None}))
    own = {c.concept_id: c for c in grader.grade(rubric, WE_STORY).concepts}["own-actions"]
    assert own.status == "missed" and own.untold


def _dev_answer(answer_id: str) -> dict:  # type: ignore[type-arg]
    import json
    from pathlib import Path

    path = Path(__file__).parents[3] / "benchmarks" / "data" / "banks" / "behavioural-dev.jsonl"
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return next(row for row in rows if row["id"] == answer_id)


def test_a_story_that_states_this_questions_own_point_is_on_topic(grader: Grader, behavioural) -> None:
    """Behavioural questions share their five STAR points, so their fingerprints are close: this initiative story
    (from the behavioural dev set, human 7.4) fits the "learn something quickly" question a little better, yet it
    states what only its own question asks, and more of it than of the other question's own point."""
    row = _dev_answer("dev-beh12-partial-1")
    grade = grader.grade(behavioural[row["rubric"]], row["answer"])
    assert grade.relevance is not None and grade.relevance.on_topic, grade.relevance
    assert grade.relevance.best_other_score > grade.relevance.score  # the fingerprint alone would call it off-topic
    assert grade.score >= 5.0


def test_a_story_for_another_question_stays_off_topic(grader: Grader, behavioural) -> None:
    """A learn-fast story graded against the initiative question: the stance model reads its scene-setting as
    initiative, but the story states the other question's own point at least as well: still off-topic."""
    row = _dev_answer("dev-beh12-off-topic-1")
    grade = grader.grade(behavioural[row["rubric"]], row["answer"])
    assert grade.relevance is not None and not grade.relevance.on_topic
    assert grade.relevance.best_other_rubric == "beh11"
    assert grade.score <= 2.0



def test_a_complete_story_is_not_asked_for_an_example(behavioural, bundled_bank) -> None:
    """Every point covered: a story question's advice does not ask for the example it already is."""
    from interviewer.scoring.feedback import write_feedback
    from interviewer.scoring.result import ConceptResult

    def all_covered(rubric):  # type: ignore[no-untyped-def]
        return [ConceptResult(c.id, c.label, "covered", 1.0, c.weight, 0.8, (), None, c.statement, c.follow_up)
                for c in rubric.concepts]

    story = write_feedback(behavioural["beh09"], all_covered(behavioural["beh09"]), [], 10.0, answered=True)
    assert story.next_time == ("Next time, keep it this complete: one real story, your own actions, "
                               "a result you can measure.")
    practical = write_feedback(bundled_bank["q03"], all_covered(bundled_bank["q03"]), [], 10.0, answered=True)
    assert "concrete example from your own work" in practical.next_time


def test_saying_the_story_twice_earns_what_saying_it_once_does(grader: Grader, behavioural) -> None:
    """A sentence said twice is one statement: copies took the candidate slots of other sentences (a 10/10
    story pasted twice scored 7.4, 5 of 7 points, in a new user's trial)."""
    once = grader.grade(behavioural["beh09"], STORY)
    twice = grader.grade(behavioural["beh09"], STORY + "\n\n" + STORY)
    assert [c.status for c in twice.concepts] == [c.status for c in once.concepts]
    assert twice.score == once.score
