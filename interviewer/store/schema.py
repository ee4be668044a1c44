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
    # 2: the name of the bank each answer's question came from ("practical-ml", "statistics", a user's bank), so
    # history, drills and reports look a question up by (bank, rubric id): ids repeat across banks. Answers
    # from before are given their session's bank: "bundled" was the practical-ML bank; a folder gives its
    # last part, lower-cased (what a bank without a bank.yaml is called).
    """
    ALTER TABLE answers ADD COLUMN bank TEXT;
    UPDATE answers SET bank = (
        SELECT CASE WHEN s.bank = 'bundled' THEN 'practical-ml'
                    ELSE lower(replace(rtrim(s.bank, '/'), rtrim(rtrim(s.bank, '/'), replace(rtrim(s.bank, '/'), '/', '')), ''))
               END
        FROM questions q JOIN sessions s ON s.id = q.session_id WHERE q.id = answers.question_id)
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
