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
    "I would say the biggest mistake I made was skipping the canary.",  # a new "I" ends the modal's reach
    "I can think of a time I broke production.",
    "When I joined, the pipeline was broken and I rebuilt it.",
    "I onboarded two juniors.",  # a verb no dictionary knows
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
    "I would've asked her earlier.",
    "I wouldn't have shipped it.",
    "When a teammate disagreed, I would ask why.",  # the past form is in the "when" clause
    "I usually sit down with the people involved.",  # a participle after a habit
    "Then I'd take the list and my proposed order to my manager.",
    "Once we understood the root cause I would suggest we agree some ground rules.",  # "ground" is a noun here
])
def test_hypotheticals_and_habits_tell_nothing_that_happened(sentence: str) -> None:
    assert not N.tells_past(sentence)
    assert not N.tells(sentence, "past")
    assert N.tells(sentence, None)


def test_we_tells_what_happened_but_not_what_the_speaker_did() -> None:
    for sentence in ("We rolled it back within the hour.", "We launched a week early and had no incidents.",
                     "It was a real team effort, and I'm proud of all of us.",  # the "I" is in another clause
                     "We fixed it together, so I can't single out one thing."):
        assert N.tells_past(sentence)
        assert not N.tells_own(sentence)
        assert not N.tells(sentence, "own")


def test_a_modal_is_never_a_past_form() -> None:
    assert N.past_form("built") and N.past_form("was") and N.past_form("led")
    assert not any(N.past_form(w) for w in ("would", "could", "might", "should"))
    assert not N.past_form("team")


def test_a_clause_keeps_the_modal_of_its_sentence() -> None:
    from interviewer.scoring.concepts import split_answer

    first = "What I would do is ask the colleague for a private chat, and start by describing what I've noticed."
    second = "Last year I asked mine for one."
    assert N.told_units((first, first, second), "own") == (False, False, True)
    parts = split_answer(f"{first} {second}", 1000)  # each unit knows the sentence it was cut from
    assert [s.text for s in parts.unit_sentences] == [first if u.start < len(first) else second for u in parts.units]
