"""The session store: every question asked and every answer given, in SQLite.

An answer is committed the moment it is submitted, before it is graded, and its grade is added when it
arrives; a process killed at any point (even ``kill -9``) loses no submitted answer. The database uses
WAL journaling with full sync, one short transaction per write. An unfinished session (questions left
unanswered) can be resumed. A file that is not our database, is corrupted or is locked by another
program is never overwritten: the error names the file and what to do.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from interviewer.errors import InputError, InterviewerError
from interviewer.outfile import disk_full
from interviewer.scoring.result import Grade
from interviewer.store.records import (AnsweredQuestion, AnswerRecord, FollowUpRecord, QuestionRecord, SessionRecord,
                                       SessionSummary, grade_problem)
from interviewer.store.schema import MIGRATIONS, SCHEMA_VERSION
from interviewer.store.sqlite import check_id, read_header, statements, use_wal

APPLICATION_ID = 0x496E7476  # "Intv": marks the file as ours (PRAGMA application_id)
BUSY_TIMEOUT_SECONDS = 5.0  # wait this long for another writer before saying the database is locked
MODES = ("typed", "voice")
LOW_SPACE_BYTES = 1024 * 1024  # less free space than this after an I/O error: the disk is full
DISK_FULL = "the disk is full; free some space, or set INTERVIEWER_DATABASE to a file on another disk"


class DiskFullError(InterviewerError):
    """The database cannot be written because the disk is full."""


def now() -> str:
    """The local time with its UTC offset, to the second: how every timestamp is stored."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    return json.dumps(value, ensure_ascii=False)


def _unjson(text: str | None) -> Any:
    """A stored JSON value; broken JSON (a damaged or hand-edited row) raises ValueError, never anything else."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


class Store:
    """One SQLite database file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Open (creating and migrating it if need be) the database at ``path``. With ``read_only`` (history,
        reports), a full disk does not stop reading: the database is opened without the shared-memory file
        SQLite would have to create, nothing is written, and ``notes`` says so."""
        self.path = Path(path)
        self._lock = threading.RLock()
        self.read_only = False
        """True when opened for reading only because the disk is full."""
        self.notes: list[str] = []
        """What could not be read as stored (broken JSON) or done (a full disk), each said once; not fatal."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if disk_full(exc):
                raise DiskFullError(f"{self.path.parent}: cannot create the data folder: {DISK_FULL}") from None
            raise InterviewerError(f"{self.path.parent}: cannot create the data folder ({exc.strerror}); "
                                   "set INTERVIEWER_DATABASE to a writable file") from None
        try:
            self._open(self._check_and_migrate)
        except DiskFullError:
            if not read_only or not self.path.is_file():
                raise
            self._open(self._check_for_reading)
            self.read_only = True
            self._note(f"{self.path}: {DISK_FULL}; reading only, and nothing can be saved until there is space")

    def _open(self, check: Callable[[], None]) -> None:
        with self._guard():
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                       check_same_thread=False)
        try:
            with self._guard():
                check()
        except BaseException:
            self._db.close()
            raise

    # -- plumbing ---------------------------------------------------------------------------------------
    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Hold the connection (one thread at a time: the app reads from workers and writes from its UI
        thread) and turn SQLite errors into one line that names the file and says what to do."""
        try:
            with self._lock:
                yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise InterviewerError(f"{self.path}: the database is locked by another program (another "
                                       "interviewer running?); close it and try again") from None
            if "full" in text or ("disk I/O error" in text and _no_space(self.path)):
                raise DiskFullError(f"{self.path}: {DISK_FULL} ({text})") from None
            if "unable to open" in text or "readonly" in text:
                raise InterviewerError(f"{self.path}: cannot open the database for writing ({text}); "
                                       "set INTERVIEWER_DATABASE to a writable file") from None
            raise InterviewerError(f"{self.path}: database error: {text}") from None
        except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
            raise InterviewerError(f"{self.path}: not a readable interviewer database ({exc}); it was left "
                                   "untouched: move it aside to start a new one, or set INTERVIEWER_DATABASE") from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # also when COMMIT itself failed: never leave one open
                    self._db.execute("ROLLBACK")
                raise

    def _check_and_migrate(self) -> None:
        db = self._db
        db.execute("PRAGMA foreign_keys = ON")
        version = self._checked_version()
        use_wal(db, BUSY_TIMEOUT_SECONDS)
        db.execute("PRAGMA synchronous = FULL")  # a committed answer survives a crash, even of the machine
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction():  # one migration, all or nothing, under the write lock (BEGIN IMMEDIATE)
                if self._checked_version() >= number:
                    continue  # another process opening the same new database at the same moment got here first
                for statement in statements(MIGRATIONS[number - 1]):
                    db.execute(statement)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {number}")

    def _checked_version(self) -> int:
        """The schema version of the open file; another program's database, or a newer one, is refused."""
        app_id, version, tables = read_header(self._db)
        if app_id != APPLICATION_ID and (tables or version):
            raise InterviewerError(f"{self.path}: this file is another program's database; it was left untouched. "
                                   "Set INTERVIEWER_DATABASE to another file")
        if version > SCHEMA_VERSION:
            raise InterviewerError(f"{self.path}: made by a newer version of interviewer (schema {version}, this "
                                   f"one knows {SCHEMA_VERSION}); upgrade interviewer to open it")
        return version

    def _check_for_reading(self) -> None:
        """Open for reading only, on a full disk: exclusive locking keeps SQLite's WAL index in memory instead
        of the ``-shm`` file it cannot create; nothing is migrated or written."""
        db = self._db
        db.execute("PRAGMA locking_mode = EXCLUSIVE")
        db.execute("PRAGMA query_only = ON")
        app_id, version, _ = read_header(db)
        if app_id != APPLICATION_ID:
            raise DiskFullError(f"{self.path}: {DISK_FULL}, and this is not an interviewer database yet")
        if version != SCHEMA_VERSION:
            raise DiskFullError(f"{self.path}: {DISK_FULL}, and the database needs an upgrade (schema {version}, "
                                f"this interviewer uses {SCHEMA_VERSION}) that cannot be written")

    @property
    def schema_version(self) -> int:
        with self._guard():
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------------------
    def start_session(self, mode: str, bank: str, questions: Sequence[tuple[str, str]], *, timed: bool = False,
                      settings: dict[str, Any] | None = None) -> int:
        """A new session asking ``questions`` ((rubric id, question text) pairs) in order; returns its id."""
        if mode not in MODES:
            raise InputError(f"mode: expected {' or '.join(MODES)}, got {mode!r}")
        with self._transaction() as db:
            cursor = db.execute("INSERT INTO sessions (started_at, mode, bank, timed, settings) VALUES (?, ?, ?, ?, ?)",
                                (now(), mode, bank, int(timed), json.dumps(settings or {})))
            session_id = int(cursor.lastrowid or 0)
            db.executemany("INSERT INTO questions (session_id, position, rubric_id, question) VALUES (?, ?, ?, ?)",
                           [(session_id, n, rid, text) for n, (rid, text) in enumerate(questions, start=1)])
        return session_id

    def discard_if_empty(self, session_id: int) -> bool:
        """Delete the session if no question of it has an answer (a round left before the first answer), so
        it does not linger in history as unfinished. True if it was deleted."""
        check_id(session_id, "session")
        with self._transaction() as db:
            answered = db.execute("SELECT count(*) FROM answers a JOIN questions q ON q.id = a.question_id"
                                  " WHERE q.session_id = ?", (session_id,)).fetchone()[0]
            if answered:
                return False
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))  # its questions go with it
        return True

    def save_answer(self, session_id: int, position: int, text: str, *, mode: str = "typed",
                    audio_path: str | Path | None = None, transcript: Any = None, delivery: Any = None,
                    started_at: str | None = None, seconds: float | None = None, bank: str | None = None) -> int:
        """Commit a submitted answer (before grading) and return its id, with the name of its question's
        ``bank``. A new answer to the same question is kept alongside the earlier ones; the latest counts."""
        check_id(session_id, "session")
        check_id(position, "question")
        with self._transaction() as db:
            row = db.execute("SELECT id FROM questions WHERE session_id = ? AND position = ?",
                             (session_id, position)).fetchone()
            if row is None:
                raise InputError(f"session {session_id} has no question {position}")
            cursor = db.execute(
                "INSERT INTO answers (question_id, text, mode, audio_path, transcript, delivery, started_at,"
                " submitted_at, seconds, bank) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row[0], text, mode, None if audio_path is None else str(audio_path), _json(transcript),
                 _json(delivery), started_at, now(), seconds, bank))
        return int(cursor.lastrowid or 0)

    def save_grade(self, answer_id: int, grade: Any) -> None:
        """Attach a grade (a ``Grade`` or its dict) to a saved answer."""
        self._attach_grade("answers", answer_id, grade)

    def _attach_grade(self, table: str, row_id: int, grade: Any) -> None:
        """Store ``grade`` (a ``Grade`` or its dict), its score and the time on row ``row_id`` of ``table``."""
        check_id(row_id, table[:-1].replace("_", "-"))  # "answer", "follow-up"
        data = grade.to_dict() if hasattr(grade, "to_dict") else dict(grade)
        with self._transaction() as db:
            db.execute(f"UPDATE {table} SET grade = ?, score = ?, graded_at = ? WHERE id = ?",
                       (_json(data), data.get("score"), now(), row_id))

    def save_follow_up(self, answer_id: int, concept_id: str, question: str, text: str) -> int:
        """Commit the answer to a follow-up question (about ``concept_id``) asked after answer ``answer_id``."""
        check_id(answer_id, "answer")
        with self._transaction() as db:
            cursor = db.execute("INSERT INTO follow_ups (answer_id, concept_id, question, text, submitted_at)"
                                " VALUES (?, ?, ?, ?, ?)", (answer_id, concept_id, question, text, now()))
        return int(cursor.lastrowid or 0)

    def save_follow_up_grade(self, follow_up_id: int, grade: Any) -> None:
        self._attach_grade("follow_ups", follow_up_id, grade)

    def finish_session(self, session_id: int) -> None:
        check_id(session_id, "session")
        with self._transaction() as db:
            db.execute("UPDATE sessions SET finished_at = coalesce(finished_at, ?) WHERE id = ?", (now(), session_id))

    # -- reading ----------------------------------------------------------------------------------------
    def _value(self, text: str | None, where: str, field: str) -> Any:
        """A stored JSON column; broken JSON is None, with a note naming the row and field."""
        try:
            return _unjson(text)
        except ValueError as exc:
            self._note(f"{self.path}: {where}: field '{field}' is not readable JSON ({exc}); left out")
            return None

    def _grade(self, text: str | None, score: float | None, where: str,
               session_id: int) -> tuple[Grade | None, float | None]:
        """(grade, score) of a row, the grade typed (``Grade.from_dict``); a broken grade is (None, None):
        shown as not graded, and ``interviewer resume`` grades the answer again."""
        grade = None
        try:
            data = _unjson(text)
        except ValueError as exc:
            problem: str | None = f"not readable JSON ({exc})"
        else:
            problem = None if data is None else grade_problem(data)
            if data is not None and problem is None:
                try:
                    grade = Grade.from_dict(data)
                except (ValueError, TypeError, RecursionError) as exc:  # a field of the wrong shape
                    problem = str(exc) if isinstance(exc, ValueError) else f"unexpected fields ({exc})"
        if problem is None:
            return grade, score
        self._note(f"{self.path}: {where}: the stored grade is broken ({problem}); shown as not graded, "
                   f"`interviewer resume {session_id}` grades it again")
        return None, None

    def _note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def session(self, session_id: int) -> SessionRecord:
        """The whole session, or a one-line error naming the unknown (or impossible) id."""
        check_id(session_id, "session")
        with self._guard():
            row = self._db.execute("SELECT id, started_at, finished_at, mode, bank, timed, settings FROM sessions"
                                   " WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise InputError(f"no session {session_id} in {self.path}; `interviewer history` lists them")
            follow_ups: dict[int, list[FollowUpRecord]] = {}
            for f in self._db.execute(
                    "SELECT f.answer_id, f.id, f.concept_id, f.question, f.text, f.submitted_at, f.grade, f.score,"
                    " q.position FROM follow_ups f JOIN answers a ON a.id = f.answer_id"
                    " JOIN questions q ON q.id = a.question_id WHERE q.session_id = ? ORDER BY f.id", (session_id,)):
                grade, score = self._grade(f[6], f[7], f"session {session_id} question {f[8]} follow-up {f[1]}",
                                           session_id)
                follow_ups.setdefault(f[0], []).append(FollowUpRecord(f[1], f[2], f[3], f[4], f[5], grade, score))
            answers: dict[int, list[AnswerRecord]] = {}
            for a in self._db.execute(
                    "SELECT a.question_id, a.id, a.text, a.mode, a.audio_path, a.transcript, a.delivery, a.started_at,"
                    " a.submitted_at, a.seconds, a.grade, a.score, a.graded_at, q.position, a.bank FROM answers a"
                    " JOIN questions q ON q.id = a.question_id WHERE q.session_id = ? ORDER BY a.id", (session_id,)):
                where = f"session {session_id} question {a[13]} answer {a[1]}"
                grade, score = self._grade(a[10], a[11], where, session_id)
                transcript, delivery = self._value(a[5], where, "transcript"), self._value(a[6], where, "delivery")
                answers.setdefault(a[0], []).append(AnswerRecord(
                    a[1], a[2], a[3], a[4], transcript if isinstance(transcript, dict) else None,
                    delivery if isinstance(delivery, dict) else None, a[7], a[8], a[9], grade, score,
                    a[12] if grade is not None else None, tuple(follow_ups.get(a[1], ())), a[14]))
            questions = tuple(
                QuestionRecord(q[0], q[1], q[2], q[3], tuple(answers.get(q[0], ())))
                for q in self._db.execute("SELECT id, position, rubric_id, question FROM questions"
                                          " WHERE session_id = ? ORDER BY position", (session_id,)))
        settings = self._value(row[6], f"session {session_id}", "settings")
        return SessionRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]),
                             settings if isinstance(settings, dict) else {}, questions)

    def sessions(self, limit: int | None = None) -> list[SessionSummary]:
        """Sessions, newest first, with how many questions were asked and answered and the mean score."""
        query = """
            SELECT s.id, s.started_at, s.finished_at, s.mode, s.bank,
                   (SELECT count(*) FROM questions q WHERE q.session_id = s.id),
                   (SELECT count(DISTINCT a.question_id) FROM answers a JOIN questions q ON q.id = a.question_id
                     WHERE q.session_id = s.id),
                   (SELECT avg(a.score) FROM answers a JOIN questions q ON q.id = a.question_id
                     WHERE q.session_id = s.id AND a.id = (SELECT max(b.id) FROM answers b WHERE b.question_id = q.id))
            FROM sessions s ORDER BY s.id DESC"""
        with self._guard():
            rows = self._db.execute(query + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        return [SessionSummary(r[0], r[1], r[2], r[3], r[4], r[5], r[6], None if r[7] is None else round(r[7], 1))
                for r in rows]

    def answered_questions(self) -> list[AnsweredQuestion]:
        """Every answered question's latest answer, oldest session first (for history and drills)."""
        query = """
            SELECT s.id, s.started_at, q.position, q.rubric_id, q.question, a.id, a.submitted_at, a.score, a.grade,
                   a.bank, (SELECT group_concat(f.concept_id, char(31)) FROM follow_ups f WHERE f.answer_id = a.id
                   AND CASE WHEN json_valid(f.grade) THEN json_extract(f.grade, '$.concepts[0].status') END = 'covered')
            FROM answers a JOIN questions q ON q.id = a.question_id JOIN sessions s ON s.id = q.session_id
            WHERE a.id = (SELECT max(b.id) FROM answers b WHERE b.question_id = q.id)
            ORDER BY s.id, q.position"""
        with self._guard():
            rows = self._db.execute(query).fetchall()
        answered = []
        for r in rows:
            grade, score = self._grade(r[8], r[7], f"session {r[0]} question {r[2]} answer {r[5]}", r[0])
            answered.append(AnsweredQuestion(r[0], r[1], r[2], r[3], r[4], r[5], r[6], score, grade, r[9],
                                             tuple(r[10].split("\x1f")) if r[10] else ()))
        return answered

    def latest_session_id(self) -> int | None:
        with self._guard():
            row = self._db.execute("SELECT max(id) FROM sessions").fetchone()
        return None if row[0] is None else int(row[0])

    def unfinished(self) -> list[SessionSummary]:
        """Sessions not finished, newest first: what ``interviewer resume`` offers."""
        return [s for s in self.sessions() if s.finished_at is None]


def _no_space(path: Path) -> bool:
    """True if the disk holding ``path`` has (almost) no space left: SQLite says only "disk I/O error"."""
    try:
        info = os.statvfs(path.parent)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < LOW_SPACE_BYTES


def open_store(path: Path | None = None, *, read_only: bool = False) -> Store:
    """The user's store: ``path``, else the configured database (see ``Settings.database``). ``read_only``: the
    caller only reads, so a full disk is a note, not an error (see ``Store``)."""
    if path is None:
        from interviewer.config import load_settings

        path = load_settings().database_path()
    return Store(path, read_only=read_only)
