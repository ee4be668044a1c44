"""The database schema, as numbered migrations.

``PRAGMA user_version`` records how many migrations a database has had. Opening a database applies the
missing ones in order, each in one transaction, so a database is always at some exact version. A
database from a newer version of the program is refused rather than guessed at.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: sessions, the questions planned for each, answers (typed or spoken) and follow-ups
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        mode TEXT NOT NULL,
        bank TEXT NOT NULL,
        timed INTEGER NOT NULL DEFAULT 0,
        settings TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        rubric_id TEXT NOT NULL,
        question TEXT NOT NULL,
        UNIQUE (session_id, position)
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        mode TEXT NOT NULL,
        audio_path TEXT,
        transcript TEXT,
        delivery TEXT,
        started_at TEXT,
        submitted_at TEXT NOT NULL,
        seconds REAL,
        grade TEXT,
        score REAL,
        graded_at TEXT
    );
    CREATE INDEX answers_by_question ON answers(question_id);
    CREATE TABLE follow_ups (
        id INTEGER PRIMARY KEY,
        answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
        concept_id TEXT NOT NULL,
        question TEXT NOT NULL,
        text TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        grade TEXT,
        score REAL,
        graded_at TEXT
    );
    CREATE INDEX follow_ups_by_answer ON follow_ups(answer_id);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
