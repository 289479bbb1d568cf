"""What every per-kind reader shares: the session, the instance, bounded pools.

Reads are rate-bound, not CPU-bound: AWS allows 20 TPS for all of sso-admin,
20 TPS per identitystore API and a few per Organizations API. One bounded
thread pool per API family keeps exactly enough calls in flight to fill that
rate while each waits out its network latency, and keeps one family's backlog
(thousands of sso-admin calls) from starving another's (identitystore pages).
The AwsSession's limiter does the actual pacing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from reconciler.aws.clients import AwsSession

# progress(phase, done, total): total None while unknown. May be called from
# worker threads, never concurrently (calls are serialised by a lock).
Progress = Callable[[str, int, "int | None"], None]

T = TypeVar("T")
R = TypeVar("R")

# Seconds of latency (network + service) a worker should be able to hide; at
# 20 TPS that is 16 calls in flight.
LATENCY_BUDGET = 0.8
MAX_WORKERS = 32


class ReadAbandoned(Exception):
    """Raised in the other phases of a read that already failed elsewhere;
    never reaches the caller, which gets the original error."""


def workers_for(rate_per_second: float | None) -> int:
    """Pool size that sustains `rate_per_second` at LATENCY_BUDGET latency."""
    if not rate_per_second:
        return 16
    return max(2, min(MAX_WORKERS, math.ceil(rate_per_second * LATENCY_BUDGET)))


class ReadContext:
    """One live read: session, instance ids, per-family pools, progress."""

    def __init__(self, session: AwsSession, progress: Progress | None = None) -> None:
        self.session = session
        self.instance_arn = ""
        self.identity_store_id = ""
        self.stop = threading.Event()
        self.failure: BaseException | None = None
        self._progress = progress
        self._progress_lock = threading.Lock()
        limits = session.limiter.limits
        self._pools = {
            "sso-admin": ThreadPoolExecutor(workers_for(limits.sso_admin_tps), "idc-sso"),
            "identitystore": ThreadPoolExecutor(workers_for(limits.identitystore_tps), "idc-ids"),
            # ListTagsForResource, the only per-account call, allows 10/s.
            "organizations": ThreadPoolExecutor(workers_for(10), "idc-org"),
        }

    def fail(self, error: BaseException) -> None:
        """Record the read's first real failure and stop every phase."""
        with self._progress_lock:
            if self.failure is None and not isinstance(error, ReadAbandoned):
                self.failure = error
        self.stop.set()

    def run_phase(self, phase: Callable[..., R], *args: Any) -> R:
        """Run one phase of the read (on the phase pool), failing the read
        for everyone when it fails."""
        try:
            return phase(*args)
        except BaseException as error:
            self.fail(error)
            raise

    def client(self, service: str) -> Any:
        return self.session.client(service)

    def note(self, message: str) -> None:
        """A line for the -v report (e.g. which assignment strategy was chosen)."""
        self.session.stats.add_note(message)

    def report(self, phase: str, done: int, total: int | None) -> None:
        if self._progress is not None:
            with self._progress_lock:
                self._progress(phase, done, total)

    def fan_out(
        self,
        service: str,
        phase: str,
        read_one: Callable[[T], R | None],
        items: Sequence[T] | Iterable[T],
    ) -> list[R]:
        """`read_one(item)` for every item on the family's pool; results in
        input order, None results (resource gone meanwhile) dropped.

        The first failure stops the whole read: pending calls are cancelled
        and the error is raised here, once. A read stopped elsewhere raises
        ReadAbandoned, so no partial result is ever used.
        """
        if self.stop.is_set():
            raise ReadAbandoned
        items = list(items)
        total = len(items)
        self.report(phase, 0, total)
        if not items:
            return []
        pool = self._pools[service]
        futures: list[Future[R | None]] = [pool.submit(self._guarded, read_one, i) for i in items]
        done_count = 0
        pending: set[Future[R | None]] = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                error = future.exception()
                if error is not None:
                    self.fail(error)
                    for other in pending:
                        other.cancel()
                    raise error
            done_count += len(done)
            self.report(phase, done_count, total)
        if self.stop.is_set():
            raise ReadAbandoned
        return [r for r in (f.result() for f in futures) if r is not None]

    def _guarded(self, read_one: Callable[[T], R | None], item: T) -> R | None:
        if self.stop.is_set():
            return None  # another call failed; the read is being abandoned
        return read_one(item)

    def close(self) -> None:
        """Stop and wait for in-flight calls. Queued tasks are not cancelled
        but return at once (see _guarded): concurrent.futures.wait() is never
        woken for futures cancelled by shutdown(cancel_futures=True), which
        would hang a fan_out still waiting on them."""
        self.stop.set()
        for pool in self._pools.values():
            pool.shutdown(wait=True)
