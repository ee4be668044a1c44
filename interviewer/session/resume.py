"""Carrying on an unfinished session: which session, and with which bank.

The app and the plain round (``interviewer.cli.practice.resume_plain``) both use these; ``Interview.resume``
rebuilds the round. Answers saved but never graded (the process died while grading) are graded first; then
the questions not yet answered are asked.
"""

from __future__ import annotations

from pathlib import Path

from interviewer.errors import InputError, InterviewerError
from interviewer.rubrics.loader import Bank, load_bank
from interviewer.session.round import bank_folder
from interviewer.store import SessionRecord, Store


class NothingToResume(InterviewerError):
    """There is no unfinished session (or the one named is finished): not a failure, but nothing was done."""


def resumable_session(store: Store, session_id: int | None = None) -> SessionRecord:
    """The session to resume: ``session_id`` (an unknown or finished one is a one-line error), else the
    newest unfinished session."""
    if session_id is None:
        unfinished = store.unfinished()
        if not unfinished:
            raise NothingToResume(f"nothing to resume: no unfinished session in {store.path}; "
                                  "`interviewer practice` starts a new one")
        session_id = unfinished[0].id
    record = store.session(session_id)  # an unknown id is an InputError naming it
    if record.finished_at is not None and not record.remaining and not record.ungraded:
        raise NothingToResume(f"nothing to resume: session {record.id} is finished; "
                              f"`interviewer report {record.id}` shows it")
    return record


def session_bank(record: SessionRecord, bank_dir: Path | None = None) -> Bank:
    """The bank the session was asked from (``bank_dir`` overrides it)."""
    if bank_dir is None:
        bank_dir = bank_folder(record.bank)
    if not bank_dir.exists():
        raise InputError(f"session {record.id} was asked from the bank {bank_dir}, which is not there; "
                         "pass the bank with --bank")
    return load_bank(bank_dir)
