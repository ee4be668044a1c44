"""Loading the grader in a background thread, so a question can be on screen while the model loads."""

from __future__ import annotations

import threading
from collections.abc import Callable

from interviewer.scoring.grader import Grader


class BackgroundGrader:
    """Builds the grader in a thread; ``get()`` waits for it and re-raises a load failure."""

    def __init__(self, factory: Callable[[], Grader]) -> None:
        self._grader: Grader | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(factory,), daemon=True, name="load-grader")
        self._thread.start()

    def _run(self, factory: Callable[[], Grader]) -> None:
        try:
            self._grader = factory()
        except BaseException as exc:  # re-raised in the caller's thread by get()
            self._error = exc

    def ready(self) -> bool:
        return not self._thread.is_alive()

    def get(self) -> Grader:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._grader is not None
        return self._grader
