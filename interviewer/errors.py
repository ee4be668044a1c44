"""Errors a user can act on.

Every error the CLI shows is one of these: a one-line message naming the file and field at fault,
and an exit code. Anything else reaching the top level is a bug.
"""

from __future__ import annotations

EXIT_RUNTIME = 1  # something failed while working (a model that would not load, a failed batch line)
EXIT_USAGE = 2  # bad input: unknown id, malformed rubric, unreadable file


class InterviewerError(Exception):
    """An error with a message meant for the user, and the exit code the CLI should return."""

    exit_code = EXIT_RUNTIME

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0])


class InputError(InterviewerError):
    """The user gave us something we cannot use (a file, an id, an answer)."""

    exit_code = EXIT_USAGE


class RubricError(InputError):
    """A rubric file is malformed: the message names the file, the field and what was expected (the first
    problem, and how many more); ``problems`` has each problem's own line (``rubric check`` prints them all)."""

    def __init__(self, message: str, *, exit_code: int | None = None, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message, exit_code=exit_code)
        self.problems = problems or (message,)


class UnknownRubricError(InputError):
    """No rubric with that id in the bank: the message lists the closest ids."""


class ModelNotAvailableError(InterviewerError):
    """A model could not be loaded offline: the message says what to install or configure."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (libraries' messages run to pages), or its type's name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
