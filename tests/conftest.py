"""Shared fixtures: run `idc` in-process exactly as the console script does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from reconciler.aws.ratelimit import RateLimits
from reconciler.cli.main import run

ROOT = Path(__file__).resolve().parents[1]

# No wall-clock limits on properties: with 8 workers sharing 2 cores a draw
# or an example can take seconds, which says nothing about the property
# (hypothesis's 200 ms deadline and its too_slow check failed four of them
# that way). A test's own @settings still override these.
settings.register_profile("idc", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("idc")


@dataclass
class IdcResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


IdcRunner = Callable[..., IdcResult]


def run_idc(*args: str, input: str | None = None) -> IdcResult:
    runner = CliRunner()
    with runner.isolation(input=input, color=False) as streams:
        code = run(list(args))
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return IdcResult(code, out.decode(), err.decode())


@pytest.fixture
def idc() -> IdcRunner:
    """`idc(...)` runs the CLI with the given arguments and returns its result."""
    return run_idc


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach AWS: fake credentials, a fixed region, no profiles."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")


UNPACED = RateLimits(sso_admin_tps=None, identitystore_tps=None, organizations=False)


def unpace(mp: pytest.MonkeyPatch) -> None:
    """`idc` run in this process no longer paces itself to AWS's rates
    (20 TPS for sso-admin): for tests about something other than timing,
    against a simulator without rate limits. Pacing keeps its own tests
    (tests/aws, and every test that does not ask for this)."""
    mp.setattr("reconciler.aws.clients.RateLimits", lambda: UNPACED)


@pytest.fixture
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """See `unpace`; for module-scoped fixtures, call it with a
    `pytest.MonkeyPatch.context()` of their own."""
    unpace(monkeypatch)
