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
    assert told_points["own-actions"].status != "missed"
    for point in ("situation", "task", "own-actions", "result"):
        assert said_points[point].status == "missed", point
    assert said_points["own-actions"].untold, "the point is missed because nothing in it happened"
    assert any("you said what you would do" in line for line in said.feedback.missing)
    assert told.score >= said.score + 3.0, (told.score, said.score)


def test_we_is_not_the_candidates_own_action(grader: Grader, behavioural) -> None:
    grade = grader.grade(behavioural["beh09"], STORY.replace("I rolled it back, posted a status update and called the two biggest affected partners myself.",
                                                             "We rolled it back, posted a status update and called the two biggest affected partners.")
                         .replace("I wrote the post-mortem and added", "we wrote the post-mortem and added"))
    own = {c.concept_id: c for c in grade.concepts}["own-actions"]
    assert own.evidence is None or not own.evidence.text.startswith("We rolled it back")


def test_an_untold_point_is_marked_in_the_cli_and_the_report() -> None:
    from interviewer.cli.render import render_grade
    from interviewer.reports.model import concept_lines
    from interviewer.scoring.result import ConceptResult, Feedback, Grade, Relevance, Similarity

    concept = ConceptResult("own-actions", "Own actions", "missed", 0.0, 2.0, 0.5, (), None, "I did it.", "What did you do?",
                            untold=True)
    grade = Grade(rubric_id="beh09", question="Tell me about a mistake.", score=0.5, concepts=(concept,),
                  similarity=Similarity(0.5, 0.5, 0.5), feedback=Feedback("Needs work.", (), (), (), None, ""),
                  features={}, word_count=12, misconceptions=(), relevance=Relevance(True, 0.5, None, None))
    assert "Own actions [missed: not told as something you did]" in render_grade(grade)
    assert concept_lines(grade.to_dict())[0].note == "not told as something you did"
