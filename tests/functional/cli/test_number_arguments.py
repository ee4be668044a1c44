"""Number arguments (a session number, ``history --limit``) are whole numbers SQLite can hold: anything else is a
usage error (one ``error:`` line, exit 2), never an OverflowError traceback from the database."""

from __future__ import annotations

import pytest

from interviewer import cli


@pytest.mark.parametrize("argv", [["report", "99999999999999999999"], ["resume", "9223372036854775808", "--plain"],
                                  ["report", "0"], ["resume", "-3"], ["report", "abc"], ["report", "1" * 5000],
                                  ["history", "--limit", "99999999999999999999"]])
def test_number_arguments_are_whole_numbers_sqlite_can_hold(argv: list[str],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.splitlines()[-1].startswith(f"interviewer {argv[0]}: error: argument ")
    assert "expected a positive whole number" in err and "Traceback" not in err
    number = argv[2] if argv[0] == "history" else argv[1]
    too_large = number.isdigit() and (len(number) > 19 or int(number) > 2**63 - 1)
    assert (f"(the largest is {2**63 - 1})" in err) == too_large  # not said of 0, -3 or abc
    assert len(err.splitlines()[-1]) < 200  # a 5,000-digit number is not echoed whole


def test_number_arguments_take_the_largest_sqlite_integer_and_a_leading_hash() -> None:
    from interviewer.cli.common import positive_int

    assert positive_int(str(2**63 - 1)) == 2**63 - 1
    assert positive_int("#12") == 12
