"""A story point is stated only by a sentence that tells what happened (``narrative.py``)."""

from __future__ import annotations

import pytest

from interviewer.scoring import narrative as N


@pytest.mark.parametrize("sentence", [
    "Last year I was a backend engineer on a four-person team.",
    "First I asked Priya to walk me through her concerns.",
    "So I sat down with her and we went through the logs.",
    "um so like I kind of just went to her desk",
    "If it failed, I rolled back the deploy.",  # the "if" governs "failed" only
    "I said I would fix it by Friday, and I did.",  # "said" comes before the modal
    "What I learned is to find the concern behind a position.",
])
def test_a_past_story_with_the_speaker_in_it_is_told(sentence: str) -> None:
    assert N.tells_past(sentence)
    assert N.tells_own(sentence)
    assert N.tells(sentence, "own") and N.tells(sentence, "past") and N.tells(sentence, None)


@pytest.mark.parametrize("sentence", [
    "I would sit down with both of them and agree on criteria.",
    "In a situation like that I would usually sit down with the people involved and find a solution.",
    "I’d talk to my manager first.",
    "If I were in that situation, I would talk to her.",
    "I would have asked her earlier.",
    "I usually write a post-mortem after an incident.",  # a habit, not an event
])
def test_hypotheticals_and_habits_tell_nothing_that_happened(sentence: str) -> None:
    assert not N.tells_past(sentence)
    assert not N.tells(sentence, "past")
    assert N.tells(sentence, None)


def test_we_tells_what_happened_but_not_what_the_speaker_did() -> None:
    for sentence in ("We rolled it back within the hour.", "We launched a week early and had no incidents."):
        assert N.tells_past(sentence)
        assert not N.tells_own(sentence)
        assert not N.tells(sentence, "own")


def test_a_modal_is_never_a_past_form() -> None:
    assert N.past_form("built") and N.past_form("was") and N.past_form("led")
    assert not any(N.past_form(w) for w in ("would", "could", "might", "should"))
    assert not N.past_form("team")
