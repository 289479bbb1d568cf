"""The S3 lock as a lease, against the simulator: exclusive across processes,
taken over only once expired, renewed, released only by its owner.

Time is an injected clock, never the wall clock; the one background-renewal
test waits on a condition (the object changed), not on a duration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reconciler.apply.holder import Holder
from reconciler.apply.lease import LockLostError, S3Lease, S3LockHeldError
from reconciler.apply.lock import apply_lock, remove_s3_lock
from reconciler.aws.clients import AwsSession
from reconciler.aws.s3_lock import S3LockStore
from reconciler.errors import IdcError
from reconciler.sim import Simulator
from reconciler.sim.server import serving
from tests.conftest import ROOT

URL = "s3://idc-locks/prod/apply.lock"
T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_bucket(sim: Simulator) -> None:
    sim.client("s3").create_bucket(
        Bucket="idc-locks", CreateBucketConfiguration={"LocationConstraint": sim.region}
    )


@pytest.fixture
def store() -> Iterator[S3LockStore]:
    with Simulator() as sim:
        make_bucket(sim)
        yield S3LockStore(AwsSession(), URL)


def holder(name: str, pid: int) -> Holder:
    return Holder(name, pid, "ci", "2026-01-02T03:04:05Z", command="idc apply")


def lease(store: S3LockStore, clock: Clock, seconds: float = 60) -> S3Lease:
    return S3Lease(store, seconds, clock=clock, background=False)


def test_a_running_lease_is_refused_naming_its_holder_and_expiry(store: S3LockStore) -> None:
    clock = Clock()
    first = lease(store, clock)
    assert first.acquire(holder("runner-1", 42)) is None
    clock.advance(59)
    with pytest.raises(S3LockHeldError) as refused:
        lease(store, clock).acquire(holder("laptop", 7))
    message = str(refused.value)
    assert "pid 42 of ci on runner-1" in message and "(idc apply)" in message
    assert "lease until 2026-01-02T03:05:05" in message
    assert first.release() is True
    assert store.read() is None


def test_an_expired_lease_is_taken_over_and_its_old_owner_learns_it(store: S3LockStore) -> None:
    clock = Clock()
    dead = lease(store, clock)
    dead.acquire(holder("runner-1", 42))
    clock.advance(61)
    taker = lease(store, clock)
    taken = taker.acquire(holder("laptop", 7))
    assert taken is not None and taken.holder.pid == 42
    # the old owner, if it was only paused, finds out at its next renewal or write
    with pytest.raises(LockLostError, match="now held by pid 7 of ci on laptop"):
        dead.renew()
    with pytest.raises(LockLostError):
        dead.check()
    # and its release leaves the new owner's lock alone
    assert dead.release() is False
    found = store.read()
    assert found is not None and found.body["pid"] == 7
    taker.check()
    assert taker.release() is True


def test_two_takers_of_one_expired_version_cannot_both_win(store: S3LockStore) -> None:
    stale = store.create({"pid": 1, "expires_at": "2020-01-01T00:00:00.000000Z"})
    assert stale is not None
    assert store.create({"pid": 2}) is None
    won = store.replace({"pid": 2}, stale)
    lost = store.replace({"pid": 3}, stale)
    assert won is not None and lost is None
    found = store.read()
    assert found is not None and found.body == {"pid": 2} and found.etag == won


def test_renewal_moves_the_expiry_and_a_lease_not_renewed_fails_closed(
    store: S3LockStore,
) -> None:
    clock = Clock()
    mine = lease(store, clock)
    mine.acquire(holder("runner-1", 42))
    clock.advance(30)
    mine.renew()
    found = store.read()
    assert found is not None and found.body["expires_at"] == "2026-01-02T03:05:35.000000Z"
    assert found.etag == mine.etag
    clock.advance(41)  # 19 s of the lease left: less than a renewal interval (20 s)
    with pytest.raises(LockLostError, match="could not be renewed"):
        mine.check()
    mine.renew()
    mine.check()  # renewed in time again
    mine.release()


def test_the_background_renewal_rewrites_the_lock_object(store: S3LockStore) -> None:
    mine = S3Lease(store, 60, renew_every=0.01)
    mine.acquire(holder("runner-1", 42))
    first = mine.etag
    deadline = time.monotonic() + 30
    while mine.etag == first and time.monotonic() < deadline:
        time.sleep(0.01)
    found = store.read()
    assert mine.etag != first and found is not None
    assert mine.release() is True
    assert store.read() is None


def test_removing_a_lock_refuses_a_version_other_than_the_one_shown(store: S3LockStore) -> None:
    from reconciler.apply.lease import Lease

    clock = Clock()
    mine = lease(store, clock)
    mine.acquire(holder("runner-1", 42))
    found = store.read()
    assert found is not None
    shown = Lease.of(found)
    clock.advance(30)
    mine.renew()
    with pytest.raises(IdcError, match="changed since it was shown"):
        remove_s3_lock(store, shown)
    assert store.read() is not None
    current = store.read()
    assert current is not None
    remove_s3_lock(store, Lease.of(current))
    assert store.read() is None
    with pytest.raises(LockLostError, match="removed"):
        mine.renew()


def test_apply_lock_warns_when_it_takes_over_a_dead_runs_lease(
    tmp_path: Path, store: S3LockStore
) -> None:
    store.create({"pid": 42, "host": "runner-1", "expires_at": "2020-01-01T00:00:00.000000Z"})
    warnings: list[str] = []
    remote = S3Lease(store, 60, background=False)
    with apply_lock(tmp_path, warn=warnings.append, remote=remote, command="idc apply") as me:
        found = store.read()
        assert found is not None and found.body["pid"] == me.pid == os.getpid()
    assert len(warnings) == 1 and "pid 42" in warnings[0] and "ran out" in warnings[0]
    assert store.read() is None


# Waits for the start file, then tries once; prints whether it got the lock.
RACER = """
import os, sys, time
from pathlib import Path
from reconciler.apply.holder import Holder
from reconciler.apply.lease import S3Lease, S3LockHeldError
from reconciler.aws.clients import AwsSession
from reconciler.aws.s3_lock import S3LockStore
start = Path(sys.argv[1])
lease = S3Lease(S3LockStore(AwsSession(), sys.argv[2]), 60, background=False)
print("ready", flush=True)
while not start.exists():
    time.sleep(0.001)
try:
    lease.acquire(Holder.me(command="racer"))
    print("won", os.getpid(), flush=True)
except S3LockHeldError as exc:
    print("refused", exc, flush=True)
"""


def test_racing_processes_only_one_gets_the_s3_lock(tmp_path: Path) -> None:
    """Six processes on a served simulator (one S3 for all) race for the lock."""
    with serving(seed="empty") as endpoint:
        make_bucket(endpoint.sim)
        env = {**os.environ, "AWS_ENDPOINT_URL": endpoint.url}
        start = tmp_path / "go"
        racers = [
            subprocess.Popen(
                [sys.executable, "-c", RACER, str(start), URL],
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
                env=env,
            )
            for _ in range(6)
        ]
        for racer in racers:
            assert racer.stdout is not None and racer.stdout.readline() == "ready\n"
        start.touch()
        answers = [racer.communicate(timeout=120)[0] for racer in racers]
        winners = [a for a in answers if a.startswith("won")]
        assert len(winners) == 1, answers
        winner = winners[0].split()[1]
        refused = [a for a in answers if a.startswith("refused")]
        assert len(refused) == 5 and all(f"pid {winner} " in a for a in refused), answers
        body = json.loads(
            endpoint.sim.client("s3")
            .get_object(Bucket="idc-locks", Key="prod/apply.lock")["Body"]
            .read()
        )
        assert str(body["pid"]) == winner
