"""The S3 lock as a lease: held while renewed, free once it runs out.

An S3 object does not vanish when the process that wrote it is killed, so a
bare lock object left by a dead run would block every apply until deleted
by hand. The object therefore carries `expires_at`: the holder renews it
every third of the lease, and anyone finding it expired may take it over.

Every step is a conditional write (reconciler.aws.s3_lock), so no two
processes ever both believe they hold it:
- acquire creates the object only if there is none (IfNoneMatch);
- taking over an expired lease overwrites exactly the version read
  (IfMatch): of two racing takers one write fails;
- renewal overwrites only the holder's own last version: if it fails the
  lease was taken over (or removed with `idc unlock`) and the holder knows;
- release deletes only the holder's own version.

The holder learns of a lost lease through `check()`, which the executor
calls before every write (Target.guard): it fails when a renewal found the
lock taken, and also when renewals kept failing (S3 unreachable) until too
little of the lease is left to be sure nobody can take it over. Expiry is
judged on the clock of whoever reads it; clocks of the machines sharing the
lock must agree within much less than two thirds of the lease.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.apply.holder import Holder
from reconciler.aws.s3_lock import LockObject, S3LockStore
from reconciler.errors import IdcError

Clock = Callable[[], datetime]
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
ATTEMPTS = 3  # create / take over rounds before giving up on a lock that keeps changing


class S3LockHeldError(IdcError):
    """The S3 lock is held by another apply whose lease has not run out."""


class LockLostError(IdcError):
    """This apply no longer holds its S3 lock: it must not write any more."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP)


def parse_stamp(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text), STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Lease:
    """One version of the lock object as a lease: who, until when, which ETag."""

    holder: Holder
    expires_at: datetime | None  # None: unreadable or without expiry (never runs out)
    etag: str

    @classmethod
    def of(cls, found: LockObject) -> Lease:
        return cls(
            Holder.from_json(found.body), parse_stamp(found.body.get("expires_at")), found.etag
        )

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def describe(self, now: datetime) -> str:
        if self.expires_at is None:
            until = "with no expiry recorded (remove it with `idc unlock`)"
        elif self.expired(now):
            until = f"lease ran out at {stamp(self.expires_at)}"
        else:
            until = f"lease until {stamp(self.expires_at)}"
        return f"{self.holder.describe()}; {until}"


class S3Lease:
    """This process's lease on the lock object at `store.url`."""

    def __init__(
        self,
        store: S3LockStore,
        lease_seconds: float,
        clock: Clock = system_clock,
        renew_every: float | None = None,
        background: bool = True,
    ) -> None:
        self.store = store
        self.duration = timedelta(seconds=lease_seconds)
        self.renew_every = lease_seconds / 3 if renew_every is None else renew_every
        self.clock = clock
        self.background = background
        self.etag: str | None = None
        self.expires_at: datetime | None = None
        self.lost: LockLostError | None = None
        self.last_error: IdcError | None = None
        self._body: dict[str, Any] = {}
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.store.url

    def acquire(self, holder: Holder) -> Lease | None:
        """Take the lock; the expired lease taken over, if any (for a warning).

        Raises S3LockHeldError naming the holder of a lease still running."""
        self._body = {**holder.to_json(), "lease_id": uuid.uuid4().hex}
        for _ in range(ATTEMPTS):
            now = self.clock()
            etag = self.store.create(self._versioned(now))
            if etag is not None:
                self._held(etag, now)
                return None
            found = self.store.read()
            if found is None:
                continue  # released between our create and our read: create again
            current = Lease.of(found)
            if not current.expired(now):
                raise self._held_error(current, now)
            etag = self.store.replace(self._versioned(now), current.etag)
            if etag is not None:
                self._held(etag, now)
                return current
            # another taker (or a late renewal) won that version: look again
        found = self.store.read()
        if found is not None:
            raise self._held_error(Lease.of(found), self.clock())
        raise S3LockHeldError(f"the S3 lock {self.url} kept changing while taking it; try again")

    def renew(self) -> None:
        """Push the expiry a lease ahead; LockLostError if the lock is not ours."""
        with self._mutex:
            if self.lost is not None:
                raise self.lost
            if self.etag is None:
                return
            now = self.clock()
            etag = self.store.replace(self._versioned(now), self.etag)
            if etag is None:
                try:
                    found = self.store.read()
                except IdcError:  # 403 for a missing object without s3:ListBucket
                    found = None
                now_held = (
                    f"it is now held by {Lease.of(found).describe(now)}"
                    if found is not None
                    else "it was removed (`idc unlock`?)"
                )
                self.lost = LockLostError(
                    f"this apply lost the S3 lock {self.url}: {now_held}; stopped before "
                    "the next write"
                )
                raise self.lost
            self.etag, self.expires_at, self.last_error = etag, now + self.duration, None

    def check(self) -> None:
        """Fail closed before a write: the lock was taken, or may be any moment."""
        if self.lost is not None:
            raise self.lost
        if self.expires_at is not None and self.clock() >= self.expires_at - timedelta(
            seconds=self.renew_every
        ):
            why = f" ({self.last_error})" if self.last_error else ""
            raise LockLostError(
                f"the lease on the S3 lock {self.url} could not be renewed{why} and runs out "
                f"at {stamp(self.expires_at)}; stopped before the next write, as another "
                "apply may take it over"
            )

    def release(self) -> bool:
        """Stop renewing and delete our version; False if it was not ours any more."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._mutex:
            etag, self.etag = self.etag, None
            if etag is None or self.lost is not None:
                return False
            return self.store.delete(etag)

    def _versioned(self, now: datetime) -> dict[str, Any]:
        expires = now + self.duration
        return {**self._body, "expires_at": stamp(expires), "renewed_at": stamp(now)}

    def _held(self, etag: str, now: datetime) -> None:
        self.etag, self.expires_at = etag, now + self.duration
        if self.background and self.renew_every > 0:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._renew_loop, name="idc-s3-lease", daemon=True
            )
            self._thread.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.renew_every):
            try:
                self.renew()
            except LockLostError:
                return
            except IdcError as exc:  # S3 unreachable for now: check() fails closed in time
                self.last_error = exc

    def _held_error(self, current: Lease, now: datetime) -> S3LockHeldError:
        return S3LockHeldError(
            f"another apply holds the S3 lock {self.url}: {current.describe(now)}; wait for "
            "it to finish (if it died, its lease runs out, or see `idc unlock`)"
        )
