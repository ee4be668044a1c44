"""Sessions, answers and grades kept in SQLite, so nothing a candidate submits is lost."""

from interviewer.store.db import (AnsweredQuestion, AnswerRecord, FollowUpRecord, QuestionRecord, SessionRecord,
                                  SessionSummary, Store, open_store)

__all__ = ["AnsweredQuestion", "AnswerRecord", "FollowUpRecord", "QuestionRecord", "SessionRecord", "SessionSummary",
           "Store", "open_store"]
