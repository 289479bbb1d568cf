"""Fixtures for the live reader: a running simulator and an AwsSession on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.aws.clients import AwsSession
from reconciler.aws.ratelimit import RateLimits
from reconciler.sim import Simulator

# Functional tests run at full speed; throttling tests switch realism on.
UNLIMITED = RateLimits(sso_admin_tps=None, identitystore_tps=None, organizations=False)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


@pytest.fixture
def session(sim: Simulator) -> AwsSession:
    return AwsSession(region=sim.region, limits=UNLIMITED)
