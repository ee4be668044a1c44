"""A practice round as the domain sees it: questions, answers, grades and follow-ups, kept in the store.

The plain terminal round and the Textual app both drive an ``Interview``; neither touches SQLite. Each
answer is committed to the store when it is submitted (``submit``), before it is graded; the grade is
attached when it arrives (``record_grade``). An unfinished session is rebuilt from the store by
``Interview.resume``: answered questions keep their answers (ungraded ones can be graded now), the rest
are asked. No Textual, no torch: grading itself is the caller's (it owns the worker thread).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer import locations
from interviewer.errors import InputError, InterviewerError
from interviewer.rubrics.loader import Bank
from interviewer.rubrics.model import Rubric
from interviewer.scoring.result import Grade
from interviewer.session import advice
from interviewer.store import SessionRecord, Store
from interviewer.store.db import now

DEFAULT_COUNT = 3
BUNDLED_BANK = "bundled"  # how a session records that it was asked from the bank shipped with the program
RESCUE_FILE = "unsaved-answers.jsonl"  # where an answer goes when the database refuses it (locked, disk full)


def choose_questions(bank: Bank, ids: Sequence[str] | None, count: int | None, seed: int | None) -> list[Rubric]:
    """The rubrics to ask: the ids given (in that order), else ``count`` at random from the bank."""
    if ids:
        return [bank[i] for i in ids]
    count = DEFAULT_COUNT if count is None else count
    if count <= 0:
        raise InputError(f"--count: expected a positive number, got {count}")
    pool = list(bank.values())
    return random.Random(seed).sample(pool, min(count, len(pool)))


def fewer_than_asked(count: int | None, chosen: Sequence[Rubric], asked_by: str = "--count") -> str | None:
    """What to tell the user when ``count`` (given by ``asked_by``: the flag, or the app's field) asks for more
    questions than the bank has (None: it does not)."""
    if count is None or count <= len(chosen):
        return None
    return f"{asked_by} {count}: the bank has {len(chosen)} questions; asking all {len(chosen)}"


def bank_name(folder: Path | str | None) -> str:
    """How a session records where its bank is: a bundled bank by its name ("statistics"; None: the default
    bank), any other folder by its absolute path. ``bank_folder`` reads it back."""
    path = locations.bundled_bank_dir() if folder is None else locations.bank_folder(folder)
    try:
        if path.resolve().parent == locations.bundled_banks_dir().resolve():
            return path.name
    except OSError:
        pass
    return str(path) if not path.exists() else str(path.resolve())


def bank_folder(name: str) -> Path:
    """The folder a session's recorded bank stands for (the reverse of ``bank_name``; ``BUNDLED_BANK``, as
    older sessions recorded it, is the default bundled bank)."""
    return locations.bundled_bank_dir() if name == BUNDLED_BANK else locations.bank_folder(name)


def bank_label(recorded: str) -> str:
    """The name of a session's bank, from what the session recorded (see ``bank_name``): its bank.yaml's
    name if the folder is there, else the folder's name."""
    from interviewer.rubrics.loader import derived_bank_name, read_bank_info

    folder = bank_folder(recorded)
    try:
        return read_bank_info(folder).name if folder.is_dir() else derived_bank_name(folder)
    except (InterviewerError, OSError):
        return derived_bank_name(folder)


def follow_up_rubric(rubric: Rubric, concept_id: str) -> Rubric:
    """The rubric a follow-up answer is graded against: the one concept, asked by its follow-up question.

    The misconceptions of the question still apply (a wrong claim is wrong in a follow-up too).
    """
    concept = rubric.concept(concept_id)
    return rubric.model_copy(update={
        "id": f"{rubric.id}.{concept.id}"[:64],
        "question": concept.follow_up,
        "model_answer": " ".join((concept.statement, *concept.alternatives)),
        "concepts": (concept.model_copy(update={"weight": 1.0}),),
        "time_limit_seconds": None,
    })


@dataclass
class FollowUp:
    id: int
    concept_id: str
    question: str
    answer: str
    grade: Grade | None = None


@dataclass
class Turn:
    """One question of the round and what became of it."""

    position: int
    """1-based, as stored."""
    rubric: Rubric
    answer: str | None = None
    answer_id: int | None = None
    grade: Grade | None = None
    """None until graded (or when the stored grade is broken: resuming grades it again)."""
    mode: str = "typed"
    delivery: dict[str, Any] | None = None
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.answer_id is not None

    @property
    def score(self) -> float | None:
        return None if self.grade is None else float(self.grade.score)

    def concept_statuses(self) -> list[tuple[str, str, str]]:
        """(concept id, label, status) for each concept of the grade; a concept not covered in the answer but
        covered in its follow-up is "recovered"."""
        if self.grade is None:
            return []
        recovered = advice.recovered((f.concept_id, f.grade) for f in self.follow_ups)
        return [(c.concept_id, c.label, advice.status_after_follow_up(c.concept_id, c.status, recovered))
                for c in self.grade.concepts]


@dataclass(frozen=True)
class ConceptTally:
    rubric_id: str
    concept_id: str
    label: str
    status: str


@dataclass(frozen=True)
class RoundSummary:
    scores: tuple[tuple[str, str, float | None], ...]
    """(rubric id, question, score or None when not answered/graded), in order."""
    mean: float | None
    strongest: tuple[ConceptTally, ...]
    """Concepts covered, from the highest-scoring answers."""
    weakest: tuple[ConceptTally, ...]
    """Concepts missed (and not recovered in a follow-up), the most important first."""
    practise_next: tuple[str, ...]
    """Short suggestions: what to practise next."""
    recovered: tuple[ConceptTally, ...] = ()
    """Concepts not covered in the answer but covered in a follow-up (status "recovered")."""


class Interview:
    """A round backed by the store: build with ``start`` or ``resume``."""

    def __init__(self, store: Store, session_id: int, turns: list[Turn], mode: str, timed: bool,
                 bank: str = "") -> None:
        self.store = store
        self.bank = bank
        """The bank's name, stored with each answer: ids repeat across banks."""
        self.session_id = session_id
        self.turns = turns
        self.mode = mode
        self.timed = timed
        self.resumed = False
        """True when rebuilt from the store by ``resume``."""

    @classmethod
    def start(cls, store: Store, rubrics: Sequence[Rubric], *, bank_name: str, mode: str = "typed",
              timed: bool = False, settings: dict[str, Any] | None = None, bank: str | None = None) -> Interview:
        """A new round asking ``rubrics``; ``bank_name`` records where the bank is (``bank_name()``), ``bank``
        is its name (default: ``bank_label(bank_name)``)."""
        if not rubrics:
            raise InputError("no questions to ask: the bank is empty")
        session_id = store.start_session(mode, bank_name, [(r.id, r.question) for r in rubrics], timed=timed,
                                         settings=settings)
        turns = [Turn(n, r) for n, r in enumerate(rubrics, start=1)]
        return cls(store, session_id, turns, mode, timed, bank or bank_label(bank_name))

    @classmethod
    def resume(cls, store: Store, bank: Bank, session_id: int) -> Interview:
        """Rebuild a stored session. A question whose rubric is no longer in the bank is an error naming it."""
        record = store.session(session_id)
        turns = [_turn_from_record(bank, record, index) for index in range(len(record.questions))]
        interview = cls(store, session_id, turns, record.mode, record.timed, bank.name)
        interview.resumed = True
        return interview

    # -- the round --------------------------------------------------------------------------------------
    @property
    def pending(self) -> list[Turn]:
        """Questions not answered yet, in order."""
        return [t for t in self.turns if not t.answered]

    @property
    def ungraded(self) -> list[Turn]:
        """Answered but not graded (e.g. a resumed session whose process died while grading)."""
        return [t for t in self.turns if t.answered and t.grade is None]

    @property
    def ungraded_follow_ups(self) -> list[tuple[Turn, FollowUp]]:
        """Follow-up answers saved but not graded (the process stopped while grading one)."""
        return [(t, f) for t in self.turns for f in t.follow_ups if f.grade is None]

    def submit(self, turn: Turn, answer: str, *, mode: str | None = None, audio_path: str | Path | None = None,
               transcript: Any = None, delivery: Any = None, started_at: str | None = None,
               seconds: float | None = None) -> int:
        """Commit the answer now (before grading). Re-submitting a question keeps the earlier answer too."""
        mode = mode or self.mode
        try:
            turn.answer_id = self.store.save_answer(self.session_id, turn.position, answer, mode=mode,
                                                    audio_path=audio_path, transcript=transcript, delivery=delivery,
                                                    started_at=started_at, seconds=seconds, bank=self.bank)
        except InterviewerError as exc:  # locked, full or vanished database: keep the answer somewhere else
            raise InterviewerError(f"{exc.message}. Your answer was kept in {self._rescue(turn, answer, audio_path)}",
                                   exit_code=exc.exit_code) from None
        turn.answer, turn.mode, turn.grade, turn.follow_ups = answer, mode, None, []
        turn.delivery = delivery if isinstance(delivery, dict) or delivery is None else _as_dict(delivery)
        return turn.answer_id

    def _rescue(self, turn: Turn, answer: str, audio_path: str | Path | None, **extra: Any) -> str:
        """Append an answer the store refused to ``unsaved-answers.jsonl`` (data folder, else the temp folder);
        where it went, or the answer itself if every folder refused it."""
        record = {"session": self.session_id, "position": turn.position, "rubric": turn.rubric.id,
                  "question": turn.rubric.question, "answer": answer,
                  "audio_path": None if audio_path is None else str(audio_path), "time": now(), **extra}
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")  # a stray surrogate stays valid JSON
        for folder in (self.store.path.parent, locations.data_dir(), Path(tempfile.gettempdir())):
            target = folder / RESCUE_FILE
            if _append_whole(target, line):
                return str(target)
        return "no file either (every folder refused it); here it is: " + json.dumps(answer, ensure_ascii=False)

    def record_grade(self, turn: Turn, grade: Grade) -> None:
        if turn.answer_id is None:
            raise ValueError("grade recorded for an answer that was never submitted")
        try:
            self.store.save_grade(turn.answer_id, grade)
        except InterviewerError as exc:  # a full or locked database: the answer itself was committed before
            raise self._grade_not_saved(exc) from None
        turn.grade = grade

    def _grade_not_saved(self, exc: InterviewerError) -> InterviewerError:
        return InterviewerError(f"{exc.message}. The grade was not saved, but your answer is safe in session "
                                f"{self.session_id} of {self.store.path}; `interviewer resume {self.session_id}` "
                                "grades it again", exit_code=exc.exit_code)

    def follow_up_for(self, turn: Turn) -> tuple[str, str] | None:
        """(concept id, question) to ask next: the heaviest missed (then partial) concept not yet followed up."""
        if turn.grade is None:
            return None
        asked = {f.concept_id for f in turn.follow_ups}
        for status in ("missed", "partial"):
            candidates = [c for c in turn.grade.concepts if c.status == status and c.concept_id not in asked]
            if candidates:
                best = max(candidates, key=lambda c: c.weight)
                return best.concept_id, best.follow_up
        return None

    def submit_follow_up(self, turn: Turn, concept_id: str, question: str, answer: str) -> FollowUp:
        if turn.answer_id is None:
            raise ValueError("follow-up to an answer that was never submitted")
        try:
            follow_id = self.store.save_follow_up(turn.answer_id, concept_id, question, answer)
        except InterviewerError as exc:  # keep the follow-up answer somewhere else, as ``submit`` does
            kept = self._rescue(turn, answer, None, follow_up=question, concept=concept_id)
            raise InterviewerError(f"{exc.message}. Your answer was kept in {kept}", exit_code=exc.exit_code) from None
        follow = FollowUp(follow_id, concept_id, question, answer)
        turn.follow_ups.append(follow)
        return follow

    def record_follow_up_grade(self, follow: FollowUp, grade: Grade) -> None:
        try:
            self.store.save_follow_up_grade(follow.id, grade)
        except InterviewerError as exc:
            raise self._grade_not_saved(exc) from None
        follow.grade = grade

    def finish(self) -> None:
        self.store.finish_session(self.session_id)

    def discard_if_empty(self) -> bool:
        """Forget the session if nothing was answered (the candidate left at once). True if it was deleted."""
        return self.store.discard_if_empty(self.session_id)

    def summary(self) -> RoundSummary:
        return summarise(self.turns)


def _append_whole(path: Path, data: bytes) -> bool:
    """Append ``data`` to ``path`` and sync it, all or nothing: a failed append (a full disk) is cut off again,
    and a file it created is removed, so no empty or half-written rescue file is left behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError:
        return False
    size = os.fstat(fd).st_size
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        return True
    except OSError:
        try:
            os.ftruncate(fd, size)
            if size == 0:
                path.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    finally:
        os.close(fd)


def summarise(turns: Sequence[Turn]) -> RoundSummary:
    scores = tuple((t.rubric.id, t.rubric.question, t.score) for t in turns)
    graded = [t for t in turns if t.score is not None]
    mean = round(sum(t.score or 0.0 for t in graded) / len(graded), 1) if graded else None
    strongest: list[ConceptTally] = []
    weakest: list[tuple[float, ConceptTally]] = []
    recovered: list[ConceptTally] = []
    for turn in sorted(graded, key=lambda t: -(t.score or 0.0)):
        weights = {c.id: c.weight for c in turn.rubric.concepts}
        for concept_id, label, status in turn.concept_statuses():
            tally = ConceptTally(turn.rubric.id, concept_id, label, status)
            if status == "covered":
                strongest.append(tally)
            elif status == "missed":
                weakest.append((weights.get(concept_id, 1.0), tally))
            elif status == "recovered":
                recovered.append(tally)
    weakest.sort(key=lambda item: -item[0])
    practise, _ = advice.practise_next(_graded_answer(t) for t in graded)  # the same rule as the reports
    return RoundSummary(scores, mean, tuple(strongest[:advice.STRONGEST]), tuple(t for _, t in weakest[:5]), practise,
                        tuple(recovered))


def _graded_answer(turn: Turn) -> advice.GradedAnswer:
    weights = {c.id: c.weight for c in turn.rubric.concepts}
    statuses = turn.concept_statuses()
    return advice.GradedAnswer(turn.rubric.id, turn.rubric.question, turn.score or 0.0,
                               tuple(label for _, label, status in statuses if status == "covered"),
                               tuple((label, weights.get(cid, 1.0)) for cid, label, status in statuses if status == "missed"),
                               tuple(label for _, label, status in statuses if status == "recovered"))


def _as_dict(value: Any) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else dict(value)


def _turn_from_record(bank: Bank, record: SessionRecord, index: int) -> Turn:
    question = record.questions[index]
    if question.rubric_id not in bank:
        raise InputError(f"session {record.id}: question {question.position} uses rubric {question.rubric_id!r}, "
                         f"which is not in the bank{f' {bank.root}' if bank.root else ''}; pass the bank it came from "
                         "with --bank")
    turn = Turn(question.position, bank[question.rubric_id])
    answer = question.answer
    if answer is not None:
        turn.answer, turn.answer_id, turn.grade, turn.mode, turn.delivery = (
            answer.text, answer.id, answer.grade, answer.mode, answer.delivery)
        turn.follow_ups = [FollowUp(f.id, f.concept_id, f.question, f.text, f.grade) for f in answer.follow_ups]
    return turn
