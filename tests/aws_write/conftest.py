"""Fixtures: the seeded demo simulator and a Writer on it.

Client-side rate limits are off by default so functional tests run at full
speed; tests about throttling turn the simulator's limits on themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.aws.clients import AwsSession
from reconciler.aws.ratelimit import RateLimits
from reconciler.aws.write_async import PollClock
from reconciler.aws.write_context import ConflictRetry
from reconciler.aws.writer import Writer
from reconciler.sim.seed import seed_demo
from reconciler.sim.simulator import Simulator

# Short backoff so conflict tests take fractions of a second.
FAST_CONFLICT_RETRY = ConflictRetry(attempts=8, base=0.02, cap=0.2)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        seed_demo(simulator)
        yield simulator


def make_writer(
    sim: Simulator, limits: RateLimits | None = None, async_timeout: float = 900.0
) -> Writer:
    session = AwsSession(limits=limits or RateLimits(None, None, False))
    return Writer(
        session,
        sim.instance_arn,
        sim.identity_store_id,
        conflict_retry=FAST_CONFLICT_RETRY,
        poll_clock=PollClock(estimate=0.05, floor=0.01),
        async_timeout=async_timeout,
    )


@pytest.fixture
def writer(sim: Simulator) -> Writer:
    return make_writer(sim)
