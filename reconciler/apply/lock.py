"""The apply lock: two applies against one repository never interleave.

The lock is an OS lock (`flock` through the filelock library) on
`.idc/apply.lock`: the kernel lets one process hold it at a time and drops it
when that process ends, however it ends (`kill -9` included), so there is no
stale lock to detect, take over or delete by hand.

Who holds it (host, pid, user, time, journal) goes to a side file,
`.idc/apply.holder.json`, written after the lock is taken and removed before
it is released, so a refused apply can say who is in the way. It is only ever
read for that message: whether the lock is free is the kernel's answer alone.
An optional S3 object extends the lock across machines (CI runners) through a
conditional put (reconciler.aws.s3_lock).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock

from reconciler.apply.journal import utc_now
from reconciler.errors import IdcError
from reconciler.fsutil import atomic_write_text

LOCK_FILE = Path(".idc") / "apply.lock"
HOLDER_FILE = Path(".idc") / "apply.holder.json"


class LockHeldError(IdcError):
    """Another apply holds the lock."""


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    user: str
    time: str
    journal: str = ""

    @classmethod
    def me(cls, journal: str = "") -> Holder:
        try:
            user = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            user = str(os.getuid())
        return cls(socket.gethostname(), os.getpid(), user, utc_now(), journal)

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "pid": self.pid,
            "user": self.user,
            "time": self.time,
            "journal": self.journal,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Holder:
        return cls(
            host=str(data.get("host", "?")),
            pid=int(data.get("pid", 0)),
            user=str(data.get("user", "?")),
            time=str(data.get("time", "?")),
            journal=str(data.get("journal", "")),
        )

    def describe(self) -> str:
        text = f"pid {self.pid} of {self.user} on {self.host} since {self.time}"
        return text + (f", journal {self.journal}" if self.journal else "")


class LocalLock:
    """`<repo>/.idc/apply.lock`, held with flock; never waits for it."""

    def __init__(self, repo: Path) -> None:
        self.path = repo / LOCK_FILE
        self.holder_path = repo / HOLDER_FILE
        self.holder: Holder | None = None
        self._lock: filelock.BaseFileLock | None = None

    def acquire(self, journal: str = "") -> Holder:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.path)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            raise LockHeldError(
                f"another apply holds the lock {self.path}: {self._holder_text()}; "
                "wait for it to finish"
            ) from None
        me = Holder.me(journal)
        try:
            atomic_write_text(self.holder_path, json.dumps(me.to_json()) + "\n")
        except BaseException:
            lock.release()
            raise
        self._lock, self.holder = lock, me
        return me

    def release(self) -> None:
        if self._lock is None:
            return
        # Forget the holder while still holding the lock, so nobody refused
        # afterwards is told about an apply that has finished.
        self.holder_path.unlink(missing_ok=True)
        self._lock.release()
        self._lock = self.holder = None

    def _holder_text(self) -> str:
        try:
            return Holder.from_json(json.loads(self.holder_path.read_text("utf-8"))).describe()
        except (OSError, ValueError, TypeError, AttributeError):
            # Taken an instant ago and not written yet (or unreadable).
            return "a process that has not recorded who it is yet"


@contextlib.contextmanager
def apply_lock(
    repo: Path,
    journal: str = "",
    warn: Callable[[str], None] = lambda _: None,
    remote: tuple[Callable[[dict[str, Any]], None], Callable[[], None]] | None = None,
) -> Iterator[Holder]:
    """Hold the local lock (and the remote one, `(acquire, release)`, if given).

    `warn` is kept for callers: an OS lock never has a stale holder to warn about.
    """
    del warn
    lock = LocalLock(repo)
    holder = lock.acquire(journal)
    try:
        if remote is not None:
            remote[0](holder.to_json())
        try:
            yield holder
        finally:
            if remote is not None:
                remote[1]()
    finally:
        lock.release()
