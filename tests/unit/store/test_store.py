"""The session store with real SQLite: answers committed before grading, resume data, bad files refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from interviewer.errors import InputError, InterviewerError
from interviewer.store import Store
from interviewer.store.schema import SCHEMA_VERSION
from interviewer.store.sqlite import MAX_ID, IdOutOfRange


def test_a_session_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "data" / "interviewer.db"
    with Store(path) as store:
        sid = store.start_session("typed", "practical-ml", [("q01", "First?"), ("q02", "Second?")], timed=True)
        first = store.save_answer(sid, 1, "an answer <b>with markup</b>", seconds=42.5)
        store.save_grade(first, {"score": 6.5, "concepts": []})
        follow = store.save_follow_up(first, "scaling", "Why scale?", "because distances")
        store.save_follow_up_grade(follow, {"score": 4.0})
    with Store(path) as store:  # reopened: everything was committed
        assert store.schema_version == SCHEMA_VERSION
        assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        session = store.session(sid)
        assert session.timed and session.finished_at is None and session.mean_score == 6.5
        assert [q.rubric_id for q in session.remaining] == ["q02"]
        answer = session.questions[0].answer
        assert answer is not None and answer.text == "an answer <b>with markup</b>" and answer.seconds == 42.5
        assert answer.follow_ups[0].text == "because distances" and answer.follow_ups[0].score == 4.0
        assert [s.id for s in store.unfinished()] == [sid]
        store.finish_session(sid)
        assert store.unfinished() == [] and store.sessions()[0].answered == 1


def test_the_latest_answer_counts_and_ungraded_ones_are_kept(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        sid = store.start_session("voice", "bank", [("q03", "Third?")])
        old = store.save_answer(sid, 1, "first try", mode="voice", audio_path=tmp_path / "a.wav",
                                transcript={"text": "first try"}, delivery={"wpm": 140})
        store.save_grade(old, {"score": 2.0})
        store.save_answer(sid, 1, "second try", mode="voice")  # saved, then the process died while grading
        session = store.session(sid)
        assert [a.text for a in session.questions[0].answers] == ["first try", "second try"]
        assert session.questions[0].answer is not None and session.questions[0].answer.text == "second try"
        assert [a.text for a in session.ungraded] == ["second try"] and session.mean_score is None
        assert session.questions[0].answers[0].delivery == {"wpm": 140}


def test_unknown_session_and_question_are_one_line(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(InputError, match="no session 7 in .*history"):
            store.session(7)
        sid = store.start_session("typed", "bank", [("q01", "Q?")])
        with pytest.raises(InputError, match=f"session {sid} has no question 5"):
            store.save_answer(sid, 5, "text")


def test_corrupt_and_foreign_files_are_refused_and_left_untouched(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not sqlite at all " * 500)
    with pytest.raises(InterviewerError, match="corrupt.db: not a readable interviewer database.*left untouched"):
        Store(corrupt)
    assert corrupt.read_bytes() == b"not sqlite at all " * 500
    foreign = tmp_path / "foreign.db"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE notes (x)")
    connection.commit()
    connection.close()
    before = foreign.read_bytes()
    with pytest.raises(InterviewerError, match="another program's database"):
        Store(foreign)
    assert foreign.read_bytes() == before


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(InterviewerError, match="newer version of interviewer"):
        Store(path)


def test_a_failed_write_rolls_back_and_the_next_one_works(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        sid = store.start_session("typed", "bank", [("q01", "Q?")])
        with pytest.raises(InputError):
            store.save_answer(sid, 9, "no such question")  # fails inside the transaction
        assert not store._db.in_transaction
        store.save_answer(sid, 1, "kept")
        assert store.session(sid).questions[0].answer is not None


def test_two_threads_writing_through_one_store_do_not_interleave_transactions(tmp_path: Path) -> None:
    import threading

    with Store(tmp_path / "s.db") as store:
        sid = store.start_session("typed", "bank", [(f"q{n:02d}", "Q?") for n in range(1, 201)])
        errors: list[BaseException] = []

        def write(numbers: range) -> None:
            try:
                for n in numbers:
                    store.save_grade(store.save_answer(sid, n, f"answer {n}"), {"score": float(n % 10)})
                    store.sessions()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        worker = threading.Thread(target=write, args=(range(101, 201),))
        worker.start()
        write(range(1, 101))
        worker.join()
        assert errors == []
        session = store.session(sid)
        assert session.remaining == () and session.ungraded == ()


def test_an_empty_session_can_be_discarded_an_answered_one_cannot(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        empty = store.start_session("typed", "bank", [("q01", "Q?")])
        kept = store.start_session("typed", "bank", [("q01", "Q?"), ("q02", "R?")])
        store.save_answer(kept, 2, "something")
        assert store.discard_if_empty(empty) and not store.discard_if_empty(kept)
        assert [s.id for s in store.sessions()] == [kept]
        assert store._db.execute("SELECT count(*) FROM questions").fetchone()[0] == 2


def test_ids_beyond_sqlite_integers_are_refused_by_the_store_itself(tmp_path: Path) -> None:
    """The command line refuses such numbers first; the store checks again, with its own one-line error
    (sqlite3 would raise OverflowError: "Python int too large to convert to SQLite INTEGER")."""
    with Store(tmp_path / "s.db") as store:
        sid = store.start_session("typed", "bank", [("q01", "Q?")])
        calls = {"session": lambda: store.session(MAX_ID + 1), "question": lambda: store.save_answer(sid, 2**64, "x"),
                 "answer": lambda: store.save_grade(10**20, {"score": 1.0}),
                 "follow-up": lambda: store.save_follow_up_grade(-1, {"score": 1.0}),
                 "session ": lambda: store.finish_session(0)}
        for what, call in calls.items():
            with pytest.raises(IdOutOfRange, match=f"^{what.strip()} -?[0-9]+: out of range .* to {MAX_ID}"):
                call()
        assert issubclass(IdOutOfRange, InputError)  # exit 2 from the command line, like an unknown id
        assert store.session(sid).questions[0].answers == () and store.unfinished()[0].id == sid  # nothing written
