"""Recording every AWS call of a job, and checking it against an IAM policy."""

from __future__ import annotations

import json

import pytest

from reconciler.aws.clients import CallStats
from reconciler.aws.iam_policy import action_for_call, allowed_actions
from tests.conftest import IdcRunner


class Recorder:
    """Every `service:Operation` any AwsSession calls, in order."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def take(self) -> set[str]:
        taken, self.calls = set(self.calls), []
        return taken


def recording(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """From now on, every AwsSession's calls also go to the returned Recorder."""
    rec = Recorder()
    original = CallStats.record_call

    def record_call(self: CallStats, name: str, waited: float) -> None:
        rec.calls.append(name)
        original(self, name, waited)

    monkeypatch.setattr(CallStats, "record_call", record_call)
    return rec


def policy(idc: IdcRunner, *args: str) -> set[str]:
    result = idc(*args)
    assert result.exit_code == 0, result.output
    return allowed_actions(json.loads(result.stdout))


def needed(calls: set[str]) -> set[str]:
    return {a for a in map(action_for_call, calls) if a is not None}


def assert_allowed(calls: set[str], allowed: set[str], job: str) -> None:
    missing = needed(calls) - allowed
    assert not missing, f"{job} called {sorted(missing)}, not in its policy"
