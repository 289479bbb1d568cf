"""The simulator's process-wide runtime: one lock, the call counter, realism.

moto keeps its backends in module globals, so there is one simulated AWS per
process; this module is the matching single place for what the fixes share.
The lock serialises every simulated API call (the product reads with many
threads; moto's models are not thread-safe), while latency is spent outside
it so concurrent callers still overlap like they would against AWS.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

from reconciler.sim.realism import FaultPicker, FaultRule, RateTable, Realism


class Runtime:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.realism = Realism()
        self.calls: Counter[str] = Counter()
        self.rates = RateTable()
        self.faults = FaultPicker(0)
        self.local = threading.local()
        self._counter_lock = threading.Lock()
        # Called (under the lock) after every call that may have changed
        # state; the embedded simulator persists there, so a `kill -9` of an
        # `idc --sim` command keeps what AWS would have kept.
        self.after_change: Callable[[], None] | None = None

    def restart(self, keep_calls: bool = False) -> None:
        """Fresh rate buckets and a fault RNG seeded from the current realism."""
        self.rates = RateTable()
        self.faults = FaultPicker(self.realism.seed)
        if not keep_calls:
            self.calls.clear()

    def count(self, name: str) -> None:
        with self._counter_lock:
            self.calls[name] += 1

    def now(self) -> float:
        return time.time()

    def take_async_failure(self) -> str | None:
        """The FailureReason an async fault rule chose for the current call."""
        reason: str | None = getattr(self.local, "async_failure", None)
        self.local.async_failure = None
        return reason

    def set_async_failure(self, rule: FaultRule | None) -> None:
        self.local.async_failure = rule.async_failure if rule else None


RUNTIME = Runtime()
