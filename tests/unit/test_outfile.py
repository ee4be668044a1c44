"""``outfile.free_path``: the name the app's export offers is never one that already exists."""

from __future__ import annotations

from pathlib import Path

from interviewer.outfile import free_path


def test_free_path_keeps_a_free_name_and_numbers_a_taken_one(tmp_path: Path) -> None:
    report = tmp_path / "interviewer-session-5.html"
    assert free_path(report) == report
    report.write_text("first export")
    assert free_path(report) == tmp_path / "interviewer-session-5-2.html"
    (tmp_path / "interviewer-session-5-2.html").write_text("second export")
    (tmp_path / "interviewer-session-5-3.html").symlink_to(tmp_path / "gone.html")  # a dangling link is taken too
    assert free_path(report) == tmp_path / "interviewer-session-5-4.html"
