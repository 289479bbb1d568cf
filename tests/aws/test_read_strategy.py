"""The assignment read strategy follows the organization's shape, and both
strategies read the same assignments."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reconciler.aws.clients import AwsSession
from reconciler.aws.read_assignments import choose_assignment_strategy
from reconciler.aws.read_context import ReadContext
from reconciler.aws.read_provisioning import (
    choose_provisioning_strategy,
    provisioning_estimates,
    read_provisioned,
)
from reconciler.aws.reader import read_state
from reconciler.model import Assignment
from reconciler.sim import Simulator


def test_strategy_is_the_side_with_fewer_first_pages() -> None:
    assert choose_assignment_strategy(provisioned_pairs=3, users=1, groups=1).name == (
        "per-principal"
    )
    assert choose_assignment_strategy(provisioned_pairs=3, users=2, groups=1).name == "per-pair"
    # The large benchmark organization: 1,000 accounts x 100 permission sets.
    large = choose_assignment_strategy(provisioned_pairs=40_000, users=5_000, groups=500)
    assert large.name == "per-principal"
    assert "per-pair 40000" in large.describe() and "per-principal 5500" in large.describe()


def test_provisioning_strategy_prefers_the_smaller_side() -> None:
    def known(total: int) -> Callable[[bool], int | None]:
        return lambda wait: total

    assert choose_provisioning_strategy(20, known(1_000))[0] == "per-permission-set"
    assert choose_provisioning_strategy(20, known(20))[0] == "per-permission-set"
    assert choose_provisioning_strategy(20, known(19))[0] == "per-account"
    assert choose_provisioning_strategy(500, known(10))[0] == "per-account"
    assert choose_provisioning_strategy(500, known(5_000))[0] == "per-permission-set"
    many_sets = provisioning_estimates(permission_sets=500, accounts=10)
    assert many_sets == {"per-permission-set": 500.0, "per-account": 30.0}


def test_provisioning_strategy_does_not_wait_for_the_inventory() -> None:
    asked: list[bool] = []

    def still_walking(wait: bool) -> int | None:
        asked.append(wait)
        return None

    assert choose_provisioning_strategy(20, still_walking)[0] == "per-permission-set"
    assert asked == [False]


def seed(sim: Simulator, extra_users: int) -> set[Assignment]:
    """One group on three accounts, one user on one; `extra_users` more users."""
    org = sim.client("organizations")
    org.create_organization(FeatureSet="ALL")
    accounts = [
        org.create_account(AccountName=f"acct-{i}", Email=f"a{i}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for i in range(3)
    ]
    ids, sso = sim.client("identitystore"), sim.client("sso-admin")
    store, instance = sim.identity_store_id, sim.instance_arn
    group = ids.create_group(IdentityStoreId=store, DisplayName="Ops")["GroupId"]
    user_ids = [
        ids.create_user(
            IdentityStoreId=store,
            UserName=f"u{i}",
            DisplayName=f"U {i}",
            Name={"GivenName": "U", "FamilyName": str(i)},
        )["UserId"]
        for i in range(1 + extra_users)
    ]
    ps = sso.create_permission_set(InstanceArn=instance, Name="Ops")["PermissionSet"]

    def assign(account: str, kind: str, principal: str) -> None:
        sso.create_account_assignment(
            InstanceArn=instance,
            TargetId=account,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=ps["PermissionSetArn"],
            PrincipalType=kind,
            PrincipalId=principal,
        )

    for account in accounts:
        assign(account, "GROUP", group)
    assign(accounts[0], "USER", user_ids[0])
    return {Assignment("Ops", "GROUP", "Ops", a) for a in accounts} | {
        Assignment("Ops", "USER", "u0", accounts[0])
    }


@pytest.mark.parametrize(
    ("extra_users", "used", "unused"),
    [
        # 3 provisioned pairs vs 1 group + 1 user: ask each principal.
        (0, "ListAccountAssignmentsForPrincipal", "ListAccountAssignments"),
        # 3 pairs vs 1 group + 3 users: ask each (permission set, account).
        (2, "ListAccountAssignments", "ListAccountAssignmentsForPrincipal"),
    ],
)
def test_both_strategies_read_every_assignment(
    sim: Simulator, session: AwsSession, extra_users: int, used: str, unused: str
) -> None:
    expected = seed(sim, extra_users)
    live = read_state(session)
    assert live.assignments == expected
    calls = session.stats.calls
    assert calls[f"sso-admin:{used}"] > 0
    assert calls[f"sso-admin:{unused}"] == 0


# An account count below the one permission set picks the per-account side.
@pytest.mark.parametrize("accounts_known", [0, 1_000])  # per account, per permission set
def test_both_provisioning_strategies_find_the_stale_accounts(
    sim: Simulator, session: AwsSession, accounts_known: int
) -> None:
    seed(sim, 0)
    sso = sim.client("sso-admin")
    (arn,) = sso.list_permission_sets(InstanceArn=sim.instance_arn)["PermissionSets"]
    accounts = sorted(
        sso.list_accounts_for_provisioned_permission_set(
            InstanceArn=sim.instance_arn, PermissionSetArn=arn
        )["AccountIds"]
    )
    sso.update_permission_set(
        InstanceArn=sim.instance_arn, PermissionSetArn=arn, SessionDuration="PT2H"
    )
    sso.provision_permission_set(
        InstanceArn=sim.instance_arn,
        PermissionSetArn=arn,
        TargetType="AWS_ACCOUNT",
        TargetId=accounts[0],
    )
    ctx = ReadContext(session, None)
    ctx.instance_arn = sim.instance_arn
    try:
        provisioned, stale = read_provisioned(
            ctx, [arn], lambda wait: accounts_known, lambda: accounts, stale=True
        )
    finally:
        ctx.close()
    assert provisioned == {arn: set(accounts)}
    assert stale == {arn: set(accounts[1:])}
    strategy = "per-account" if accounts_known == 0 else "per-permission-set"
    assert any(note.startswith(f"provisioning: {strategy}") for note in session.stats.notes)
