"""What the store needs to know about SQLite itself: the range of its integers, and opening one new database
from several processes at the same moment.

**Ids.** SQLite keeps integers in 64 bits, and ``sqlite3`` cannot even bind a larger Python int to a query
(``OverflowError: Python int too large to convert to SQLite INTEGER``). Our row ids start at 1. The command
line checks every number argument against ``MAX_ID`` (``cli.common.positive_int``); the store checks the ids
it is given again (``check_id``), so a caller that skipped the first check gets one line, not a traceback.

**A new database opened at once by several processes** (two terminals started together; the app and a
``history``): each reads the header in one snapshot (``read_header``), switches to WAL with retries
(``use_wal``: SQLite refuses that switch at once, without waiting, while another connection holds a lock), and
applies a migration only after re-reading the version under the write lock (``db.Store``).
"""

from __future__ import annotations

import sqlite3
import time

from interviewer.errors import InputError

MAX_ID = 2**63 - 1  # SQLite's largest INTEGER: no row id, question position or count can be larger
WAL_RETRY_SECONDS = 0.01  # between attempts to switch a database that another process holds to WAL
HEADER = ("SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version),"
          " (SELECT count(*) FROM sqlite_master)")


class IdOutOfRange(InputError):
    """A session, question, answer or follow-up number outside 1 to ``MAX_ID``: no such row can exist."""


def check_id(value: int, what: str) -> int:
    """``value``, if it can be the number of a ``what`` (``"session"``, ``"answer"``…); else ``IdOutOfRange``."""
    if isinstance(value, int) and not 1 <= value <= MAX_ID:
        raise IdOutOfRange(f"{what} {value}: out of range ({what} numbers run from 1 to {MAX_ID})")
    return value


def read_header(db: sqlite3.Connection) -> tuple[int, int, int]:
    """(application id, schema version, number of schema objects), read in one statement and so one snapshot:
    another process may be creating the database meanwhile. Reading the schema fails if the file is corrupt."""
    app_id, version, objects = db.execute(HEADER).fetchone()
    return int(app_id), int(version), int(objects)


def use_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Switch the database to WAL journaling (a no-op once it is). While another connection holds a lock on a
    database not yet in WAL (a new one being created), SQLite answers "database is locked" at once, without its
    busy timeout: try again for up to ``timeout`` seconds, then let the "locked" error through."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(WAL_RETRY_SECONDS)


def statements(script: str) -> list[str]:
    """Split a migration into statements (ours contain no semicolons inside literals or triggers)."""
    return [s.strip() for s in script.split(";") if s.strip()]
