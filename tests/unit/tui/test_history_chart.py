"""The app's history chart: bars on one labelled 0-10 axis, grouped by bank when sessions of several banks are
shown, so each bank's trend reads left to right within its own group."""

from __future__ import annotations

from interviewer.session.history import SessionLine
from interviewer.tui.screens.history import score_chart


def _lines(*sessions: tuple[int, float, str]) -> list[SessionLine]:
    return [SessionLine(number, "2026-12-01T10:00", "typed", 3, 3, mean, None, True, bank)
            for number, mean, bank in sessions]


def test_one_bank_is_one_row_of_bars_without_a_bank_line() -> None:
    chart = score_chart(_lines((1, 5.1, "practical-ml"), (2, 8.0, "practical-ml"))).plain.splitlines()
    assert [line[:6] for line in chart[:6]] == ["  10 ┤", "   8 ┤", "   6 ┤", "   4 ┤", "   2 ┤", "   0 └"]
    assert chart[-1].split() == ["1", "2", "session"]
    assert "▌" not in chart[0]


def test_sessions_of_several_banks_are_grouped_by_bank_with_its_name_under_it() -> None:
    chart = score_chart(_lines((7, 5.1, "practical-ml"), (8, 7.2, "statistics"), (9, 6.0, "practical-ml"),
                               (10, 2.0, "behavioural"), (11, 9.5, "statistics"))).plain.splitlines()
    numbers, banks = chart[-2], chart[-1]
    assert numbers.split() == ["7", "9", "8", "11", "10", "session"]  # by bank, oldest first within each
    assert banks.split() == ["practical-ml", "statistics", "behavioural", "bank"]
    for number, bank in (("9", "practical-ml"), ("11", "statistics"), ("10", "behavioural")):
        # a group's last session number sits above its bank's name, before the next bank's name starts
        end = numbers.index(f" {number} ") + len(number) + 1
        assert banks.index(bank) < end <= banks.index(bank) + max(len(bank), 3) + 3
    bar_rows = chart[:5]
    assert all(len(row) == len(bar_rows[0]) for row in bar_rows)  # one axis: every row as wide
    assert chart[5].startswith("   0 └") and len(chart[5].rstrip()) >= len(numbers.rstrip()) - len("  session")


def test_a_long_bank_name_is_cut_with_an_ellipsis() -> None:
    chart = score_chart(_lines((1, 5.0, "my-very-long-coaching-bank-name"), (2, 6.0, "statistics"))).plain
    assert "my-very-lon…" in chart and "my-very-long-coaching" not in chart


def test_bank_names_are_measured_in_cells_and_two_names_cut_alike_stay_apart() -> None:
    from rich.cells import cell_len

    chart = score_chart(_lines((1, 5.0, "統計の質問"), (2, 6.0, "statistics"),
                               (3, 4.0, "coaching-bank-for-alice"), (4, 7.0, "coaching-bank-for-bob")))
    lines = chart.plain.splitlines()
    assert chart.no_wrap  # many banks are cut at the screen's edge, never wrapped into the bars
    assert lines[-1].split()[:2] == ["統計の質問", "statistics"]
    assert lines[-1].count("coaching-ba…") == 2  # two banks, though their names are cut alike
    numbers, names = lines[-2], lines[-1]
    # "statistics" starts in the same cell as its session number's group does
    assert cell_len(names[: names.index("statistics")]) <= cell_len(numbers[: numbers.index(" 2 ")]) + 2
