"""The apply lock: two applies against one repository never interleave.

A lock file created with O_EXCL holds who owns it (host, pid, user, time,
journal), so a refused apply can say who is in the way. A lock left by a
process that died on this host is taken over with a warning; one from another
host is never guessed about. An optional S3 object extends the lock across
machines (CI runners) through a conditional put (reconciler.aws.s3_lock).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.apply.journal import utc_now
from reconciler.errors import IdcError

LOCK_FILE = Path(".idc") / "apply.lock"


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


class FileLock:
    """`<repo>/.idc/apply.lock`, created exclusively, removed on release."""

    def __init__(self, repo: Path, warn: Callable[[str], None] = lambda _: None) -> None:
        self.path = repo / LOCK_FILE
        self.warn = warn
        self.holder: Holder | None = None

    def acquire(self, journal: str = "") -> Holder:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        me = Holder.me(journal)
        for _ in range(3):
            if self._create(me):
                self.holder = me
                return me
            current = self._read()
            if current is None:
                continue  # released (or half-written) between our two steps: retry
            if current.pid == 0 or (
                current.host == socket.gethostname() and not _alive(current.pid)
            ):
                self._take_over(current)
                continue
            raise LockHeldError(
                f"another apply holds the lock {self.path}: {current.describe()}; "
                "wait for it to finish (if that process is gone for good, delete the lock file)"
            )
        raise LockHeldError(f"could not acquire the lock {self.path}: it keeps changing hands")

    def release(self) -> None:
        if self.holder is None:
            return
        current = self._read()
        if current is not None and (current.host, current.pid) == (
            self.holder.host,
            self.holder.pid,
        ):
            self.path.unlink(missing_ok=True)
        self.holder = None

    def _create(self, me: Holder) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as handle:
            json.dump(me.to_json(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        return True

    def _read(self) -> Holder | None:
        try:
            return Holder.from_json(json.loads(self.path.read_text()))
        except FileNotFoundError:
            return None
        except ValueError:
            # Written by a process killed between create and write: stale only
            # if it stays empty, so give a live writer a moment first.
            if _age(self.path) > 5:
                return Holder("?", 0, "?", "?")
            return None

    def _take_over(self, dead: Holder) -> None:
        """Move the dead holder's lock aside atomically; of several processes
        taking over at once, only the one whose rename succeeds warns."""
        aside = self.path.with_name(f"{self.path.name}.stale-{os.getpid()}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        aside.unlink(missing_ok=True)
        self.warn(
            f"warning: took over a stale apply lock left by {dead.describe()} "
            "(that process no longer runs)"
        )


@contextlib.contextmanager
def apply_lock(
    repo: Path,
    journal: str = "",
    warn: Callable[[str], None] = lambda _: None,
    remote: tuple[Callable[[dict[str, Any]], None], Callable[[], None]] | None = None,
) -> Iterator[Holder]:
    """Hold the local lock (and the remote one, `(acquire, release)`, if given)."""
    lock = FileLock(repo, warn)
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


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
