"""Shared fixtures: run `idc` in-process exactly as the console script does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import run

ROOT = Path(__file__).resolve().parents[1]


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
