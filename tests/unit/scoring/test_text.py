from __future__ import annotations

import pytest

from interviewer.scoring import text as T


def test_sentences_keep_spans_and_skip_abbreviations() -> None:
    source = "Scaling matters, e.g. for KNN. Trees (XGBoost etc.) do not need it! Fit on train only."
    spans = T.sentences(source)
    assert [s.text for s in spans] == [
        "Scaling matters, e.g. for KNN.",
        "Trees (XGBoost etc.) do not need it!",
        "Fit on train only.",
    ]
    for span in spans:
        assert source[span.start : span.end] == span.text


def test_sentences_split_list_items_and_semicolons() -> None:
    source = "Methods:\n- standardization\n- robust scaling; also min-max"
    assert [s.text for s in T.sentences(source)] == ["Methods:", "- standardization", "- robust scaling", "also min-max"]


def test_units_cut_long_sentences_at_clauses() -> None:
    source = (
        "You should fit the scaler on the training data only, because fitting on all the data leaks the test "
        "statistics into training and that gives overly optimistic results."
    )
    units = T.units(source)
    assert len(units) == 2
    assert units[0].text == "You should fit the scaler on the training data only"
    assert units[1].text.startswith("because fitting on all the data")
    for unit in units:
        assert source[unit.start : unit.end] == unit.text


def test_units_window_unpunctuated_run_ons() -> None:
    source = " ".join(["word"] * 100)
    units = T.units(source)
    assert [T.word_count(u.text) for u in units] == [34, 34, 32]  # equal windows of at most 40 words


def test_a_run_on_just_over_the_window_is_cut_in_halves_not_into_a_stray_word() -> None:
    source = " ".join(f"w{i}" for i in range(41))
    assert [T.word_count(u.text) for u in T.units(source)] == [21, 20]


def test_units_of_empty_text() -> None:
    assert T.units("") == []
    assert T.units("   \n ... ") == []


def test_truncate_words() -> None:
    text, cut = T.truncate_words("one two three four", 2)
    assert (text, cut) == ("one two", True)
    assert T.truncate_words("one two", 5) == ("one two", False)


def test_find_cue_matches_lemmas_in_order_skipping_function_words() -> None:
    content = T.content_words(T.words("You should be fitting the scalers on the training data only"))
    assert T.find_cue("fit scaler on training data", content) == (3, 9)
    assert T.find_cue("fitted on the training data", content) is not None
    assert T.find_cue("training fit", content) is None  # order matters
    assert T.find_cue("test data", content) is None


def test_find_cue_allows_small_gaps_only() -> None:
    content = T.content_words(T.words("fit something else entirely different unrelated training"))
    assert T.find_cue("fit training", content) is None
    content = T.content_words(T.words("fit the robust scaler training"))
    assert T.find_cue("fit training", content) is not None


def test_find_cue_keeps_negations() -> None:
    content = T.content_words(T.words("trees need scaling"))
    assert T.find_cue("not need scaling", content) is None


def test_a_short_no_is_its_own_sentence_and_does_not_negate_the_next() -> None:
    source = "Do trees need scaling? No. They split on thresholds. See No. 5 for details."
    assert [s.text for s in T.sentences(source)] == [
        "Do trees need scaling?", "No.", "They split on thresholds.", "See No. 5 for details."]
    flags, _ = T.negation_flags("No. Scale the features for KNN.")
    assert flags["scale"] == {False}


def test_words_are_unicode() -> None:
    assert T.words("naïve Bayes, café, don't") == ["naïve", "Bayes", "café", "don't"]
    assert T.word_count("Переобучение — это плохо") == 3


def test_find_cue_keeps_within_one_clause() -> None:
    text = "A p-value is the probability, assuming the null hypothesis is true, of seeing data this extreme."
    content = T.content_words(T.words(text), T.clause_numbers(text))
    assert T.find_cue("probability the null hypothesis is true", content) is None  # across the parenthetical
    assert T.find_cue("null hypothesis is true", content) is not None
    plain = "It is not the probability that the null hypothesis is true."
    plain_content = T.content_words(T.words(plain), T.clause_numbers(plain))
    assert T.find_cue("probability the null hypothesis is true", plain_content)
    numbers = "Alpha is 0.05 for 10,000 users - mostly."
    assert T.clause_numbers(numbers) == (0, 0, 0, 0, 0, 0, 0, 0, 1)  # "0.05" and "10,000" are no breaks; " - " is


def test_clause_numbers_read_a_full_stop_after_an_abbreviation_by_its_last_characters() -> None:
    """The abbreviation check looks at a few characters before each full stop, not the whole text before it (that
    was quadratic: 9.4 s for a 10,500-word answer)."""
    assert T.clause_numbers("xapprox. y") == (0, 1) and T.clause_numbers("about approx. 5") == (0, 0, 0)
    long_text = "Scaling matters, e.g. for KNN. Trees do not need it. " * 2000
    numbers = T.clause_numbers(long_text)
    assert len(numbers) == len(T.words(long_text)) and numbers[-1] == 2000 * 3 - 1
