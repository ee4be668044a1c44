"""``outfile.free_path``: the name the app's export offers is never one that already exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.outfile import free_path


def test_free_path_keeps_a_free_name_and_numbers_a_taken_one(tmp_path: Path) -> None:
    report = tmp_path / "interviewer-session-5.html"
    assert free_path(report) == report
    report.write_text("first export")
    assert free_path(report) == tmp_path / "interviewer-session-5-2.html"
    (tmp_path / "interviewer-session-5-2.html").write_text("second export")
    (tmp_path / "interviewer-session-5-3.html").symlink_to(tmp_path / "gone.html")  # a dangling link is taken too
    assert free_path(report) == tmp_path / "interviewer-session-5-4.html"


def test_a_cache_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    from interviewer.outfile import save_cache_file

    target = tmp_path / "cache" / "vectors.npz"
    seen: list[Path] = []

    def write(temp: Path) -> None:
        seen.append(temp)
        assert not target.exists() and temp.parent == target.parent and temp.suffix == ".npz"
        temp.write_bytes(b"new")

    assert save_cache_file(target, write) and target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["vectors.npz"]

    def fail_midway(temp: Path) -> None:
        temp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    assert not save_cache_file(target, fail_midway)
    assert target.read_bytes() == b"new"  # the old file is kept, and no temporary file is left
    assert sorted(p.name for p in target.parent.iterdir()) == ["vectors.npz"]

    def interrupted(temp: Path) -> None:
        temp.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # not swallowed: only a disk problem is "no cache"
        save_cache_file(target, interrupted)
    assert sorted(p.name for p in target.parent.iterdir()) == ["vectors.npz"]


def test_an_unwritable_cache_folder_is_no_error(tmp_path: Path) -> None:
    from interviewer.outfile import save_cache_file

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    assert not save_cache_file(blocker / "cache" / "lexicon.marshal", lambda temp: temp.write_bytes(b"x"))
