"""How a sentence frames a claim: a bare example, a mistake reported, a prohibition (``scoring.frames``)."""

from __future__ import annotations

import pytest

from interviewer.scoring import frames as F


def test_a_bare_example_names_a_practice_without_judging_it() -> None:
    assert F.bare_example("For example, fitting the scaler on all the data before splitting it.")
    assert F.bare_example("e.g. target encoding computed on the full dataset")
    assert F.bare_example("For instance, tomorrow's weather as a feature for today's sales.")
    assert not F.bare_example("For example, you can fit the scaler on all the data before splitting.")
    assert not F.bare_example("For example, scaling everything first is fine.")
    assert not F.bare_example("Fitting the scaler on all the data before splitting.")  # no example marker
    assert not F.bare_example("For example,")
    assert not F.bare_example("I like fitting the scaler on all the data.")  # "like" as a verb, not opening


@pytest.mark.parametrize("sentence", [
    "A common mistake is to read a 95% confidence interval as a 95% chance that the true value is inside.",
    "It's tempting to stop the test as soon as the p-value dips under 0.05.",
    "People often think the p-value is the probability that the null is true.",
    "The classic trap is to track fifty metrics and ship if any of them turns green.",
    "That the bootstrap creates new data is a myth.",
    "Don't misread a non-significant result as proof of no effect.",
])
def test_a_claim_reported_as_a_mistake_is_not_made(sentence: str) -> None:
    assert F.reported_as_mistake(sentence)


@pytest.mark.parametrize("sentence", [
    "The p-value is the probability that the null hypothesis is true.",
    "My mistake was skipping the regression tests.",  # a story of one's own mistake makes its claims
    "The biggest mistake I made was trusting the dashboard.",
    "I made a big mistake there.",
    "A type I error is a false positive.",
])
def test_a_plain_claim_or_a_told_mistake_is_not_a_report(sentence: str) -> None:
    assert not F.reported_as_mistake(sentence)


@pytest.mark.parametrize("unit", [
    "Finally, don't bother scaling features for random forests",
    "And do not fit the imputer on the whole dataset",
    "never shuffle a time series before splitting it",
    "Also, avoid computing target means on the validation rows",
    "there's no need to impute every column",
    "So don’t trust a single offline metric",  # curly apostrophe
    "2. Don't scale the trees",  # a numbered note
    "Don't drop rows with gaps, because the gaps themselves carry signal",  # a reason belongs to the command
    "Don't impute on the full data, and never fit the scaler before the split",  # two commands
])
def test_a_prohibition_forbids_what_it_names(unit: str) -> None:
    assert F.prohibits(unit)


@pytest.mark.parametrize("unit", [
    "Random forests don't need scaling",  # a negated statement, not a command: polarity_conflict reads it
    "I never had a problem with mean imputation",
    "You should scale every feature",
    "stop training when the validation loss rises",  # early stopping is a practice, not a prohibition
    "Don't forget to scale features for random forests",  # forbids leaving it out: asserts it
    "Never forget that trees need scaling",
    "Do not skip scaling for random forests",
    "Don't use accuracy here, and remember that tree models need scaling too",  # a new main clause asserts
    "",
])
def test_statements_and_practices_are_not_prohibitions(unit: str) -> None:
    assert not F.prohibits(unit)
