"""The calls `idc assign` makes: the minimal-read design, counted exactly.

`prepare` must stay a few direct reads (reconciler.aws.read_scope): the OU
walk, one lookup per principal type, the permission sets by name, where the
one permission set is provisioned, and its assignments only in the selected
accounts it is provisioned to. A regression to a full snapshot read (listing
users, groups or memberships, reading every permission set's policies, or
assignments everywhere) changes these counts and fails here.

The expected counts come from the simulator's backends, not from the reader.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.apply.grant import GrantRequest, Prepared, execute, prepare
from reconciler.apply.targets import build_target
from reconciler.desired.filters.selection import selector_from
from reconciler.desired.settings import Settings
from reconciler.sim import Simulator, seed_scale
from tests.apply.simhelp import fast_session

PERMISSION_SET = "PermissionSet000"
GROUP = "group-0001"
ACCOUNTS = 30


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as sim:
        seed_scale(sim, users=20, groups=5, permission_sets=4, accounts=ACCOUNTS, assignments=60)
        yield sim


def provisioned_to(sim: Simulator, name: str) -> set[str]:
    backend = sim.sso_admin
    (arn,) = (arn for arn, ps in backend.ps_by_arn.items() if ps.name == name)
    return set(backend.provisioned.get(arn, {}))


def eligible(sim: Simulator) -> set[str]:
    """What `--filter '*'` selects: active accounts, the management one aside."""
    management = sim.organizations.org.master_account_id
    return {a.id for a in sim.organizations.accounts if a.status == "ACTIVE" and a.id != management}


def prepared(
    *,
    filter_expr: str | None = None,
    accounts: str | None = None,
    principal_type: str | None = None,
) -> tuple[Prepared, Counter[str]]:
    """`idc assign PERMISSION_SET GROUP` with the selector given: its plan, and
    the calls making it took."""
    selector = selector_from(filter_expr=filter_expr, accounts=accounts)
    assert selector is not None
    session = fast_session()
    request = GrantRequest("assign", PERMISSION_SET, GROUP, principal_type, selector)
    return prepare(session, Settings(), request), session.stats.calls


def minimal_reads(
    sim: Simulator, selected: set[str], principal_lookups: dict[str, int]
) -> dict[str, int]:
    parents = len(sim.organizations.ou)  # the root and every OU, each asked once per listing
    return {
        "sso-admin:ListInstances": 1,
        "organizations:DescribeOrganization": 1,
        "organizations:ListRoots": 1,
        "organizations:ListOrganizationalUnitsForParent": parents,
        "organizations:ListAccountsForParent": parents,
        **principal_lookups,
        "sso-admin:ListPermissionSets": 1,
        "sso-admin:DescribePermissionSet": len(sim.sso_admin.ps_by_arn),  # no lookup by name
        "sso-admin:ListAccountsForProvisionedPermissionSet": 1,
        "sso-admin:ListAccountAssignments": len(selected & provisioned_to(sim, PERMISSION_SET)),
    }


def test_prepare_makes_only_the_minimal_reads(sim: Simulator) -> None:
    selected = eligible(sim)
    assert 0 < len(selected & provisioned_to(sim, PERMISSION_SET)) < len(selected)
    result, calls = prepared(filter_expr="*")
    assert result.selection.ids == selected
    lookups = {"identitystore:GetUserId": 1, "identitystore:GetGroupId": 1}
    assert dict(calls) == minimal_reads(sim, selected, lookups)


def test_a_principal_type_needs_one_lookup_and_a_narrow_selector_fewer_reads(
    sim: Simulator,
) -> None:
    few = {"700000000001", "700000000002", "700000000003"}
    _, calls = prepared(accounts=",".join(sorted(few)), principal_type="GROUP")
    assert dict(calls) == minimal_reads(sim, few, {"identitystore:GetGroupId": 1})


def test_tags_are_read_only_when_the_selector_filters_on_them(sim: Simulator) -> None:
    result, calls = prepared(filter_expr="tag:env=prod", principal_type="GROUP")
    expected = minimal_reads(sim, set(result.selection.ids), {"identitystore:GetGroupId": 1})
    expected["organizations:ListTagsForResource"] = len(sim.organizations.accounts)
    assert dict(calls) == expected


def held_by_group(sim: Simulator) -> set[str]:
    """Accounts where GROUP already holds PERMISSION_SET, per the backend."""
    (group_id,) = (gid for gid, g in sim.identity_store.groups.items() if g["DisplayName"] == GROUP)
    (arn,) = (arn for arn, ps in sim.sso_admin.ps_by_arn.items() if ps.name == PERMISSION_SET)
    return {
        account
        for (ps, account, kind, pid) in sim.sso_admin.assignments
        if (ps, kind, pid) == (arn, "GROUP", group_id)
    }


def test_execute_writes_once_per_new_assignment_and_reads_nothing_back(
    sim: Simulator, tmp_path: Path
) -> None:
    result, _ = prepared(filter_expr="*")
    created = len(eligible(sim) - held_by_group(sim))
    assert len(result.plan.changes) == created > 0
    session = fast_session()
    target = build_target(
        session,
        tmp_path,
        result.scope.instance_arn,
        result.scope.identity_store_id,
        warn=lambda message: None,
    )
    run = execute(target, result, continue_on_error=False)
    assert run.ok
    assert held_by_group(sim) >= eligible(sim)
    calls = session.stats.calls
    assert calls["sso-admin:CreateAccountAssignment"] == created
    # besides the writes: polling their status, and who the caller is (journaled)
    others = {"sso-admin:DescribeAccountAssignmentCreationStatus", "sts:GetCallerIdentity"}
    assert set(calls) - others == {"sso-admin:CreateAccountAssignment"}

    again, calls = prepared(filter_expr="*")
    assert again.plan.empty  # idempotent: the second run has nothing to write
    assert not any(":Create" in op or ":Delete" in op for op in calls)
