"""The apply lock: two applies against one repository never interleave.

The lock is an OS lock (`flock` through the filelock library) on
`.idc/apply.lock`: the kernel lets one process hold it at a time and drops it
when that process ends, however it ends (`kill -9` included), so there is no
stale lock to detect, take over or delete by hand.

Who holds it (host, pid, user, time, journal, command, CI run) goes to a side file,
`.idc/apply.holder.json`, written after the lock is taken and removed before
it is released, so a refused apply can say who is in the way. It is only ever
read for that message: whether the lock is free is the kernel's answer alone.
The OS lock is per clone: two clones (a laptop and a CI runner) each get
their own. The S3 lock (`lock.s3`, a lease: reconciler.apply.lease) extends
it across machines, taken after the local one; without it, an apply warns
when the repository has a CI workflow applying too (`unshared_lock_warning`).
`idc unlock` shows both holders and removes a stale S3 lock (`lock_status`,
`remove_s3_lock`).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filelock

from reconciler.apply.holder import Holder
from reconciler.apply.lease import Clock, Lease, S3Lease, system_clock
from reconciler.aws.s3_lock import S3LockStore
from reconciler.errors import IdcError
from reconciler.fsutil import atomic_write_text

LOCK_FILE = Path(".idc") / "apply.lock"
HOLDER_FILE = Path(".idc") / "apply.holder.json"


class LockHeldError(IdcError):
    """Another apply holds the lock."""


class LocalLock:
    """`<repo>/.idc/apply.lock`, held with flock; never waits for it."""

    def __init__(self, repo: Path) -> None:
        self.path = repo / LOCK_FILE
        self.holder_path = repo / HOLDER_FILE
        self.holder: Holder | None = None
        self._lock: filelock.BaseFileLock | None = None

    def acquire(self, journal: str = "", command: str = "") -> Holder:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.path)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            raise LockHeldError(
                f"another apply holds the lock {self.path}: {self._holder_text()}; "
                "wait for it to finish"
            ) from None
        me = Holder.me(journal, command)
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
        holder = self.recorded_holder()
        # None: taken an instant ago and not written yet (or unreadable).
        return holder.describe() if holder else "a process that has not recorded who it is yet"

    def recorded_holder(self) -> Holder | None:
        try:
            return Holder.from_json(json.loads(self.holder_path.read_text("utf-8")))
        except (OSError, ValueError, TypeError, AttributeError):
            return None

    def is_held(self) -> bool:
        """Whether some process holds it now (asked of the kernel, never waits)."""
        if not self.path.exists():
            return False
        probe = filelock.FileLock(self.path)
        try:
            probe.acquire(timeout=0)
        except filelock.Timeout:
            return True
        probe.release()
        return False


@contextlib.contextmanager
def apply_lock(
    repo: Path,
    journal: str = "",
    warn: Callable[[str], None] = lambda _: None,
    remote: S3Lease | None = None,
    command: str = "",
) -> Iterator[Holder]:
    """Hold the local lock, then the S3 lease if given (renewed until the end).

    `warn` hears of an expired S3 lease taken over from a dead run."""
    lock = LocalLock(repo)
    holder = lock.acquire(journal, command)
    try:
        if remote is not None:
            taken = remote.acquire(holder)
            if taken is not None:
                warn(
                    f"took over the S3 lock {remote.url}, whose lease had run out: "
                    f"{taken.describe(remote.clock())}"
                )
        try:
            yield holder
        finally:
            if remote is not None:
                remote.release()
    finally:
        lock.release()


# --- idc unlock ----------------------------------------------------------------


@dataclass(frozen=True)
class LockStatus:
    """Who holds each lock right now (None: free), as `idc unlock` shows it."""

    local_path: Path
    local: Holder | None
    local_held: bool
    s3_url: str | None
    s3: Lease | None
    now: datetime


def lock_status(repo: Path, store: S3LockStore | None, clock: Clock = system_clock) -> LockStatus:
    local = LocalLock(repo)
    held = local.is_held()
    s3 = None
    if store is not None:
        found = store.read()
        s3 = Lease.of(found) if found is not None else None
    return LockStatus(
        local.path,
        local.recorded_holder() if held else None,
        held,
        store.url if store else None,
        s3,
        clock(),
    )


def remove_s3_lock(store: S3LockStore, shown: Lease, clock: Clock = system_clock) -> None:
    """Delete the lock object only if it is still the version `shown`."""
    if store.delete(shown.etag):
        return
    found = store.read()
    if found is None:
        raise IdcError(f"the S3 lock {store.url} is already gone; nothing removed")
    raise IdcError(
        f"the S3 lock {store.url} changed since it was shown (renewed or taken again: "
        f"{Lease.of(found).describe(clock())}); nothing removed, run `idc unlock` again"
    )


# --- the warning when the lock is per clone -------------------------------------

WORKFLOWS = Path(".github") / "workflows"
_APPLY_RUN = re.compile(r"\bidc\b[^\n]*\bapply\b")


def applying_workflows(repo: Path) -> list[str]:
    """Workflow files running `idc ... apply`: the repository's own, or those
    of the git work tree it is a folder of (where `idc init` puts them)."""
    repo = repo.resolve()
    root = next((d for d in (repo, *repo.parents) if (d / ".git").exists()), repo)
    found = []
    for path in sorted({*(repo / WORKFLOWS).glob("*.y*ml"), *(root / WORKFLOWS).glob("*.y*ml")}):
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError:
            continue
        if _APPLY_RUN.search(text):
            found.append(str(path.relative_to(root)))
    return found


def unshared_lock_warning(
    repo: Path, lock_s3: str | None, environ: Mapping[str, str]
) -> str | None:
    """Why the local lock alone does not stop a concurrent apply, or None.

    The OS lock is per clone; a CI workflow applying from its own checkout
    is another clone. Its `concurrency:` group serializes runs of that
    workflow only, never an apply from a laptop."""
    if lock_s3:
        return None
    workflows = applying_workflows(repo)
    if not workflows:
        return None
    if environ.get("GITHUB_ACTIONS") == "true":
        return (
            "no shared lock: the workflow's concurrency group serializes its own runs only, "
            "an apply from a laptop or another clone can run at the same time; "
            "configure lock.s3 in idc.yaml"
        )
    return (
        f"no shared lock: {workflows[0]} applies from its own clone, so another clone or "
        "CI run can apply at the same time; configure lock.s3 in idc.yaml"
    )
