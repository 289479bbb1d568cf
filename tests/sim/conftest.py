"""Fixtures: a running simulator, seeded or empty, and boto3 clients for it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config

from reconciler.sim import Simulator, seed_demo

NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})


@dataclass
class Clients:
    sim: Simulator
    sso: Any
    ids: Any
    org: Any

    @property
    def instance(self) -> str:
        return self.sim.instance_arn

    @property
    def store(self) -> str:
        return self.sim.identity_store_id


def make_clients(sim: Simulator, config: Config = NO_RETRY) -> Clients:
    session = boto3.Session(region_name="eu-west-1")
    return Clients(
        sim,
        session.client("sso-admin", config=config),
        session.client("identitystore", config=config),
        session.client("organizations", config=config),
    )


@pytest.fixture
def empty() -> Iterator[Clients]:
    """A simulator with an Identity Center instance and nothing in it."""
    with Simulator() as sim:
        yield make_clients(sim)


@pytest.fixture
def demo() -> Iterator[Clients]:
    """A simulator seeded with the demo organization."""
    with Simulator() as sim:
        seed_demo(sim)
        yield make_clients(sim)


def error_of(excinfo: Any) -> dict[str, Any]:
    """The parsed error body of a botocore ClientError."""
    return dict(
        excinfo.value.response["Error"],
        **{
            k: v
            for k, v in excinfo.value.response.items()
            if k not in ("Error", "ResponseMetadata")
        },
        HTTPStatusCode=excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"],
    )
