"""The apply journal: append-only JSON Lines, fsynced, readable after `kill -9`.

Line 1 is a header holding every operation of the run with its inverse, so
a journal alone is enough to resume or undo. Each mutation adds an `intent`
record (fsynced BEFORE the AWS call) and a `done` record after it. With
--continue-on-error, an op left out because it needs one that failed gets a
`skipped` record instead (no call was made). A process killed mid-write
leaves at most one torn last line, which readers ignore.

A journal that cannot be written (disk full, an I/O error, a short write)
stops the run before its next AWS call (`JournalWriteError`). What is on
disk stays safe to undo from: every call made has its intent there, so an
op whose done record was lost is in doubt and settled against live state.

`Fate` is the one definition of what became of an operation, used by every
reader of journals (resume, rollback, reports): see its docstring.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from reconciler import __version__
from reconciler.errors import AwsError, IdcError
from reconciler.fsutil import fsync_dir
from reconciler.model.operations import Op

JOURNAL_FORMAT = 1
JOURNAL_DIR = "journal"
# One line per scheduled or CI run (store.runs), kept beside the journals so
# the workflow commits it with them.
RUNS_FILE = "runs.jsonl"
# JSON Lines files in journal/ that are logs, not journals (apply.audit.AUDIT_FILE).
NOT_JOURNALS = frozenset({"audit.jsonl", RUNS_FILE})
JournalKind = Literal["apply", "rollback", "resume"]


class Fate(StrEnum):
    """What became of one operation of a journal, from its records.

    DONE: it took effect (AWS reported success, or live state was checked).
    FAILED: AWS refused it, which proves it changed nothing (AwsError.refused:
    a client error that is not a timeout, after no unanswered attempt).
    IN_DOUBT: it started and its outcome is unknown (a crash, Ctrl-C, a 5xx,
    a lost connection): only live state can tell.
    SKIPPED: not called, because it needs an op that did not take effect.
    NOT_RUN: never started.
    """

    DONE = "done"
    FAILED = "failed"
    IN_DOUBT = "in doubt"
    SKIPPED = "skipped"
    NOT_RUN = "not run"


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_journal_path(directory: Path) -> Path:
    """`<dir>/<UTC time>-<short id>.jsonl`: sorts by time, never collides."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return directory / f"{stamp}-{secrets.token_hex(3)}.jsonl"


@dataclass(frozen=True)
class Header:
    kind: JournalKind
    pairs: tuple[tuple[Op, Op], ...]  # (op, inverse), index = seq
    plan_fingerprint: str = ""
    instance_arn: str = ""
    identity_store_id: str = ""
    caller: Mapping[str, str] = field(default_factory=dict)
    parent: str | None = None  # file name of the journal this one resumes or undoes
    undoes: tuple[int, ...] = ()  # rollback only: the parent's seq each op undoes
    # Failed assignment/provisioning ops did not stop the run (resumes inherit it).
    continue_on_error: bool = False
    time: str = ""
    tool_version: str = __version__

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "header",
            "format": JOURNAL_FORMAT,
            "kind": self.kind,
            "time": self.time or utc_now(),
            "tool_version": self.tool_version,
            "plan_fingerprint": self.plan_fingerprint,
            "instance_arn": self.instance_arn,
            "identity_store_id": self.identity_store_id,
            "caller": dict(self.caller),
            "parent": self.parent,
            "ops": [{"op": op.to_json(), "inverse": inv.to_json()} for op, inv in self.pairs],
            "undoes": list(self.undoes),
            "continue_on_error": self.continue_on_error,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Header:
        return cls(
            kind=data["kind"],
            pairs=tuple((Op.from_json(p["op"]), Op.from_json(p["inverse"])) for p in data["ops"]),
            plan_fingerprint=data.get("plan_fingerprint", ""),
            instance_arn=data.get("instance_arn", ""),
            identity_store_id=data.get("identity_store_id", ""),
            caller=dict(data.get("caller") or {}),
            parent=data.get("parent"),
            undoes=tuple(data.get("undoes") or ()),
            continue_on_error=bool(data.get("continue_on_error", False)),
            time=data.get("time", ""),
            tool_version=data.get("tool_version", ""),
        )


class JournalWriteError(IdcError):
    """A record could not be written: the run must make no further call."""

    def __init__(self, path: Path, cause: OSError) -> None:
        self.path = path
        self.cause = cause
        reason = cause.strerror or str(cause)
        super().__init__(f"could not write the journal {path.name}: {reason}")


class JournalWriter:
    """Appends records, each flushed and fsynced before the call returns.

    Thread-safe: asynchronous operations report completion from worker threads.
    After one failed write every later one fails too, so a torn record stays
    the last line (module docstring).
    """

    def __init__(self, path: Path, header: Header) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._broken: JournalWriteError | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        except OSError as exc:
            raise JournalWriteError(path, exc) from exc
        try:
            self._append(header.to_json())
            fsync_dir(path.parent)  # the file's name survives a crash too
        except (JournalWriteError, OSError) as exc:
            self.close()
            path.unlink(missing_ok=True)  # no call was made: nothing to keep
            cause = exc.cause if isinstance(exc, JournalWriteError) else exc
            raise JournalWriteError(path, cause) from exc

    def intent(self, seq: int, op: Op, inverse: Op) -> None:
        self._append(
            {
                "type": "intent",
                "seq": seq,
                "time": utc_now(),
                "op": op.to_json(),
                "inverse": inverse.to_json(),
            }
        )

    def done(self, seq: int, error: AwsError | None = None, verified: bool = False) -> None:
        record: dict[str, Any] = {"type": "done", "seq": seq, "time": utc_now(), "ok": not error}
        if error is not None:
            record["error"] = {
                "operation": error.operation,
                "resource": error.resource,
                "code": error.code,
                "reason": error.reason,
                "refused": error.refused,  # proves nothing changed (Fate.FAILED)
            }
        if verified:
            record["verified"] = True  # settled by reading live state, no call made
        self._append(record)

    def skipped(self, seq: int, needs: int) -> None:
        """Op `seq` was not run: it needs op `needs`, which did not take effect."""
        self._append({"type": "skipped", "seq": seq, "time": utc_now(), "needs": needs})

    def end(self, status: str, message: str = "") -> None:
        self._append({"type": "end", "time": utc_now(), "status": status, "message": message})

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def _append(self, record: Mapping[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
        with self._lock:
            if self._broken is not None:
                raise self._broken
            try:
                written = os.write(self._fd, line)
                if written != len(line):
                    raise OSError(errno.ENOSPC, f"short write ({written} of {len(line)} bytes)")
                os.fsync(self._fd)
            except OSError as exc:
                self._broken = JournalWriteError(self.path, exc)
                raise self._broken from exc


@dataclass
class Journal:
    """A journal as read back: each operation's fate in this run, and its end."""

    path: Path
    header: Header
    intents: set[int] = field(default_factory=set)
    ok: set[int] = field(default_factory=set)
    errors: dict[int, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[int, int] = field(default_factory=dict)  # seq -> the seq it needed
    # seq -> Fate, for the ops this run touched (the others are NOT_RUN here).
    fates: dict[int, Fate] = field(default_factory=dict)
    end: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def in_doubt(self) -> set[int]:
        """Started, outcome unknown: the call may or may not have happened."""
        return {seq for seq, fate in self.fates.items() if fate is Fate.IN_DOUBT}


def read_journal(path: Path) -> Journal:
    """Parse a journal; a torn (unterminated or unparsable) last line is ignored."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IdcError(f"{path}: cannot read journal: {exc.strerror or exc}") from exc
    lines = raw.split(b"\n")
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        last = number == len(lines)  # no newline after it: torn by a crash
        try:
            records.append(json.loads(line))
        except ValueError as exc:
            if last or all(not rest.strip() for rest in lines[number:]):
                break
            raise IdcError(f"{path}:{number}: corrupt journal record") from exc
        if last:
            records.pop()  # complete JSON but no newline: the write was cut short
    records = [r for r in records if isinstance(r, dict)]  # a stray JSON value is no record
    if not records or records[0].get("type") != "header":
        raise IdcError(f"{path}: not an idc journal (no header record)")
    try:
        header = Header.from_json(records[0])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise IdcError(f"{path}: not an idc journal (malformed header: {exc!r})") from exc
    journal = Journal(path=path, header=header)
    for record in records[1:]:
        kind, seq = record.get("type"), record.get("seq")
        if kind == "end":
            journal.end = record
        if not isinstance(seq, int):
            continue
        if kind == "intent":
            journal.intents.add(seq)
            journal.fates[seq] = Fate.IN_DOUBT
        elif kind == "done" and record.get("ok"):
            journal.ok.add(seq)
            journal.errors.pop(seq, None)
            journal.fates[seq] = Fate.DONE
        elif kind == "done":
            error = dict(record.get("error") or {})
            journal.errors[seq] = error
            journal.fates[seq] = Fate.FAILED if error.get("refused") else Fate.IN_DOUBT
        elif kind == "skipped":
            journal.skipped[seq] = int(record.get("needs", -1))
            journal.fates[seq] = Fate.SKIPPED
    return journal


def resolve_journal(directory: Path, given: str | Path) -> Path:
    """A journal named by path, by file name in the repo's journal/, or by prefix."""
    path = Path(given)
    if path.is_file():
        return path
    candidates = (directory / str(given), directory / f"{given}.jsonl", directory.parent / given)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    matches = sorted(directory.glob(f"{given}*.jsonl")) if directory.is_dir() else []
    if len(matches) == 1:
        return matches[0]
    raise IdcError(f"no journal {given} (looked in {directory})")


def children(directory: Path, parent: str, kinds: Sequence[str]) -> list[Journal]:
    """Journals in `directory` whose header names `parent`, oldest first."""
    out: list[Journal] = []
    for path in sorted(directory.glob("*.jsonl")):
        if path.name == parent or path.name in NOT_JOURNALS:
            continue
        try:
            journal = read_journal(path)
        except IdcError:
            continue
        if journal.header.parent == parent and journal.header.kind in kinds:
            out.append(journal)
    return out
