"""Helpers for apply tests against the in-process simulator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reconciler.apply.ops import ops_from_plan
from reconciler.apply.runner import RunResult, Target, apply_pairs
from reconciler.aws.clients import AwsSession
from reconciler.aws.ratelimit import RateLimits
from reconciler.aws.reader import read_state
from reconciler.aws.write_async import PollClock
from reconciler.aws.writer import Writer
from reconciler.desired.settings import Safety, Settings
from reconciler.desired.types import AssignmentRule, Desired
from reconciler.model import State
from reconciler.plan import Plan, build_plan

SETTINGS = Settings(safety=Safety(max_deletes=10_000))


def fast_session() -> AwsSession:
    """No client-side pacing: the simulator without realism never throttles."""
    return AwsSession(
        limits=RateLimits(sso_admin_tps=None, identitystore_tps=None, organizations=False)
    )


def live(session: AwsSession) -> State:
    return read_state(session)


def desired_of(state: State) -> Desired:
    """A desired state that says exactly what `state` holds."""
    rules = tuple(
        AssignmentRule(
            permission_set=a.permission_set,
            groups=(a.principal,) if a.principal_type == "GROUP" else (),
            users=(a.principal,) if a.principal_type == "USER" else (),
            accounts=(a.account,),
        )
        for a in state.sorted_assignments()
    )
    return Desired(
        users=dict(state.users),
        groups=dict(state.groups),
        memberships=frozenset(state.memberships),
        permission_sets=dict(state.permission_sets),
        rules=rules,
        declared=frozenset({"users", "groups", "memberships", "permission_sets", "assignments"}),
    )


def plan_for(session: AwsSession, want: State) -> tuple[Plan, State]:
    current = live(session)
    return build_plan(desired_of(want), current, SETTINGS, allow_deletes=True), current


def target(session: AwsSession, state: State, directory: Path) -> Target:
    return Target(
        Writer(
            session,
            state.meta.instance_arn,
            state.meta.identity_store_id,
            poll_clock=PollClock(estimate=0.02, floor=0.01),
        ),
        directory,
        state.meta.instance_arn,
        state.meta.identity_store_id,
        {"arn": "arn:aws:iam::123456789012:user/test"},
    )


def apply_state(session: AwsSession, want: State, directory: Path) -> RunResult:
    plan, current = plan_for(session, want)
    return apply_pairs(target(session, current, directory), ops_from_plan(plan), plan.fingerprint)


def comparable(state: State) -> State:
    """A live state without what apply never manages (the org inventory)."""
    return replace(state, accounts={}, org_units={})
