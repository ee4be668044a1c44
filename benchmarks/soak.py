"""Soak test: does any answer get lost when things go wrong for a long time? (issue 10, item 9; not run in CI)

    .venv/bin/python benchmarks/soak.py WORKDIR [--answers 10000] [--kills 5] [--rounds 3] [--disk-rounds 3]
                                        [--disk-size 2m] [--grader real|fake] [--only batch,rounds,disk] [--seed 0]

Three scenarios, each run as real ``interviewer`` processes:

1. **batch**: ``--answers`` answers to the bundled bank in one JSONL file, graded by ``grade-batch``, which
   is killed with SIGKILL ``--kills`` times at random points (by output lines written; a few while the models
   load). grade-batch has no resume flag: its output is written and flushed line by line, so resuming is
   what a user would do: keep the complete lines of each output, drop a torn last line, and grade the
   lines not yet graded into a new output. *Submitted* is every input line; *kept* is every input line
   whose graded record (same id, same answer text) is in some output.
2. **rounds**: two plain practice rounds (``practice --plain``) on one database at the same time, each
   process doing ``--rounds`` rounds of 15 questions, fed one answer at each prompt. *Submitted* is every
   answer typed; *kept* is every answer found in the database or in an ``unsaved-answers.jsonl``.
3. **disk**: a round whose database (and data folder) is on a small tmpfs (``--disk-size``) that the script
   fills completely right after a random answer; the round stops on the error; the disk is freed and
   ``interviewer resume --plain`` answers the rest. Repeated ``--disk-rounds`` times. Needs root (for
   ``mount -t tmpfs``); without it the scenario is skipped and says why.

``--grader fake`` grades with the test suite's hashing embedder (seconds instead of minutes: to check the
machinery); ``real`` (the default) runs the installed ``interviewer`` with its models, about 30 answers/s
on 2 cores, so the full batch takes 6 minutes or more. The goal is 0 answers lost; each scenario prints
its figures, and the last line is one JSON object. Exit code 0 when nothing was lost, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BANK = REPO / "rubrics" / "practical-ml"
RESCUE_FILE = "unsaved-answers.jsonl"
PROMPT_TIMEOUT = 180.0  # seconds to wait for the next question (the real models load before the first grade)

FAKE_DRIVER = """
import sys
sys.path.insert(0, {repo!r})
from interviewer import cli
from tests.fakes import fake_grader

cli._grader = fake_grader
sys.exit(cli.main(sys.argv[1:]))
"""

FILLER = ("in practice", "I think", "for example", "which matters because", "and also", "in my experience",
          "on the other hand", "as a rule", "basically", "to be honest")


# -- helpers -------------------------------------------------------------------------------------------------
def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def command(grader: str) -> list[str]:
    if grader == "real":
        return [sys.executable, "-m", "interviewer"]
    return [sys.executable, "-c", FAKE_DRIVER.format(repo=str(REPO))]


def environment(home: Path, **extra: str) -> dict[str, str]:
    """An environment that keeps the user's own config, data and cache out of it."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").touch()
    (home / "tmp").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEWER_")}
    env.update(INTERVIEWER_CONFIG=str(home / "config.toml"), INTERVIEWER_DATA_DIR=str(home / "data"),
               INTERVIEWER_CACHE_DIR=str(home / "cache"), TMPDIR=str(home / "tmp"), PYTHONPATH=str(REPO))
    env.update(extra)
    return env


def bank_sentences() -> dict[str, list[str]]:
    """Each bundled rubric's id -> its model answer's sentences and concept statements (material for answers)."""
    import yaml

    material: dict[str, list[str]] = {}
    for path in sorted(BANK.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", str(data["model_answer"])) if s.strip()]
        sentences += [str(c["statement"]) for c in data["concepts"]]
        material[str(data["id"])] = sentences
    return material


def make_answer(rng: random.Random, sentences: list[str], token: str) -> str:
    """A plausible answer: some of the rubric's sentences, shuffled, with filler; ``token`` makes it findable."""
    chosen = rng.sample(sentences, k=rng.randint(1, min(5, len(sentences))))
    parts = [f"({token})"]
    for sentence in chosen:
        if rng.random() < 0.4:
            sentence = f"{rng.choice(FILLER).capitalize()}, {sentence[0].lower()}{sentence[1:]}"
        parts.append(sentence)
    return " ".join(parts)


def rescued(folders: Iterable[Path]) -> tuple[list[dict[str, Any]], list[str]]:
    """The records of every ``unsaved-answers.jsonl`` in ``folders``, and the 0-byte ones left behind."""
    records: list[dict[str, Any]] = []
    empty: list[str] = []
    for folder in folders:
        path = folder / RESCUE_FILE
        if not path.is_file():
            continue
        if path.stat().st_size == 0:
            empty.append(str(path))
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return records, empty


def database_answers(path: Path) -> tuple[list[tuple[str, bool]], str]:
    """(text, graded) of every answer in the database, and its integrity check ("ok" when sound)."""
    if not path.exists():
        return [], "no database"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [(str(t), g is not None) for t, g in db.execute("SELECT text, grade FROM answers")]
        rows += [(str(t), g is not None) for t, g in db.execute("SELECT text, grade FROM follow_ups")]
        check = str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()
    return rows, check


def fill_disk(folder: Path) -> int:
    """Write zeros into ``folder/filler`` until the file system is full; the bytes written."""
    written = 0
    with open(folder / "filler", "ab", buffering=0) as handle:
        for size in (1 << 16, 512, 1):
            while True:
                try:
                    written += handle.write(b"\0" * size)
                except OSError:
                    break
    return written


# -- a plain round driven prompt by prompt ---------------------------------------------------------------------
class PlainRound:
    """A ``practice --plain`` (or ``resume --plain``) process, answered one question at a time."""

    QUESTION = re.compile(r"^Question (\d+)/(\d+) \(([^)]+)\): ", re.MULTILINE)

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=env)
        self.out = ""
        self.err = ""
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=("out",), daemon=True).start()
        threading.Thread(target=self._read, args=("err",), daemon=True).start()

    def _read(self, which: str) -> None:
        stream = self.process.stdout if which == "out" else self.process.stderr
        assert stream is not None
        for raw in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
            with self._changed:
                setattr(self, which, getattr(self, which) + raw.decode("utf-8", errors="replace"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def next_question(self, asked: int) -> str | None:
        """Wait for question number ``asked + 1`` to be shown; its rubric id, or None if the process ended."""
        deadline = time.monotonic() + PROMPT_TIMEOUT
        with self._changed:
            while True:
                found = self.QUESTION.findall(self.out)
                if len(found) > asked:
                    return found[asked][2]
                if self.process.poll() is not None or time.monotonic() > deadline:
                    return None
                self._changed.wait(0.2)

    def answer(self, text: str) -> bool:
        """Type the answer and submit it (an empty line); False if the process no longer reads."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(text.replace("\n", " ").encode() + b"\n\n")
            self.process.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def finish(self, timeout: float = PROMPT_TIMEOUT) -> int:
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        time.sleep(0.1)
        with self._changed:
            self.log_path.write_text(f"exit {code}\n--- stdout ---\n{self.out}\n--- stderr ---\n{self.err}\n",
                                     encoding="utf-8")
        return code


# -- 1. grade-batch with kill -9 and resume ----------------------------------------------------------------------
class LineCounter:
    """Counts the lines of a growing file, reading only what was added since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.lines = 0

    def __call__(self) -> int:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                added = handle.read()
        except FileNotFoundError:
            return 0
        self.offset += len(added)
        self.lines += added.count(b"\n")
        return self.lines


def soak_batch(work: Path, args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    folder = work / "batch"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = environment(folder / "home")
    material = bank_sentences()
    ids = list(material)
    records = []
    for n in range(args.answers):
        rubric = rng.choice(ids)
        key = "rubric" if rng.random() < 0.9 else "question_id"
        records.append({"id": f"a{n:06d}", key: rubric, "answer": make_answer(rng, material[rubric], f"a{n:06d}")})
    by_id = {r["id"]: r for r in records}
    kept: dict[str, dict[str, Any]] = {}
    stats = {"parts": 0, "kills": 0, "kills_while_loading": 0, "torn_lines": 0, "corrupt_lines": 0,
             "duplicates": 0, "mismatched": 0, "failed_lines": 0, "stray_files": 0}
    kills_left = args.kills
    started = time.monotonic()
    log(f"batch: {args.answers} answers, {args.kills} kill(s), grader {args.grader}")
    while True:
        remaining = [r for r in records if r["id"] not in kept]
        if not remaining:
            break
        stats["parts"] += 1
        part = stats["parts"]
        source, target = folder / f"in-{part}.jsonl", folder / f"out-{part}.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in remaining), encoding="utf-8")
        process = subprocess.Popen([*command(args.grader), "grade-batch", str(source), "-o", str(target), "-q"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        killed = False
        if kills_left > 0 and len(remaining) > 1:
            if rng.random() < 0.15:  # now and then while the models load, before any line is written
                time.sleep(rng.uniform(0.05, 2.0))
                stats["kills_while_loading"] += 1
                at = 0
            else:
                at = rng.randint(1, len(remaining) - 1)
                written = LineCounter(target)
                while process.poll() is None and written() < at:
                    time.sleep(0.05)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed = True
                kills_left -= 1
                stats["kills"] += 1
        _, err = process.communicate()
        code = process.returncode
        stats["failed_lines"] += len(re.findall(rb"\(line skipped\)", err))
        new = 0
        data = target.read_bytes() if target.exists() else b""
        lines = data.split(b"\n")
        if lines and lines[-1]:
            stats["torn_lines"] += 1  # a line cut by the kill: dropped, graded again
        for raw in lines[:-1]:
            try:
                item = json.loads(raw)
                record_id = item["id"]
                float(item["predicted_score"])
            except (ValueError, KeyError, TypeError):
                stats["corrupt_lines"] += 1
                continue
            if record_id in kept:
                stats["duplicates"] += 1
                continue
            if by_id.get(record_id, {}).get("answer") != item.get("answer"):
                stats["mismatched"] += 1
                continue
            kept[record_id] = item
            new += 1
        stats["stray_files"] = len([p for p in folder.iterdir() if p.name.startswith(".")])
        log(f"batch part {part}: {len(remaining)} to grade, {'killed -9' if killed else f'exit {code}'} after "
            f"{new} line(s) kept; {len(kept)}/{len(records)} kept so far")
        if not killed and new == 0:
            log(f"batch: part {part} ended without progress (exit {code}): {err.decode(errors='replace')[-500:]}")
            break
    seconds = time.monotonic() - started
    submitted = len(records)
    result = {"submitted": submitted, "kept": len(kept), "lost": submitted - len(kept), **stats,
              "seconds": round(seconds, 1), "answers_per_second": round(len(kept) / seconds, 1) if seconds else None}
    log(f"batch: submitted {submitted}, kept {len(kept)}, lost {submitted - len(kept)} ({json.dumps(stats)})")
    return result


# -- 2. two rounds on one database at once -------------------------------------------------------------------------
def drive_rounds(who: str, rounds: int, argv: list[str], env: dict[str, str], folder: Path, rng: random.Random,
                 material: dict[str, list[str]], submitted: list[str], exits: list[int], errors: list[str]) -> None:
    for r in range(rounds):
        play = PlainRound([*argv, "practice", "--plain", "--count", "15", "--seed", str(rng.randrange(10**6))], env,
                          folder / f"round-{who}-{r}.log")
        asked = 0
        while True:
            rubric = play.next_question(asked)
            if rubric is None:
                break
            asked += 1
            token = f"soak-{who}-{r}-{asked}"
            time.sleep(rng.uniform(0, 0.05))
            if not play.answer(make_answer(rng, material.get(rubric, ["I am not sure."]), token)):
                break
            submitted.append(token)
        exits.append(play.finish())
        errors.extend(f"{who}{r}: {line}" for line in play.err.splitlines() if "error" in line or "Traceback" in line)


def soak_rounds(work: Path, args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    folder = work / "rounds"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    database = folder / "interviewer.db"
    env = environment(folder / "home", INTERVIEWER_DATABASE=str(database))
    material = bank_sentences()
    submitted: list[str] = []
    exits: list[int] = []
    errors: list[str] = []
    log(f"rounds: two processes, {args.rounds} round(s) of 15 questions each, one database, grader {args.grader}")
    started = time.monotonic()
    threads = [threading.Thread(target=drive_rounds, args=(who, args.rounds, command(args.grader), env, folder,
                                                            random.Random(rng.random()), material, submitted, exits, errors))
               for who in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows, integrity = database_answers(database)
    rescue, empty = rescued([folder, folder / "home" / "data", folder / "home" / "tmp"])
    texts = [t for t, _ in rows] + [str(r.get("answer", "")) for r in rescue]
    kept = [token for token in submitted if any(f"({token})" in t for t in texts)]
    ungraded = sum(1 for _, graded in rows if not graded)
    result = {"submitted": len(submitted), "kept": len(kept), "lost": len(submitted) - len(kept),
              "ungraded_in_database": ungraded, "rescued": len(rescue), "zero_byte_rescue_files": empty,
              "exit_codes": sorted(exits), "errors": errors, "integrity": integrity, "seconds": round(time.monotonic() - started, 1)}
    log(f"rounds: submitted {len(submitted)}, kept {len(kept)}, lost {len(submitted) - len(kept)}; exits {exits}; "
        f"{ungraded} ungraded; integrity {integrity}")
    for line in errors:
        log(f"rounds: {line}")
    return result


# -- 3. the disk fills mid-round ---------------------------------------------------------------------------------
def mount_tmpfs(path: Path, size: str) -> str | None:
    """Mount a tmpfs of ``size`` at ``path``; None if done, else why not."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return "not root: a tmpfs needs `mount`, which needs root (run as root, or skip with --only batch,rounds)"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True,
                          text=True, check=False)
    return None if done.returncode == 0 else f"mount failed: {done.stderr.strip()}"


def soak_disk(work: Path, args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    folder = work / "disk"
    if folder.exists():
        subprocess.run(["umount", "-l", str(folder / "mnt")], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    mount = folder / "mnt"
    why = mount_tmpfs(mount, args.disk_size)
    if why is not None:
        log(f"disk: skipped ({why})")
        return {"skipped": why, "submitted": 0, "kept": 0, "lost": 0}
    material = bank_sentences()
    submitted: list[str] = []
    details = []
    started = time.monotonic()
    try:
        database = mount / "interviewer.db"
        home = folder / "home"
        env = environment(home, INTERVIEWER_DATABASE=str(database), INTERVIEWER_DATA_DIR=str(mount / "data"))
        log(f"disk: {args.disk_rounds} round(s) on a {args.disk_size} tmpfs filled after a random answer")
        for r in range(args.disk_rounds):
            fill_after = rng.randint(1, 10)
            play = PlainRound([*command(args.grader), "practice", "--plain", "--count", "15", "--seed", str(r)], env,
                              folder / f"round-{r}.log")
            asked = 0
            while True:
                rubric = play.next_question(asked)
                if rubric is None:
                    break
                asked += 1
                token = f"disk-{r}-{asked}"
                if not play.answer(make_answer(rng, material.get(rubric, ["I am not sure."]), token)):
                    break
                submitted.append(token)
                if asked == fill_after:
                    time.sleep(rng.uniform(0, 0.3))  # sometimes while saving the answer, sometimes while grading
                    fill_disk(mount)
            code = play.finish()
            error = next((line for line in play.err.splitlines() if "error" in line), "")
            (mount / "filler").unlink(missing_ok=True)
            resumed_code = None
            if code != 0:  # carry on with the newest unfinished session, as the error tells the user to
                again = PlainRound([*command(args.grader), "resume", "--plain"], env,
                                   folder / f"resume-{r}.log")
                asked_again = 0
                while True:
                    rubric = again.next_question(asked_again)
                    if rubric is None:
                        break
                    asked_again += 1
                    token = f"disk-{r}-resumed-{asked_again}"
                    if not again.answer(make_answer(rng, material.get(rubric, ["I am not sure."]), token)):
                        break
                    submitted.append(token)
                resumed_code = again.finish()
            details.append({"round": r, "filled_after": fill_after, "exit": code, "error": error,
                            "resume_exit": resumed_code})
            log(f"disk round {r}: filled after answer {fill_after}, exit {code}: {error[:160]!r}; "
                f"resume exit {resumed_code}")
        rows, integrity = database_answers(database)
        rescue, empty = rescued([mount, mount / "data", home / "data", home / "tmp"])
        texts = [t for t, _ in rows] + [str(x.get("answer", "")) for x in rescue]
        kept = [token for token in submitted if any(f"({token})" in t for t in texts)]
        ungraded = sum(1 for _, graded in rows if not graded)
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)
    result = {"submitted": len(submitted), "kept": len(kept), "lost": len(submitted) - len(kept),
              "rescued": len(rescue), "ungraded_in_database": ungraded, "zero_byte_rescue_files": empty,
              "integrity": integrity, "rounds": details, "seconds": round(time.monotonic() - started, 1)}
    log(f"disk: submitted {len(submitted)}, kept {len(kept)}, lost {len(submitted) - len(kept)}; {len(rescue)} "
        f"rescued; {ungraded} ungraded; 0-byte rescue files {empty}; integrity {integrity}")
    return result


# -- main ----------------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workdir", type=Path, help="scratch folder (created; each scenario's old files are removed)")
    parser.add_argument("--answers", type=int, default=10_000, help="grade-batch answers (default %(default)s)")
    parser.add_argument("--kills", type=int, default=5, help="kill -9s of grade-batch (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per process in the concurrent scenario "
                        "(default %(default)s)")
    parser.add_argument("--disk-rounds", type=int, default=3, help="rounds on the filling disk (default %(default)s)")
    parser.add_argument("--disk-size", default="2m", help="size of the tmpfs (default %(default)s)")
    parser.add_argument("--grader", choices=("real", "fake"), default="real",
                        help="real models, or the tests' hashing embedder (default %(default)s)")
    parser.add_argument("--only", default="batch,rounds,disk", help="scenarios to run, comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    scenarios = {"batch": soak_batch, "rounds": soak_rounds, "disk": soak_disk}
    unknown = [s for s in chosen if s not in scenarios]
    if unknown:
        parser.error(f"--only: unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(scenarios)}")
    results: dict[str, Any] = {"grader": args.grader, "seed": args.seed}
    for name in chosen:
        results[name] = scenarios[name](work, args, random.Random(rng.random()))
    submitted = sum(results[n]["submitted"] for n in chosen)
    kept = sum(results[n]["kept"] for n in chosen)
    results.update(submitted=submitted, kept=kept, lost=submitted - kept)
    log(f"total: submitted {submitted}, kept {kept}, lost {submitted - kept}")
    print(json.dumps(results))
    return 0 if submitted == kept else 1


if __name__ == "__main__":
    sys.exit(main())
