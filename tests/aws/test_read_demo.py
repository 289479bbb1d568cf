"""Reading the seeded demo organization gives back exactly demo.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.aws.call_bound import lower_bound_calls
from reconciler.aws.call_report import format_call_stats
from reconciler.aws.clients import AwsSession
from reconciler.aws.reader import kinds_to_read, read_state
from reconciler.desired.yaml_io import load_yaml
from reconciler.model import Assignment, Membership, OrgUnit, PrincipalType, State, codec
from reconciler.sim import Simulator, seed_demo

PRINCIPAL_KEYS: tuple[tuple[PrincipalType, str], ...] = (("GROUP", "groups"), ("USER", "users"))
DEMO = Path(__file__).resolve().parents[2] / "reconciler" / "sim" / "data" / "demo.yaml"


def demo_state() -> tuple[State, dict[str, Any]]:
    """demo.yaml through the codec: what a read of the demo must return."""
    doc = load_yaml(DEMO)
    groups, memberships = [], []
    for g in doc["groups"]:
        group, members = codec.group_from_doc(g)
        groups.append(group)
        memberships += [Membership(group.name, m) for m in members]
    assignments = [
        Assignment(rule["permission_set"], kind, principal, str(account))
        for rule in doc["assignments"]
        for kind, key in PRINCIPAL_KEYS
        for principal in rule.get(key) or ()
        for account in rule["accounts"]
    ]
    org = doc["organization"]
    provisioned: dict[str, set[str]] = {}
    for a in assignments:
        provisioned.setdefault(a.permission_set, set()).add(a.account)
    state = State.build(
        users=[codec.user_from_doc(u) for u in doc["users"]],
        groups=groups,
        memberships=memberships,
        # AWS reports its default session duration, PT1H, where none was set.
        permission_sets=[
            codec.permission_set_from_doc({"session_duration": "PT1H", **p})
            for p in doc["permission_sets"]
        ],
        assignments=assignments,
        accounts=[codec.account_from_doc(a) for a in org["accounts"]],
        org_units=[OrgUnit(str(org["root_id"]), "/Root")]
        + [codec.org_unit_from_doc(o) for o in org["org_units"]],
        provisioned=provisioned,
    )
    return state, doc


@pytest.fixture
def demo(sim: Simulator) -> Simulator:
    seed_demo(sim)
    return sim


def test_read_of_demo_equals_demo_yaml(demo: Simulator, session: AwsSession) -> None:
    expected, doc = demo_state()
    live = read_state(session)
    assert live.users == expected.users
    assert live.groups == expected.groups
    assert live.memberships == expected.memberships
    assert live.permission_sets == expected.permission_sets
    assert live.assignments == expected.assignments
    assert live.accounts == expected.accounts
    assert live.org_units == expected.org_units
    assert live.provisioned == expected.provisioned
    assert live.meta.instance_arn == doc["instance"]["arn"]
    assert live.meta.identity_store_id == doc["instance"]["identity_store_id"]
    assert live.meta.management_account_id == doc["organization"]["management_account"]
    assert live.meta.region == doc["instance"]["region"]


def test_demo_read_makes_no_more_calls_than_the_lower_bound(
    demo: Simulator, session: AwsSession
) -> None:
    live = read_state(session)
    bound = lower_bound_calls(live)
    assert session.stats.total_calls == bound.total
    # What the service saw matches what we counted: no hidden calls.
    assert sum(demo.calls.values()) == session.stats.total_attempts
    report = format_call_stats(session.stats, bound.total)
    assert "sso-admin:DescribePermissionSet" in report
    assert f"lower bound {bound.total} calls (1.00x)" in report
    assert "assignments: per-principal" in report


def test_a_plan_read_lists_stale_accounts_at_the_bound_too(
    demo: Simulator, session: AwsSession
) -> None:
    live = read_state(session, stale=True)
    assert session.stats.total_calls == lower_bound_calls(live, stale=True).total
    # one more ListAccountsForProvisionedPermissionSet per permission set
    assert session.stats.calls["sso-admin:ListAccountsForProvisionedPermissionSet"] == 2 * len(
        live.permission_sets
    )
    assert live.stale_provisioning == {}  # the demo is provisioned everywhere


def test_users_only_read_calls_neither_sso_admin_nor_organizations(
    demo: Simulator, session: AwsSession
) -> None:
    live = read_state(session, kinds=frozenset({"user"}))
    expected, _ = demo_state()
    assert live.users == expected.users
    assert not live.permission_sets and not live.accounts and not live.assignments
    services = {name.split(":")[0] for name in session.stats.calls}
    assert services == {"identitystore", "sso-admin"}
    assert set(session.stats.calls) == {"identitystore:ListUsers", "sso-admin:ListInstances"}


def test_assignments_without_permission_sets_read_names_only(
    demo: Simulator, session: AwsSession
) -> None:
    expected, _ = demo_state()
    live = read_state(session, kinds=frozenset({"assignment"}))
    assert live.assignments == expected.assignments
    assert not live.permission_sets
    assert "sso-admin:GetInlinePolicyForPermissionSet" not in session.stats.calls
    assert session.stats.calls["sso-admin:DescribePermissionSet"] == 5


def test_kinds_pull_in_what_they_refer_to() -> None:
    assert kinds_to_read({"membership"}) == {"membership", "user", "group"}
    assert kinds_to_read({"assignment"}) == {"assignment", "user", "group", "account"}
    with pytest.raises(ValueError, match="unknown kinds"):
        kinds_to_read({"users"})


def test_progress_reports_every_phase_to_completion(demo: Simulator, session: AwsSession) -> None:
    last: dict[str, tuple[int, int | None]] = {}

    def progress(phase: str, done: int, total: int | None) -> None:
        last[phase] = (done, total)

    read_state(session, progress=progress)
    assert last["users"] == (8, 8)
    assert last["permission sets"] == (5, 5)
    assert last["assignments"] == (14, 14)  # per principal: 8 users + 6 groups
    assert last["accounts"] == (11, 11)
    assert all(done == total for done, total in last.values())
