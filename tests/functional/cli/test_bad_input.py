"""The bad-input corpus (issue 10, "keep it so"): what a hostile or careless user can feed the command line.

One table, ``CASES``, of at least 80 cases over rubric files, answers, grade-batch JSONL, audio files, the
session database, config files and environment variables, command-line flags and output targets. Every case
runs one command in a scratch folder and asserts:

- the exit code (2 for bad input, 1 for a failure while working, 0 where the input must simply work);
- on failure, exactly one ``interviewer: error:`` line on stderr naming the file and, where relevant, the
  field (grade-batch reports a bad *line* as ``interviewer: IN:LINE: …`` instead, and grades the rest);
- no ``Traceback`` (and no "Exception ignored" from a failed flush at exit) anywhere in the output;
- every file that was in the scratch folder before is byte for byte the same after (SHA-256), except the
  outputs the case names; device nodes stay device nodes.

Most cases call ``cli.main`` in this process with the hashing test embedder (as ``test_cli.py`` does); cases
that need a real process (stdout on a full device, files that read forever, exit-time flushing) run
``python -c DRIVER`` with the same fake grader, and one case runs the real ``interviewer`` with its models.
Device files are made with ``mknod`` inside the scratch folder (never the system's ``/dev``), and full or
read-only disks are small tmpfs mounts: those cases skip where that is not allowed (not root).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from interviewer import cli
from interviewer.scoring.grader import Grader
from tests.conftest import FIXTURES, REPO
from tests.fakes import FAKE_CLI, HashingEmbedder, fake_grader

# -- the scratch folder -------------------------------------------------------------------------------------
ERROR_LINE = re.compile(r"^interviewer(?: [a-z-]+)*: error: ")  # argparse names the subcommand: "interviewer grade: error:"
SUBPROCESS_TIMEOUT = 60.0  # seconds: a command that reads /dev/zero for ever fails here instead of hanging the run
STRONG = ("Feature scaling puts features on comparable ranges. Distance-based models such as KNN need scaling. "
          "Tree models do not need scaling. Fit the scaler on the training data only.")
SCALING = (FIXTURES / "bank" / "scaling.yaml").read_text(encoding="utf-8")
ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"  # set the window title, clear the screen, turn the text red

DRIVER = FAKE_CLI  # the command with the fake grader, for cases run in a child process


class Ws:
    """One case's scratch folder (``root``), with a writable copy of the test bank in ``bank``."""

    def __init__(self, root: Path, data: Path) -> None:
        self.root = root
        self.bank = root / "bank"
        self.data = data  # $INTERVIEWER_DATA_DIR (outside root: the rescue file's second choice)
        self.cleanups: list[Callable[[], None]] = []

    def path(self, name: str) -> Path:
        return self.root / name

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    def fmt(self, text: str) -> str:
        return text.format(ws=self.root, bank=self.bank, data=self.data)

    def mknod(self, name: str, minor: int) -> Path:
        """A character device like /dev/null (minor 3) or /dev/full (minor 7), in the scratch folder."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        except PermissionError:
            pytest.skip("mknod needs root (CAP_MKNOD)")
        return path

    def tmpfs(self, name: str, size: str = "1m") -> Path:
        """A small tmpfs mounted at ``name`` (unmounted after the case)."""
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs (root needed): {done.stderr.decode(errors='replace').strip()}")
        self.cleanups.append(lambda: subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False))
        return path

    def read_only(self, mount: Path) -> None:
        done = subprocess.run(["mount", "-o", "remount,ro", str(mount)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip("cannot remount read-only")


def fill_disk(folder: Path) -> None:
    """Write zeros into ``folder/filler`` until the file system is full."""
    block = b"\0" * 65536
    with open(folder / "filler", "ab", buffering=0) as handle:
        while True:
            try:
                handle.write(block)
            except OSError:
                break
        while True:  # the last few bytes
            try:
                handle.write(b"\0" * 512)
            except OSError:
                break


def checksums(root: Path) -> dict[str, str]:
    """SHA-256 of every regular file below ``root`` (links and devices are not followed)."""
    sums: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            try:
                if not stat.S_ISREG(path.lstat().st_mode):
                    continue
                digest = hashlib.sha256()
                with path.open("rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
            except OSError:
                continue
            sums[str(path.relative_to(root))] = digest.hexdigest()
    return sums


def devices(root: Path) -> set[str]:
    found = set()
    for folder, _, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if stat.S_ISCHR(path.lstat().st_mode):
                found.add(str(path.relative_to(root)))
    return found


# -- files the cases are made of -----------------------------------------------------------------------------
def with_field(name: str, value: object) -> str:
    """The scaling rubric with one top-level field set to ``value``."""
    import yaml

    data = yaml.safe_load(SCALING)
    data[name] = value
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def edited(old: str, new: str, name: str = "scaling") -> str:
    text = SCALING.replace(old, new, 1)
    assert text != SCALING, old
    return text.replace("id: scaling", f"id: {name}", 1)


def wav(frames: bytes = b"\0\0" * 16000, rate: int = 16000, channels: int = 1, bits: int = 16,
        data_size: int | None = None) -> bytes:
    """A PCM WAV file; ``data_size`` lies about the length of the data."""
    size = len(frames) if data_size is None else data_size
    block = channels * bits // 8
    header = b"RIFF" + struct.pack("<I", 36 + size) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits) + b"data" + struct.pack("<I", size)
    return header + frames


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000"
                    "0500010d0a2db40000000049454e44ae426082")


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def good(n: int) -> dict[str, Any]:
    return {"id": n, "rubric": "scaling", "answer": STRONG}


@cache
def template_db() -> bytes:
    """A session database with one finished session: one answer to 'scaling', graded by the test embedder."""
    import tempfile

    from interviewer.rubrics import load_rubric
    from interviewer.store import Store

    scaling = load_rubric(FIXTURES / "bank" / "scaling.yaml")
    grade = Grader(HashingEmbedder()).grade(scaling, STRONG)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "interviewer.db"
        with Store(path) as store:
            sid = store.start_session("typed", str(FIXTURES / "bank"), [("scaling", scaling.question)])
            answer = store.save_answer(sid, 1, STRONG, seconds=30.0)
            store.save_grade(answer, grade)
            store.finish_session(sid)
        assert not Path(str(path) + "-wal").exists()
        return path.read_bytes()


def db_file(name: str = "interviewer.db", sql: Sequence[str] = ()) -> Callable[[Ws], None]:
    """Setup: the template database at ``name``, with ``sql`` run on it."""

    def setup(ws: Ws) -> None:
        path = ws.write(name, template_db())
        if sql:
            db = sqlite3.connect(path)
            for statement in sql:
                db.execute(statement)
            db.commit()
            db.close()
            for extra in ("-wal", "-shm"):
                Path(str(path) + extra).unlink(missing_ok=True)

    return setup


def files(contents: dict[str, str | bytes]) -> Callable[[Ws], None]:
    """Setup: write files (name relative to the scratch folder -> text or bytes)."""

    def setup(ws: Ws) -> None:
        for name, content in contents.items():
            ws.write(name, content)

    return setup


def both(*setups: Callable[[Ws], None]) -> Callable[[Ws], None]:
    def setup(ws: Ws) -> None:
        for s in setups:
            s(ws)

    return setup


# -- the result of one run -----------------------------------------------------------------------------------
@dataclass
class Result:
    code: int | str
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if ERROR_LINE.match(line)]

    def batch_lines(self, source: Path) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith(f"interviewer: {source}:")]


@dataclass(frozen=True)
class Case:
    id: str
    area: str
    argv: tuple[str, ...]
    code: int | tuple[int, ...]
    mentions: tuple[str, ...] = ()
    """Texts the error line must contain ({ws} and {bank} are filled in): the file, the field."""
    absent: tuple[str, ...] = ()
    """Texts the error line must not contain (a misleading message)."""
    setup: Callable[[Ws], None] | None = None
    stdin: bytes | None = None
    env: tuple[tuple[str, str], ...] = ()
    how: str = "inproc"
    """"inproc" (cli.main here), "process" (python -c DRIVER, fake grader) or "real" (the installed command)."""
    stdout: str | None = None
    """For "process": a file (in the scratch folder, e.g. a mknod'ed full device) to take the child's stdout."""
    changes: tuple[str, ...] = ()
    """Files (relative to the scratch folder) that the command may write."""
    batch: str | None = None
    """grade-batch input whose bad line is reported as ``interviewer: IN:LINE: …`` (no error line)."""
    check: Callable[[Ws, Result], None] | None = None
    patch: Callable[[Ws, pytest.MonkeyPatch], None] | None = None
    timeout: float = SUBPROCESS_TIMEOUT
    marks: tuple[Any, ...] = ()


def case(id: str, area: str, argv: str | Sequence[str], code: int | tuple[int, ...], *mentions: str,
         **options: Any) -> Any:
    parts = tuple(argv.split()) if isinstance(argv, str) else tuple(argv)
    if "env" in options:
        options["env"] = tuple(options["env"].items())
    c = Case(id, area, parts, code, tuple(mentions), **options)
    return pytest.param(c, id=f"{area}-{id}", marks=list(c.marks))


# -- checks for particular cases ---------------------------------------------------------------------------
def graded_ids(name: str, ids: Sequence[int]) -> Callable[[Ws, Result], None]:
    def check(ws: Ws, result: Result) -> None:
        records = [json.loads(line) for line in ws.path(name).read_text(encoding="utf-8").splitlines()]
        assert [r["id"] for r in records] == list(ids), "the good lines must still be graded"
        assert all(0 <= r["predicted_score"] <= 10 for r in records)

    return check


def still_device(name: str) -> Callable[[Ws, Result], None]:
    def check(ws: Ws, result: Result) -> None:
        assert stat.S_ISCHR(ws.path(name).lstat().st_mode), f"{name} was replaced by a plain file"

    return check


def no_escapes(ws: Ws, result: Result) -> None:
    assert "\x1b" not in result.out and "\x07" not in result.out, "raw terminal escape sequences were printed"


def no_escapes_on_stderr(ws: Ws, result: Result) -> None:
    assert "\x1b" not in result.err and result.err.count("\n") == 1, f"raw control characters in the error: {result.err!r}"


def stdout_has(*texts: str) -> Callable[[Ws, Result], None]:
    def check(ws: Ws, result: Result) -> None:
        for text in texts:
            assert ws.fmt(text) in result.out, f"{text!r} not in stdout"

    return check


def says_any(*texts: str) -> Callable[[Ws, Result], None]:
    def check(ws: Ws, result: Result) -> None:
        line = " ".join(result.error_lines).lower()
        assert any(t in line for t in texts), f"the error should say one of {texts}: {line!r}"

    return check


def noted(*texts: str, then: Callable[[Ws, Result], None] | None = None) -> Callable[[Ws, Result], None]:
    """Damaged data read anyway: exit 0 with one ``interviewer: note:`` line naming it (or exit 1 with the error)."""

    def check(ws: Ws, result: Result) -> None:
        if result.code != 0:
            return  # the one error line was checked, with the mentions
        notes = [line for line in result.err.splitlines() if line.startswith("interviewer: note:")]
        assert len(notes) == 1, f"expected one 'interviewer: note:' line: {result.err!r}"
        for text in texts:
            assert ws.fmt(text) in notes[0], f"the note should name {ws.fmt(text)!r}: {notes[0]!r}"
        if then is not None:
            then(ws, result)

    return check


def named_on_stderr(name: str) -> Callable[[Ws, Result], None]:
    """A bad file inside a bank is not skipped silently: stderr names it (a warning or the error)."""

    def check(ws: Ws, result: Result) -> None:
        assert name in result.err, f"{name} was skipped silently"

    return check


def all_of(*checks: Callable[[Ws, Result], None]) -> Callable[[Ws, Result], None]:
    def check(ws: Ws, result: Result) -> None:
        for c in checks:
            c(ws, result)

    return check


def stdout_jsonl(count: int) -> Callable[[Ws, Result], None]:
    def check(ws: Ws, result: Result) -> None:
        lines = [json.loads(line) for line in result.out.splitlines() if line.strip()]
        assert len(lines) == count and all("predicted_score" in r for r in lines)
        assert not ws.path("-").exists(), "wrote a file named '-' instead of stdout"

    return check


# -- setups that need more than files ---------------------------------------------------------------------
def symlink_loop(ws: Ws) -> None:
    (ws.root / "loop.yaml").symlink_to(ws.root / "loop2.yaml")
    (ws.root / "loop2.yaml").symlink_to(ws.root / "loop.yaml")


def bank_with_dangling_link(ws: Ws) -> None:
    (ws.bank / "ghost.yaml").symlink_to(ws.root / "gone.yaml")


def bank_with_link_loop(ws: Ws) -> None:
    (ws.bank / "spin.yaml").symlink_to(ws.bank / "spin.yaml")


def hard_link(source: str, target: str, content: str) -> Callable[[Ws], None]:
    def setup(ws: Ws) -> None:
        ws.write(source, content)
        os.link(ws.path(source), ws.path(target))

    return setup


def sym_link(source: str, target: str, content: str) -> Callable[[Ws], None]:
    def setup(ws: Ws) -> None:
        ws.write(source, content)
        ws.path(target).symlink_to(ws.path(source))

    return setup


def device(name: str, minor: int) -> Callable[[Ws], None]:
    def setup(ws: Ws) -> None:
        ws.mknod(name, minor)

    return setup


def endless_pipe(name: str, chunk: bytes, endless: bool = True) -> Callable[[Ws], None]:
    """Setup: a FIFO that a thread fills for ever once it is opened (like ``--answer-file <(yes)``), or with
    ``chunk`` once (like ``<(cat in.jsonl)``)."""
    import threading

    def setup(ws: Ws) -> None:
        path = ws.path(name)
        os.mkfifo(path)

        def write() -> None:
            try:
                with open(path, "wb") as handle:
                    if not endless:
                        handle.write(chunk)
                        return
                    block = chunk * max(1, 65536 // len(chunk))
                    while True:
                        handle.write(block)
            except OSError:
                return  # the reader went away

        def unblock() -> None:  # a writer still waiting for a reader (the command refused the pipe) is let go
            try:
                os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
            except OSError:
                pass

        threading.Thread(target=write, daemon=True).start()
        ws.cleanups.append(unblock)

    return setup


def full_disk_with_db(ws: Ws) -> None:
    mount = ws.tmpfs("full", "1m")
    (mount / "interviewer.db").write_bytes(template_db())
    fill_disk(mount)


def read_only_db(ws: Ws) -> None:
    mount = ws.tmpfs("ro", "1m")
    (mount / "interviewer.db").write_bytes(template_db())
    ws.read_only(mount)


def empty_tmpfs(ws: Ws) -> None:
    ws.tmpfs("full", "1m")


def locked_db(ws: Ws) -> None:
    db_file()(ws)
    holder = sqlite3.connect(ws.path("interviewer.db"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    ws.cleanups.append(holder.close)


class FillingStdin(io.TextIOWrapper):
    """Piped input that fills the disk at ``folder`` the first time a line is read (after the round has begun)."""

    def __init__(self, data: bytes, folder: Path) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self.folder = folder
        self.filled = False

    def readline(self, size: int = -1) -> str:  # type: ignore[override]
        if not self.filled:
            self.filled = True
            fill_disk(self.folder)
        return super().readline(size)


def fill_while_answering(ws: Ws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FillingStdin(f"{STRONG}\n\n".encode(), ws.path("full")))


def fill_while_grading(ws: Ws, monkeypatch: pytest.MonkeyPatch) -> None:
    class FillingGrader(Grader):
        def grade(self, rubric, answer, profile="rubric"):  # type: ignore[no-untyped-def]
            fill_disk(ws.path("full"))
            return super().grade(rubric, answer, profile)

    monkeypatch.setattr(cli, "_grader", lambda settings, bank=None, calibration=None: FillingGrader(
        HashingEmbedder(), bank=bank, max_answer_words=settings.max_answer_words))


def short_busy_timeout(ws: Ws, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.store import db

    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 0.2)


def no_zero_byte_rescue(ws: Ws, result: Result) -> None:
    for folder in (ws.path("full"), ws.data):
        rescue = folder / "unsaved-answers.jsonl"
        assert not (rescue.exists() and rescue.stat().st_size == 0), f"a 0-byte {rescue} was left behind"
    kept = [p for p in (ws.path("full") / "unsaved-answers.jsonl", ws.data / "unsaved-answers.jsonl") if p.exists()]
    assert kept and any("comparable ranges" in p.read_text(encoding="utf-8") for p in kept), "the answer was lost"


def history_lists_session(ws: Ws, result: Result) -> None:
    assert re.search(r"^\s+1\s+\d{4}-", result.out, re.MULTILINE), f"history did not list session 1: {result.out!r}"


# -- the corpus ---------------------------------------------------------------------------------------------
DEEP_YAML = "id: scaling\nquestion: " + "[" * 600 + "]" * 600 + "\n"
DEEP_FLOW = "id: scaling\nquestion: q\nconcepts: " + "{a: " * 600 + "1" + "}" * 600 + "\n"
DEEP_JSON_RUBRIC = '{"id": "scaling", "question": ' + "[" * 1000 + "]" * 1000 + "}\n"
LAUGHS = "id: scaling\nquestion: q\nmodel_answer: m\nlol0: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i > 1 else "*a"] * 9) + "]\n" for i in range(1, 10)) + (
    "tags: *a9\nconcepts: []\n")
G = "grade --bank {bank} --rubric scaling"
GB = "grade-batch {ws}/in.jsonl -o {ws}/out.jsonl --bank {bank} -q"

CASES = [
    # -- rubric files: `rubric check FILE`, and banks loaded by grade / rubric list ----------------------------
    case("not-yaml", "rubric", "rubric check {ws}/r.yaml", 2, "{ws}/r.yaml", "line",
         setup=files({"r.yaml": "id: scaling\nquestion: [unclosed\n"})),
    case("empty-file", "rubric", "rubric check {ws}/r.yaml", 2, "{ws}/r.yaml", setup=files({"r.yaml": ""})),
    case("top-level-list", "rubric", "rubric check {ws}/r.yaml", 2, "{ws}/r.yaml", setup=files({"r.yaml": "- a\n- b\n"})),
    case("missing-question", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml", "'question'",
         setup=files({"scaling.yaml": SCALING.replace("question: How", "questio: How")})),
    case("negative-weight", "rubric", "rubric check {ws}/scaling.yaml", 2, "concepts[0].weight",
         setup=files({"scaling.yaml": edited("weight: 2", "weight: -1")})),
    case("weight-not-a-number", "rubric", "rubric check {ws}/scaling.yaml", 2, "concepts[0].weight",
         setup=files({"scaling.yaml": edited("weight: 2", "weight: zero")})),
    case("weight-5000-digits", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml", "concepts[0].weight",
         setup=files({"scaling.yaml": edited("weight: 2", "weight: 1" + "0" * 5000)})),
    case("weight-5000-digits-in-bank", "rubric", G + " --answer x", 2, "{bank}/scaling.yaml", "concepts[0].weight",
         setup=lambda ws: ws.write("bank/scaling.yaml", edited("weight: 2", "weight: " + "9" * 5000))),
    case("weight-infinite", "rubric", "rubric check {ws}/scaling.yaml", 2, "concepts[0].weight",
         setup=files({"scaling.yaml": edited("weight: 2", "weight: .inf")})),
    case("weight-nan", "rubric", "rubric check {ws}/scaling.yaml", 2, "concepts[0].weight",
         setup=files({"scaling.yaml": edited("weight: 2", "weight: .nan")})),
    case("yaml-nested-600", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml",
         setup=files({"scaling.yaml": DEEP_YAML})),
    case("yaml-flow-mapping-nested-600", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml",
         setup=files({"scaling.yaml": DEEP_FLOW})),
    case("json-nested-1000-in-bank", "rubric", G + " --answer x", 2, "{bank}/scaling.yaml",
         setup=lambda ws: ws.write("bank/scaling.yaml", DEEP_JSON_RUBRIC)),
    case("billion-laughs", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml",
         setup=files({"scaling.yaml": LAUGHS})),
    case("python-tag", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml",
         setup=files({"scaling.yaml": "!!python/object/apply:os.system ['touch pwned']\n"})),
    case("nul-byte-says-where", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml", "line",
         setup=files({"scaling.yaml": SCALING.replace("difficulty: medium", "difficulty: med\x00ium")})),
    case("not-utf8", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml", "UTF-8",
         setup=files({"scaling.yaml": SCALING.replace("Feature scaling puts", "Caf\u00e9 puts").encode("latin-1")})),
    case("utf16", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml",
         setup=files({"scaling.yaml": SCALING.encode("utf-16")})),
    case("utf8-bom-accepted", "rubric", "rubric check {ws}/scaling.yaml", 0,
         setup=files({"scaling.yaml": b"\xef\xbb\xbf" + SCALING.encode()})),
    case("id-not-file-name", "rubric", "rubric check {ws}/other.yaml", 2, "{ws}/other.yaml", "'id'",
         setup=files({"other.yaml": SCALING})),
    case("id-with-spaces", "rubric", "rubric check {ws}/r.yaml", 2, "{ws}/r.yaml", "'id'",
         setup=files({"r.yaml": SCALING.replace("id: scaling", "id: my id", 1)})),
    case("unknown-field", "rubric", "rubric check {ws}/scaling.yaml", 2, "concpets",
         setup=files({"scaling.yaml": SCALING + "concpets: []\n"})),
    case("no-concepts", "rubric", "rubric check {ws}/scaling.yaml", 2, "'concepts'",
         setup=files({"scaling.yaml": SCALING.split("concepts:")[0] + "concepts: []\n"})),
    case("bad-difficulty", "rubric", "rubric check {ws}/scaling.yaml", 2, "'difficulty'",
         setup=files({"scaling.yaml": edited("difficulty: medium", "difficulty: impossible")})),
    case("negative-time-limit", "rubric", "rubric check {ws}/scaling.yaml", 2, "time_limit_seconds",
         setup=files({"scaling.yaml": edited("time_limit_seconds: 150", "time_limit_seconds: -5")})),
    case("penalty-not-a-number", "rubric", "rubric check {ws}/scaling.yaml", 2, "misconceptions[0]",
         setup=files({"scaling.yaml": SCALING + "    penalty: lots\n"})),
    case("file-5mb", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml", "limit",
         setup=files({"scaling.yaml": with_field("model_answer", "word " * 1_000_000)})),
    case("model-answer-100kb", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml", "model_answer",
         setup=files({"scaling.yaml": with_field("model_answer", "word " * 20_000)})),
    case("10000-cues", "rubric", "rubric check {ws}/scaling.yaml", 2, "{ws}/scaling.yaml", "cues",
         setup=files({"scaling.yaml": edited("cues: [comparable ranges,", "cues: [" + "cue, " * 10_000 + "comparable ranges,")})),
    case("symlink-loop", "rubric", "rubric check {ws}/loop.yaml", 2, "{ws}/loop.yaml", absent=("no such file",),
         setup=symlink_loop, check=says_any("loop", "link")),
    case("missing-file", "rubric", "rubric check {ws}/nope.yaml", 2, "{ws}/nope.yaml"),
    case("folder-without-rubrics", "rubric", "rubric check {ws}/empty", 2, "{ws}/empty", "no rubric files",
         setup=lambda ws: ws.path("empty").mkdir()),
    case("duplicate-ids-in-bank", "rubric", "rubric list --bank {bank}", 2, "already used",
         setup=lambda ws: ws.write("bank/sub/scaling.yaml", SCALING)),
    case("dangling-link-in-bank", "rubric", "rubric list --bank {bank}", (0, 2), setup=bank_with_dangling_link,
         check=named_on_stderr("ghost.yaml")),
    case("link-loop-in-bank", "rubric", "rubric list --bank {bank}", (0, 2), setup=bank_with_link_loop,
         check=named_on_stderr("spin.yaml")),
    case("escape-sequences-in-question", "rubric", "rubric list --bank {bank}", 0,
         setup=lambda ws: ws.write("bank/scaling.yaml", SCALING.replace(
             "question: How do you", 'question: "\\e]0;pwned\\a\\e[2J\\e[31mHow do you').replace(
             "necessary?\nmodel_answer", 'necessary?"\nmodel_answer', 1)), check=no_escapes),
    case("escape-sequences-in-plain-round", "rubric", "practice --plain --bank {bank} --questions scaling", 0,
         stdin=f"{STRONG}\n\n".encode(), setup=lambda ws: ws.write("bank/scaling.yaml", SCALING.replace(
             "question: How do you", 'question: "\\e]0;pwned\\a\\e[2J\\e[31mHow do you').replace(
             "necessary?\nmodel_answer", 'necessary?"\nmodel_answer', 1)), check=no_escapes),
    case("rubric-is-dev-zero", "rubric", "rubric check /dev/zero", 2, "/dev/zero", how="process", absent=("no such file",),
         timeout=20),
    case("rubric-is-fifo", "rubric", "rubric check {ws}/pipe.yaml", 2, "{ws}/pipe.yaml", how="process", timeout=15,
         setup=lambda ws: os.mkfifo(ws.path("pipe.yaml"))),
    case("newline-in-file-name", "rubric", ("rubric", "check", "{ws}/bad\nname.yaml"), 2,
         setup=files({"bad\nname.yaml": "id: [unclosed\n"}), check=lambda ws, r: no_escapes_on_stderr(ws, r)),
    case("escape-in-file-name", "rubric", ("rubric", "check", "{ws}/\x1b[31mred.yaml"), 2,
         setup=files({"\x1b[31mred.yaml": "id: [unclosed\n"}), check=lambda ws, r: no_escapes_on_stderr(ws, r)),
    case("bank-is-dev-null", "rubric", "rubric list --bank {ws}/null", 2, "{ws}/null", setup=device("null", 3)),
    case("derive-dev-zero", "rubric", "rubric derive /dev/zero --out {ws}/drafts --no-model", 2, "/dev/zero",
         how="process"),
    case("derive-not-utf8", "rubric", "rubric derive {ws}/q.txt --out {ws}/drafts --no-model", 2, "{ws}/q.txt", "UTF-8",
         setup=files({"q.txt": "Q1: Caf\u00e9?\nModel Answer: Oui.\n".encode("latin-1")})),
    case("derive-no-questions", "rubric", "rubric derive {ws}/q.txt --out {ws}/drafts --no-model", 2, "{ws}/q.txt",
         setup=files({"q.txt": "just some prose, no questions and no headings\n"})),
    case("bank-is-a-text-file", "rubric", "grade --bank {ws}/notes.txt --rubric scaling --answer x", 2, "{ws}/notes.txt",
         setup=files({"notes.txt": "not a bank\n"})),

    # -- answers: grade --answer / --answer-file / stdin --------------------------------------------------------
    case("answer-file-dev-zero", "answer", G + " --answer-file /dev/zero", 2, "/dev/zero", how="process", timeout=20),
    case("answer-file-endless-pipe", "answer", G + " --answer-file {ws}/pipe.txt", 2, "{ws}/pipe.txt", how="process",
         timeout=20, setup=endless_pipe("pipe.txt", b"scaling puts features on comparable ranges. ")),
    case("batch-input-pipe", "jsonl", GB.replace("{ws}/in.jsonl", "{ws}/pipe.jsonl"), (0, 2), "{ws}/pipe.jsonl",
         how="process", timeout=20, setup=endless_pipe("pipe.jsonl", jsonl(good(1), good(2)).encode(), endless=False),
         check=lambda ws, r: r.code != 0 or graded_ids("out.jsonl", [1, 2])(ws, r)),
    case("answer-file-is-folder", "answer", G + " --answer-file {ws}", 2, "{ws}", absent=("no such file",)),
    case("answer-file-missing", "answer", G + " --answer-file {ws}/nope.txt", 2, "{ws}/nope.txt", "no such file"),
    case("answer-file-dangling-link", "answer", G + " --answer-file {ws}/a.txt", 2, "{ws}/a.txt",
         setup=lambda ws: ws.path("a.txt").symlink_to(ws.path("gone.txt"))),
    case("answer-file-not-utf8", "answer", G + " --answer-file {ws}/a.txt", 2, "{ws}/a.txt", "UTF-8",
         setup=files({"a.txt": b"caf\xe9 scaling"})),
    case("answer-file-utf16", "answer", G + " --answer-file {ws}/a.txt", 2, "{ws}/a.txt", "UTF-8",
         setup=files({"a.txt": STRONG.encode("utf-16")})),
    case("answer-file-20mb", "answer", G + " --answer-file {ws}/a.txt", 2, "{ws}/a.txt",
         setup=files({"a.txt": ("scaling " * 2_600_000).encode()})),
    case("answer-file-empty", "answer", G + " --answer-file {ws}/a.txt", 0, setup=files({"a.txt": ""}),
         check=stdout_has("No answer given.")),
    case("answer-file-nul-bytes", "answer", G + " --answer-file {ws}/a.txt", 0,
         setup=files({"a.txt": b"\0" * 10_000 + STRONG.encode()})),
    case("answer-20000-words", "answer", G + " --answer-file {ws}/a.txt", 0, setup=files({"a.txt": STRONG * 600}),
         check=stdout_has("5000")),
    case("answer-only-punctuation", "answer", (*G.split(), "--answer", "?!?! ... ---"), 0),
    case("answer-escape-sequences", "answer", (*G.split(), "--answer", f"{ESC}Feature scaling puts features on comparable ranges."),
         0, check=no_escapes),
    case("answer-escapes-in-plain-round", "answer", "practice --plain --bank {bank} --questions scaling", 0,
         stdin=f"{ESC}Feature scaling puts features on comparable ranges.\n\n".encode(), check=no_escapes),
    case("answer-arg-not-utf8", "answer", (*G.split(), "--answer", "caf\udce9 scaling"), 2, "--answer", "UTF-8"),
    case("plain-round-stdin-not-utf8", "answer", "practice --plain --bank {bank} --questions scaling", 0,
         stdin=b"Feature scaling puts features on caf\xe9 comparable ranges.\n\n"),
    case("stdin-not-utf8", "answer", G, 2, "stdin", "UTF-8", stdin=b"caf\xe9 \xff\xfe scaling\n", how="process"),
    case("stdin-not-utf8-real", "answer", G, 2, "stdin", "UTF-8", stdin=b"\xff\xfe\x00s\x00c\x00", how="real"),
    case("stdin-empty", "answer", G, 0, stdin=b"", check=stdout_has("No answer given.")),
    case("unknown-rubric", "answer", "grade --bank {bank} --rubric scalng --answer x", 2, "scalng", "closest"),
    case("empty-rubric-id", "answer", ("grade", "--bank", "{bank}", "--rubric", "", "--answer", "x"), 2, "rubric"),

    # -- grade-batch JSONL: a bad line is skipped with IN:LINE, the rest graded ---------------------------------
    case("nested-1000-arrays", "jsonl", GB, 1, "{ws}/in.jsonl:2", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), "[" * 1000 + "]" * 1000, good(3))}), check=graded_ids("out.jsonl", [1, 3])),
    case("nested-100000-objects", "jsonl", GB, 1, "{ws}/in.jsonl:2", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), '{"a":' * 100_000 + "1" + "}" * 100_000, good(3))}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("integer-5000-digits", "jsonl", GB, 1, "{ws}/in.jsonl:2", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), '{"id": 1' + "0" * 5000 + ', "rubric": "scaling", "answer": "x"}', good(3))}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("not-json", "jsonl", GB, 1, "{ws}/in.jsonl:2", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), "{not json", good(3))}), check=graded_ids("out.jsonl", [1, 3])),
    case("array-line", "jsonl", GB, 1, "{ws}/in.jsonl:2", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), [1, 2], good(3))}), check=graded_ids("out.jsonl", [1, 3])),
    case("answer-is-number", "jsonl", GB, 1, "{ws}/in.jsonl:2", "'answer'", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), {"id": 2, "rubric": "scaling", "answer": 42}, good(3))}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("rubric-is-list", "jsonl", GB, 1, "{ws}/in.jsonl:2", "'rubric'", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), {"id": 2, "rubric": ["scaling"], "answer": "x"}, good(3))}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("reference-answer-empty", "jsonl", GB, 1, "{ws}/in.jsonl:2", "'reference_answer'", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), {"id": 2, "reference_answer": "", "answer": "x"}, good(3))}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("reference-answer-number", "jsonl", GB, 1, "{ws}/in.jsonl:2", "'reference_answer'", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), {"id": 2, "reference_answer": 42, "answer": "x"}, good(3))}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("line-not-utf8", "jsonl", GB, 1, "{ws}/in.jsonl:2", "UTF-8", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1)).encode() + b'{"answer": "caf\xe9"}\n' + jsonl(good(3)).encode()}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("line-20mb", "jsonl", GB, 1, "{ws}/in.jsonl:2", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), {"id": 2, "rubric": "scaling", "answer": "scaling " * 2_600_000}, good(3))}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("unknown-rubric-id", "jsonl", GB, 1, "{ws}/in.jsonl:2", "../../etc/passwd", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), {"id": 2, "rubric": "../../etc/passwd", "answer": "x"}, good(3))}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("lone-surrogate", "jsonl", GB, 1, "{ws}/in.jsonl:2", batch="in.jsonl",
         setup=files({"in.jsonl": jsonl(good(1), '{"id": 2, "rubric": "scaling", "answer": "caf\\ud800"}', good(3))}),
         check=graded_ids("out.jsonl", [1, 3])),
    case("utf8-bom-accepted", "jsonl", GB, 0,
         setup=files({"in.jsonl": b"\xef\xbb\xbf" + jsonl(good(1), good(2)).encode()}), check=graded_ids("out.jsonl", [1, 2])),
    case("crlf-accepted", "jsonl", GB, 0, setup=files({"in.jsonl": jsonl(good(1), good(2)).replace("\n", "\r\n")}),
         check=graded_ids("out.jsonl", [1, 2])),
    case("input-is-folder", "jsonl", "grade-batch {ws}/dir -o {ws}/out.jsonl --bank {bank} -q", 2, "{ws}/dir",
         absent=("no such file",), setup=lambda ws: ws.path("dir").mkdir()),
    case("input-missing", "jsonl", "grade-batch {ws}/nope.jsonl -o {ws}/out.jsonl --bank {bank} -q", 2, "{ws}/nope.jsonl"),
    case("input-dev-zero", "jsonl", "grade-batch /dev/zero -o {ws}/out.jsonl --bank {bank} -q", 2, "/dev/zero",
         how="process", timeout=20),
    case("eval-input-is-folder", "jsonl", "eval {ws}/dir --bank {bank} -q", 2, "{ws}/dir", absent=("no such file",),
         setup=lambda ws: ws.path("dir").mkdir()),
    case("calibration-is-folder", "jsonl", "eval {ws}/in.jsonl --bank {bank} -q --calibration {ws}/cal", 2, "{ws}/cal",
         setup=both(files({"in.jsonl": jsonl({**good(1), "score": 9})}), lambda ws: ws.path("cal").mkdir()), how="real"),
    case("calibration-nested", "jsonl", "eval {ws}/in.jsonl --bank {bank} -q --calibration {ws}/cal.json", 2,
         "{ws}/cal.json", setup=files({"in.jsonl": jsonl({**good(1), "score": 9}), "cal.json": "[" * 100_000 + "]" * 100_000}),
         how="real"),
    case("calibration-wrong-shape", "jsonl", "eval {ws}/in.jsonl --bank {bank} -q --calibration {ws}/cal.json", 2,
         "{ws}/cal.json", setup=files({"in.jsonl": jsonl({**good(1), "score": 9}),
                                       "cal.json": json.dumps({"profiles": {"rubric": 5}})}), how="real"),
    case("eval-bad-score", "jsonl", "eval {ws}/in.jsonl --bank {bank} -q", 2, "{ws}/in.jsonl",
         setup=files({"in.jsonl": jsonl({"rubric": "scaling", "answer": "x", "score": "ten"})})),
    case("report-from-batch-not-graded", "jsonl", "report --from-batch {ws}/in.jsonl", 2, "{ws}/in.jsonl:1",
         setup=files({"in.jsonl": jsonl(good(1))})),
    case("report-from-batch-nested", "jsonl", "report --from-batch {ws}/in.jsonl", 2, "{ws}/in.jsonl:1",
         setup=files({"in.jsonl": "[" * 1000 + "]" * 1000 + "\n"})),

    # -- audio files: grade --audio and transcribe (all fail before a model loads) ------------------------------
    case("empty-wav", "audio", G + " --audio {ws}/a.wav", 2, "{ws}/a.wav", setup=files({"a.wav": b""})),
    case("text-as-wav", "audio", G + " --audio {ws}/a.wav", 2, "{ws}/a.wav", setup=files({"a.wav": "just some text\n" * 50})),
    case("random-bytes", "audio", G + " --audio {ws}/a.wav", 2, "{ws}/a.wav",
         setup=files({"a.wav": hashlib.sha512(b"x").digest() * 200})),
    case("truncated-header", "audio", G + " --audio {ws}/a.wav", 2, "{ws}/a.wav", setup=files({"a.wav": wav()[:20]})),
    case("header-only", "audio", G + " --audio {ws}/a.wav", 2, "{ws}/a.wav", setup=files({"a.wav": wav(b"")})),
    case("zero-sample-rate", "audio", G + " --audio {ws}/a.wav", 2, "{ws}/a.wav", setup=files({"a.wav": wav(rate=0)})),
    case("zero-channels", "audio", G + " --audio {ws}/a.wav", 2, "{ws}/a.wav", setup=files({"a.wav": wav(channels=0)})),
    case("png-as-wav", "audio", G + " --audio {ws}/a.wav", 2, "{ws}/a.wav", setup=files({"a.wav": PNG})),
    case("audio-is-folder", "audio", G + " --audio {ws}", 2, "{ws}", absent=("no such file",)),
    case("audio-missing", "audio", G + " --audio {ws}/nope.wav", 2, "{ws}/nope.wav"),
    case("audio-fifo", "audio", G + " --audio {ws}/pipe.wav", 2, "{ws}/pipe.wav", how="process", timeout=15,
         setup=lambda ws: os.mkfifo(ws.path("pipe.wav"))),
    case("transcribe-folder", "audio", "transcribe {ws}", 2, "{ws}", absent=("no such file",)),
    case("audio-dev-zero", "audio", G + " --audio /dev/zero", 2, "/dev/zero"),
    case("transcribe-corrupt", "audio", "transcribe {ws}/a.wav", 2, "{ws}/a.wav", "not a readable audio file",
         setup=files({"a.wav": b"RIFF\xff\xff\xff\xffWAVEjunk" * 10})),
    case("transcribe-empty", "audio", "transcribe {ws}/a.wav", 2, "{ws}/a.wav", setup=files({"a.wav": b""})),
    case("silent-wav-real-models", "audio", G + " --audio {ws}/a.wav", 0, how="real",
         setup=files({"a.wav": wav(b"\0\0" * 32000, data_size=10_000_000)}), check=stdout_has("no speech detected"),
         marks=(pytest.mark.model, pytest.mark.whisper)),

    # -- the session database ($INTERVIEWER_DATABASE = {ws}/interviewer.db unless said otherwise) -----------------
    case("random-bytes-db", "database", "history", 1, "{ws}/interviewer.db",
         setup=files({"interviewer.db": hashlib.sha512(b"db").digest() * 100})),
    case("truncated-db", "database", "report", 1, "{ws}/interviewer.db",
         setup=lambda ws: ws.write("interviewer.db", template_db()[:4096])),
    case("foreign-sqlite", "database", "history", 1, "{ws}/interviewer.db", "another program",
         setup=lambda ws: sqlite3.connect(ws.path("interviewer.db")).executescript(
             "CREATE TABLE foo (x); INSERT INTO foo VALUES (1);").close()),
    case("newer-schema", "database", "history", 1, "{ws}/interviewer.db", "newer",
         setup=db_file(sql=["PRAGMA user_version = 999"])),
    case("db-is-folder", "database", "history", (1, 2), "{ws}/interviewer.db",
         setup=lambda ws: ws.path("interviewer.db").mkdir()),
    case("db-under-a-file", "database", "history", (1, 2), "{ws}/notes.txt", setup=files({"notes.txt": "x"}),
         env={"INTERVIEWER_DATABASE": "{ws}/notes.txt/interviewer.db"}),
    case("broken-grade-json-report", "database", "report", (0, 1), "{ws}/interviewer.db",
         setup=db_file(sql=["UPDATE answers SET grade = '{\"score\": 7, \"concepts\": [' "]),
         check=noted("{ws}/interviewer.db", "grade", then=stdout_has("feature scaling"))),
    case("broken-grade-json-history-concepts", "database", "history --concepts", (0, 1), "{ws}/interviewer.db",
         setup=db_file(sql=["UPDATE answers SET grade = 'not json at all'"]), check=noted("{ws}/interviewer.db", "grade")),
    case("grade-json-nested-deep", "database", "report --format json", (0, 1), "{ws}/interviewer.db",
         setup=db_file(sql=["UPDATE answers SET grade = '" + "[" * 5000 + "]" * 5000 + "'"]),
         check=noted("{ws}/interviewer.db", "grade")),
    case("grade-json-wrong-shape", "database", "history --concepts", (0, 1, 2),
         setup=db_file(sql=["UPDATE answers SET grade = '[1, 2, 3]'"])),
    case("broken-settings-json", "database", "report", (0, 1), "{ws}/interviewer.db",
         setup=db_file(sql=["UPDATE sessions SET settings = '{'"]), check=noted("{ws}/interviewer.db", "settings")),
    case("locked-history-reads", "database", "history", 0, setup=locked_db, patch=short_busy_timeout,
         check=history_lists_session),
    case("locked-practice", "database", "practice --plain --bank {bank} --questions scaling", 1, "{ws}/interviewer.db",
         "locked", setup=locked_db, patch=short_busy_timeout, stdin=f"{STRONG}\n\n".encode()),
    case("read-only-history", "database", "history", (0, 1), "{ws}/ro/interviewer.db", setup=read_only_db,
         env={"INTERVIEWER_DATABASE": "{ws}/ro/interviewer.db"}),
    case("read-only-practice", "database", "practice --plain --bank {bank} --questions scaling", 1,
         "{ws}/ro/interviewer.db", setup=read_only_db, stdin=f"{STRONG}\n\n".encode(),
         env={"INTERVIEWER_DATABASE": "{ws}/ro/interviewer.db"}),
    case("disk-full-history-reads", "database", "history", 0, setup=full_disk_with_db,
         env={"INTERVIEWER_DATABASE": "{ws}/full/interviewer.db"}, check=history_lists_session, changes=("full/filler",)),
    case("disk-full-says-so", "database", "practice --plain --bank {bank} --questions scaling", 1, "{ws}/full/interviewer.db",
         setup=full_disk_with_db, stdin=f"{STRONG}\n\n".encode(), env={"INTERVIEWER_DATABASE": "{ws}/full/interviewer.db"},
         check=says_any("disk full", "disk is full", "no space"), changes=("full/filler",)),
    case("disk-fills-while-answering", "database", "practice --plain --bank {bank} --questions scaling", 1,
         "unsaved-answers.jsonl", setup=empty_tmpfs, patch=fill_while_answering,
         env={"INTERVIEWER_DATABASE": "{ws}/full/interviewer.db"}, check=no_zero_byte_rescue,
         changes=("full/filler", "full/interviewer.db")),
    case("disk-fills-while-grading", "database", "practice --plain --bank {bank} --questions scaling", 1,
         "{ws}/full/interviewer.db", setup=empty_tmpfs, stdin=f"{STRONG}\n\n".encode(), patch=fill_while_grading,
         env={"INTERVIEWER_DATABASE": "{ws}/full/interviewer.db"}, check=says_any("saved", "safe", "kept"),
         changes=("full/filler", "full/interviewer.db")),
    case("db-is-null-device", "database", "history", (0, 1, 2), setup=device("null", 3),
         env={"INTERVIEWER_DATABASE": "{ws}/null"}, check=still_device("null")),
    case("zero-byte-db-is-new", "database", "history", 0, setup=files({"interviewer.db": b""}),
         changes=("interviewer.db",)),
    case("unknown-session", "database", "report 99", 2, "99", setup=db_file()),
    case("report-suffix-no-format", "database", "report -o {ws}/r.pdf", 2, "{ws}/r.pdf", "'.pdf'", "--format",
         setup=db_file()),  # not Markdown under a .pdf name
    case("session-number-huge", "database", "report 99999999999999999999", 2, "99999999999999999999", setup=db_file()),
    case("resume-number-huge", "database", "resume 99999999999999999999 --plain", 2, "99999999999999999999",
         setup=db_file(), stdin=b""),
    case("session-not-a-number", "database", "resume abc", 2, "abc", setup=db_file()),

    # -- config files and environment variables ------------------------------------------------------------------
    case("not-toml", "config", "rubric list", 2, "{ws}/config.toml", setup=files({"config.toml": "bank = [unclosed\n"}),
         env={"INTERVIEWER_CONFIG": "{ws}/config.toml"}),
    case("unknown-key", "config", "rubric list", 2, "{ws}/config.toml", "bnak",
         setup=files({"config.toml": 'bnak = "x"\n'}), env={"INTERVIEWER_CONFIG": "{ws}/config.toml"}),
    case("bank-not-a-string", "config", "rubric list", 2, "{ws}/config.toml", "'bank'",
         setup=files({"config.toml": "bank = 5\n"}), env={"INTERVIEWER_CONFIG": "{ws}/config.toml"}),
    case("not-utf8", "config", "rubric list", 2, "{ws}/config.toml", setup=files({"config.toml": b'bank = "caf\xe9"\n'}),
         env={"INTERVIEWER_CONFIG": "{ws}/config.toml"}),
    case("max-words-inf", "config", "rubric list", 2, "{ws}/config.toml", "max_answer_words",
         setup=files({"config.toml": "max_answer_words = inf\n"}), env={"INTERVIEWER_CONFIG": "{ws}/config.toml"}),
    case("max-words-5000-digits", "config", "rubric list", 2, "{ws}/config.toml",
         setup=files({"config.toml": "max_answer_words = 1" + "0" * 5000 + "\n"}),
         env={"INTERVIEWER_CONFIG": "{ws}/config.toml"}),
    case("nested-1000-arrays", "config", "rubric list", 2, "{ws}/config.toml",
         setup=files({"config.toml": "bank = " + "[" * 1000 + "]" * 1000 + "\n"}),
         env={"INTERVIEWER_CONFIG": "{ws}/config.toml"}),
    case("config-env-missing-file", "config", "rubric list", 2, "{ws}/nope.toml",
         env={"INTERVIEWER_CONFIG": "{ws}/nope.toml"}),
    case("config-env-is-folder", "config", "rubric list", 2, "{ws}/conf", setup=lambda ws: ws.path("conf").mkdir(),
         env={"INTERVIEWER_CONFIG": "{ws}/conf"}),
    case("config-env-dev-zero", "config", "rubric list", 2, "/dev/zero", env={"INTERVIEWER_CONFIG": "/dev/zero"},
         how="process", timeout=20),
    case("env-max-words-text", "config", "rubric list", 2, "INTERVIEWER_MAX_ANSWER_WORDS",
         env={"INTERVIEWER_MAX_ANSWER_WORDS": "lots"}),
    case("env-max-words-negative", "config", "rubric list", 2, "INTERVIEWER_MAX_ANSWER_WORDS",
         env={"INTERVIEWER_MAX_ANSWER_WORDS": "-1"}),
    case("env-precision", "config", "rubric list", 2, "INTERVIEWER_EMBEDDING_PRECISION",
         env={"INTERVIEWER_EMBEDDING_PRECISION": "float8"}),
    case("env-beam-11", "config", "rubric list", 2, "INTERVIEWER_WHISPER_BEAM_SIZE",
         env={"INTERVIEWER_WHISPER_BEAM_SIZE": "11"}),
    case("env-record-seconds-nan", "config", "rubric list", 2, "INTERVIEWER_MAX_RECORD_SECONDS",
         env={"INTERVIEWER_MAX_RECORD_SECONDS": "nan"}),
    case("env-language", "config", "rubric list", 2, "INTERVIEWER_WHISPER_LANGUAGE",
         env={"INTERVIEWER_WHISPER_LANGUAGE": "english"}),
    case("env-bank-missing", "config", "grade --rubric scaling --answer x", 2, "{ws}/nope",
         env={"INTERVIEWER_BANK": "{ws}/nope"}),
    case("env-data-dir-is-file", "config", "history", (1, 2), "{ws}/notes.txt", setup=files({"notes.txt": "x"}),
         env={"INTERVIEWER_DATA_DIR": "{ws}/notes.txt", "INTERVIEWER_DATABASE": ""}),

    # -- command-line flags -----------------------------------------------------------------------------------------
    case("count-zero", "flags", "practice --plain --bank {bank} --count 0", 2, "--count", stdin=b""),
    case("count-negative", "flags", "practice --plain --bank {bank} --count -1", 2, "--count", stdin=b""),
    case("count-not-a-number", "flags", "practice --plain --count many", 2, "--count"),
    case("seed-not-a-number", "flags", "practice --plain --seed x", 2, "--seed"),
    case("questions-unknown", "flags", "practice --plain --bank {bank} --questions scaling,,nope", 2, "nope", stdin=b""),
    case("drill-with-questions", "flags", "practice --plain --bank {bank} --drill --questions scaling", 2, "--drill",
         stdin=b""),
    case("voice-in-plain", "flags", "practice --plain --mode voice", 2, "voice"),
    case("mode-unknown", "flags", "practice --mode shout", 2, "--mode"),
    case("limit-huge", "flags", "history --limit 99999999999999999999", (0, 2), setup=db_file()),
    case("limit-zero", "flags", "history --limit 0", 2, "--limit"),
    case("eval-limit-negative", "flags", "eval {ws}/in.jsonl --limit -3", 2, "--limit"),
    case("format-pdf", "flags", "report --format pdf", 2, "--format"),
    case("session-and-from-batch", "flags", "report 1 --from-batch {ws}/in.jsonl", 2, "--from-batch",
         setup=files({"in.jsonl": jsonl(good(1))})),
    case("answer-and-answer-file", "flags", G + " --answer x --answer-file {ws}/a.txt", 2, "--answer",
         setup=files({"a.txt": "x"})),
    case("rubric-flag-missing", "flags", "grade --answer x", 2, "--rubric"),
    case("unknown-command", "flags", "gradee", 2, "gradee"),
    case("record-negative-seconds", "flags", "record --seconds -1 -o {ws}/r.wav", 2, "--seconds"),

    # -- output targets ------------------------------------------------------------------------------------------------
    case("batch-output-hard-link-to-input", "output", GB + " --force", 2, "{ws}/out.jsonl",
         setup=hard_link("in.jsonl", "out.jsonl", jsonl(good(1)))),
    case("batch-output-symlink-to-input", "output", GB + " --force", 2, "{ws}/out.jsonl",
         setup=sym_link("in.jsonl", "out.jsonl", jsonl(good(1)))),
    case("batch-output-is-input", "output", "grade-batch {ws}/in.jsonl -o {ws}/in.jsonl --bank {bank} -q --force", 2,
         "{ws}/in.jsonl", setup=files({"in.jsonl": jsonl(good(1))})),
    case("batch-output-dash-is-stdout", "output", "grade-batch {ws}/in.jsonl -o - --bank {bank} -q", 0,
         setup=files({"in.jsonl": jsonl(good(1))}), check=stdout_jsonl(1)),
    case("batch-output-full-device", "output", GB.replace("{ws}/out.jsonl", "{ws}/full") + " --force", (1, 2), "{ws}/full",
         setup=both(files({"in.jsonl": jsonl(good(1))}), device("full", 7)), check=still_device("full")),
    case("batch-output-null-device", "output", GB.replace("{ws}/out.jsonl", "{ws}/null") + " --force", 0,
         setup=both(files({"in.jsonl": jsonl(good(1))}), device("null", 3)), check=still_device("null")),
    case("batch-output-folder", "output", GB.replace("{ws}/out.jsonl", "{ws}/dir"), 2, "{ws}/dir",
         setup=both(files({"in.jsonl": jsonl(good(1))}), lambda ws: ws.path("dir").mkdir())),
    case("batch-output-exists", "output", GB, 2, "{ws}/out.jsonl", "--force",
         setup=files({"in.jsonl": jsonl(good(1)), "out.jsonl": "keep me\n"})),
    case("batch-output-missing-folder", "output", GB.replace("{ws}/out.jsonl", "{ws}/no/out.jsonl"), 2, "{ws}/no",
         setup=files({"in.jsonl": jsonl(good(1))})),
    case("report-to-null-device", "output", "report --format md -o {ws}/null --force", (0, 2), setup=both(db_file(),
         device("null", 3)), check=still_device("null")),
    case("report-to-full-device", "output", "report --format md -o {ws}/full --force", (1, 2), "{ws}/full",
         setup=both(db_file(), device("full", 7)), check=still_device("full")),
    case("report-under-a-file", "output", "report --format md -o {ws}/notes.txt/r.md", 2, "{ws}/notes.txt",
         setup=both(db_file(), files({"notes.txt": "x"}))),
    case("report-to-folder", "output", "report --format md -o {ws}/dir --force", 2, "{ws}/dir",
         setup=both(db_file(), lambda ws: ws.path("dir").mkdir())),
    case("report-exists", "output", "report -o {ws}/r.md", 2, "{ws}/r.md", "--force",
         setup=both(db_file(), files({"r.md": "keep me\n"}))),
    case("report-dash-is-stdout", "output", "report --format md -o -", 0, setup=db_file(), check=stdout_has("scaling")),
    case("report-over-its-batch-input", "output", "report --from-batch {ws}/out.jsonl --format md -o {ws}/r.md --force", 2,
         "{ws}/r.md", setup=lambda ws: (ws.write("out.jsonl", graded_line()), os.link(ws.path("out.jsonl"), ws.path("r.md")))),
    case("derive-over-null-device", "output", "rubric derive {ws}/q.txt --out {ws}/drafts --no-model --force", (0, 2),
         setup=both(files({"q.txt": (FIXTURES / "questions.txt").read_text()}), device("drafts/q01.yaml", 3)),
         check=still_device("drafts/q01.yaml"), changes=("drafts/q02.yaml",)),
    case("derive-out-is-a-file", "output", "rubric derive {ws}/q.txt --out {ws}/notes.txt --no-model", 2, "{ws}/notes.txt",
         setup=files({"q.txt": (FIXTURES / "questions.txt").read_text(), "notes.txt": "x"})),
    case("derive-exists", "output", "rubric derive {ws}/q.txt --out {ws}/drafts --no-model", 2, "q-01.yaml", "--force",
         setup=files({"q.txt": (FIXTURES / "questions.txt").read_text(), "drafts/q-01.yaml": "keep me\n"})),
    case("record-to-null-device", "output", "record -o {ws}/null --force --seconds 1", 2, "{ws}/null",
         setup=device("null", 3), check=still_device("null")),
    case("record-to-folder", "output", "record -o {ws}/dir --seconds 1", 2, "{ws}/dir",
         setup=lambda ws: ws.path("dir").mkdir()),
    case("record-exists", "output", "record -o {ws}/a.wav --seconds 1", 2, "{ws}/a.wav", "--force",
         setup=files({"a.wav": wav()})),
    case("record-to-dash", "output", "record -o - --seconds 1", 2, "-o -"),
    case("history-stdout-full", "output", "history", 1, how="process", stdout="full",
         setup=both(db_file(), device("full", 7))),
    case("batch-dash-stdout-full", "output", "grade-batch {ws}/in.jsonl -o - --bank {bank} -q", 1, how="process",
         stdout="full", setup=both(files({"in.jsonl": jsonl(good(1))}), device("full", 7))),
    case("grade-json-stdout-full", "output", G + " --answer x --json", 1, how="process", stdout="full",
         setup=device("full", 7)),
    case("rubric-list-stdout-full", "output", "rubric list --bank {bank}", 1, how="process", stdout="full",
         setup=device("full", 7)),
    case("report-stdout-full", "output", "report --format json", 1, how="process", stdout="full",
         setup=both(db_file(), device("full", 7))),
]


@cache
def graded_line() -> str:
    from interviewer.rubrics import load_rubric

    grade = Grader(HashingEmbedder()).grade(load_rubric(FIXTURES / "bank" / "scaling.yaml"), STRONG)
    return json.dumps({**good(1), "predicted_score": grade.score, "grade": grade.to_dict()}) + "\n"


# -- running one case ----------------------------------------------------------------------------------------
def run_inproc(c: Case, ws: Ws, argv: list[str], monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str]) -> Result:
    monkeypatch.setattr(cli, "_grader", fake_grader)
    if c.stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(c.stdin), encoding="utf-8"))
    if c.patch is not None:
        c.patch(ws, monkeypatch)
    crash = ""
    try:
        code: int | str = cli.main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - anything escaping main() is a traceback the user would see
        code = "uncaught exception"
        crash = traceback.format_exc()
    out, err = capsys.readouterr()
    return Result(code, out, err + crash)


def run_process(c: Case, ws: Ws, argv: list[str], env: dict[str, str]) -> Result:
    command = [str(REPO / ".venv" / "bin" / "interviewer")] if c.how == "real" else [sys.executable, "-c", DRIVER]
    env = {**env, "PYTHONPATH": str(REPO)}
    stdout = ws.path(c.stdout).open("w") if c.stdout else subprocess.PIPE
    try:
        done = subprocess.run([*command, *argv], input=c.stdin if c.stdin is not None else b"", stdout=stdout,
                              stderr=subprocess.PIPE, env=env, cwd=ws.root, timeout=c.timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        return Result(f"timed out after {c.timeout:.0f} s (reading for ever?)", "",
                      (exc.stderr or b"").decode(errors="replace"))
    finally:
        if c.stdout:
            stdout.close()  # type: ignore[union-attr]
    return Result(done.returncode, (done.stdout or b"").decode(errors="replace"), done.stderr.decode(errors="replace"))


def assert_outcome(c: Case, ws: Ws, result: Result) -> None:
    shown = f"exit {result.code}\n--- stdout ---\n{result.out[-3000:]}\n--- stderr ---\n{result.err[-3000:]}"
    codes = c.code if isinstance(c.code, tuple) else (c.code,)
    assert "Traceback" not in result.out + result.err, f"a traceback reached the user\n{shown}"
    assert "Exception ignored" not in result.err, f"an error at exit (failed flush?)\n{shown}"
    assert result.code in codes, f"expected exit {c.code}\n{shown}"
    lines = result.error_lines
    if c.batch is not None and result.code != 0:
        skipped = result.batch_lines(ws.path(c.batch))
        assert len(skipped) == 1, f"expected one 'interviewer: IN:LINE: …' line\n{shown}"
        assert not lines, f"a bad line is skipped, not an error of the whole batch\n{shown}"
        lines = skipped
    elif result.code == 0:
        assert not lines, f"exit 0 with an error line\n{shown}"
        lines = []
    else:
        assert len(lines) == 1, f"expected exactly one 'interviewer: error:' line, got {len(lines)}\n{shown}"
        assert "interviewer: error" not in result.out, f"the error went to stdout\n{shown}"
    for text in c.mentions:
        if lines:
            assert ws.fmt(text) in lines[0], f"the error line should name {ws.fmt(text)!r}\n{shown}"
    for text in c.absent:
        if lines:
            assert ws.fmt(text) not in lines[0], f"misleading: {ws.fmt(text)!r} in the error\n{shown}"
    if c.check is not None:
        c.check(ws, result)


@pytest.mark.parametrize("c", CASES)
def test_bad_input(c: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ws = Ws(tmp_path / "ws", Path(os.environ["INTERVIEWER_DATA_DIR"]))
    shutil.copytree(FIXTURES / "bank", ws.bank)
    config = Path(os.environ["INTERVIEWER_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("", encoding="utf-8")  # an explicit config path that exists (a missing one may be an error)
    env = {"INTERVIEWER_DATABASE": "{ws}/interviewer.db", **dict(c.env)}
    for name, value in env.items():
        monkeypatch.setenv(name, ws.fmt(value)) if value else monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ws.root)
    try:
        if c.setup is not None:
            c.setup(ws)
        before = checksums(ws.root)
        nodes = devices(ws.root)
        argv = [ws.fmt(a) for a in c.argv]
        if c.how == "inproc":
            result = run_inproc(c, ws, argv, monkeypatch, capsys)
        else:
            result = run_process(c, ws, argv, dict(os.environ))
        after = checksums(ws.root)
        changed = sorted(p for p, digest in before.items() if after.get(p) != digest and p not in c.changes)
        assert_outcome(c, ws, result)
        assert not changed, f"input files changed or vanished: {changed}"
        assert devices(ws.root) >= nodes, "a device file was replaced"
    finally:
        for cleanup in reversed(ws.cleanups):
            cleanup()


def test_the_corpus_covers_every_area() -> None:
    cases = [p.values[0] for p in CASES]
    areas = {c.area for c in cases}
    assert areas == {"rubric", "answer", "jsonl", "audio", "database", "config", "flags", "output"}
    assert len(cases) >= 80
    assert len({(c.area, c.id) for c in cases}) == len(cases), "case ids must be unique"
