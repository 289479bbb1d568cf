"""What AWS refuses, the simulator refuses: assignments and provisioning to
accounts outside the organization, and more groups on one permission set in
one account than Identity Center allows."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from reconciler.sim.runtime import RUNTIME
from tests.sim.conftest import Clients, error_of

OUTSIDER = "999999999999"  # twelve digits, not in the demo organization
MEMBER = "444444444444"  # prod-web


def setup(c: Clients) -> tuple[str, str]:
    ps = c.sso.create_permission_set(InstanceArn=c.instance, Name="Refusals")["PermissionSet"][
        "PermissionSetArn"
    ]
    group = c.ids.create_group(IdentityStoreId=c.store, DisplayName="Refused")["GroupId"]
    return ps, group


def create(c: Clients, ps: str, group: str, account: str) -> dict:
    return c.sso.create_account_assignment(
        InstanceArn=c.instance,
        TargetId=account,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=ps,
        PrincipalType="GROUP",
        PrincipalId=group,
    )["AccountAssignmentCreationStatus"]


def test_assignment_to_an_account_outside_the_organization_is_refused(demo: Clients) -> None:
    ps, group = setup(demo)
    with pytest.raises(ClientError) as exc:
        create(demo, ps, group, OUTSIDER)
    error = error_of(exc)
    assert error["Code"] == "ValidationException" and OUTSIDER in error["Message"]
    listed = demo.sso.list_account_assignments(
        InstanceArn=demo.instance, AccountId=OUTSIDER, PermissionSetArn=ps
    )
    assert listed["AccountAssignments"] == []
    statuses = demo.sso.list_account_assignment_creation_status(InstanceArn=demo.instance)
    assert statuses["AccountAssignmentsCreationStatus"] == []
    assert create(demo, ps, group, MEMBER)["Status"] == "SUCCEEDED"


def test_provisioning_to_an_account_outside_the_organization_is_refused(demo: Clients) -> None:
    ps, _ = setup(demo)
    with pytest.raises(ClientError) as exc:
        demo.sso.provision_permission_set(
            InstanceArn=demo.instance,
            PermissionSetArn=ps,
            TargetType="AWS_ACCOUNT",
            TargetId=OUTSIDER,
        )
    assert error_of(exc)["Code"] == "ValidationException"
    accounts = demo.sso.list_accounts_for_provisioned_permission_set(
        InstanceArn=demo.instance, PermissionSetArn=ps
    )
    assert accounts["AccountIds"] == []


def test_at_most_100_groups_per_permission_set_and_account(demo: Clients) -> None:
    ps, first = setup(demo)
    create(demo, ps, first, MEMBER)
    for n in range(99):
        group = demo.ids.create_group(IdentityStoreId=demo.store, DisplayName=f"g{n}")["GroupId"]
        create(demo, ps, group, MEMBER)
    extra = demo.ids.create_group(IdentityStoreId=demo.store, DisplayName="one-too-many")
    with pytest.raises(ClientError) as exc:
        create(demo, ps, extra["GroupId"], MEMBER)
    assert error_of(exc)["Code"] == "ServiceQuotaExceededException"
    assert create(demo, ps, first, MEMBER)["Status"] == "SUCCEEDED"  # a duplicate is no new group
    assert create(demo, ps, extra["GroupId"], "444444444445")["Status"] == "SUCCEEDED"


def test_requests_for_a_suspended_account_are_accepted_then_fail(demo: Clients) -> None:
    suspended = "666666666667"  # sandbox-old
    ps, group = setup(demo)
    status = create(demo, ps, group, suspended)
    got = demo.sso.describe_account_assignment_creation_status(
        InstanceArn=demo.instance, AccountAssignmentCreationRequestId=status["RequestId"]
    )["AccountAssignmentCreationStatus"]
    assert got["Status"] == "FAILED" and suspended in got["FailureReason"]
    listed = demo.sso.list_account_assignments(
        InstanceArn=demo.instance, AccountId=suspended, PermissionSetArn=ps
    )
    assert listed["AccountAssignments"] == []
    request = demo.sso.provision_permission_set(
        InstanceArn=demo.instance, PermissionSetArn=ps, TargetType="AWS_ACCOUNT", TargetId=suspended
    )["PermissionSetProvisioningStatus"]["RequestId"]
    got = demo.sso.describe_permission_set_provisioning_status(
        InstanceArn=demo.instance, ProvisionPermissionSetRequestId=request
    )["PermissionSetProvisioningStatus"]
    assert got["Status"] == "FAILED" and suspended in got["FailureReason"]
    accounts = demo.sso.list_accounts_for_provisioned_permission_set(
        InstanceArn=demo.instance, PermissionSetArn=ps
    )
    assert accounts["AccountIds"] == []


def test_reprovisioning_all_accounts_fails_when_the_last_assignment_went_meanwhile(
    demo: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(RUNTIME, "now", lambda: clock[0])
    demo.sim.realism.async_delay = 10
    ps, group = setup(demo)
    create(demo, ps, group, MEMBER)
    clock[0] += 11
    demo.sso.update_permission_set(InstanceArn=demo.instance, PermissionSetArn=ps, Description="x")
    demo.sso.delete_account_assignment(
        InstanceArn=demo.instance,
        TargetId=MEMBER,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=ps,
        PrincipalType="GROUP",
        PrincipalId=group,
    )
    request = demo.sso.provision_permission_set(
        InstanceArn=demo.instance, PermissionSetArn=ps, TargetType="ALL_PROVISIONED_ACCOUNTS"
    )["PermissionSetProvisioningStatus"]["RequestId"]
    clock[0] += 11
    got = demo.sso.describe_permission_set_provisioning_status(
        InstanceArn=demo.instance, ProvisionPermissionSetRequestId=request
    )["PermissionSetProvisioningStatus"]
    assert got["Status"] == "FAILED"
    assert got["FailureReason"] == "Received a 404 status error: Assignment not found."


def test_all_provisioned_accounts_is_refused_above_its_account_limit(demo: Clients) -> None:
    """ALL_PROVISIONED_ACCOUNTS reaches a bounded number of accounts (AWS:
    3500, lowered here): above it the request is refused and nothing is
    provisioned; each account can still be provisioned with AWS_ACCOUNT."""
    demo.sim.realism.all_provisioned_max = 2
    ps, group = setup(demo)
    accounts = ["444444444444", "444444444445", "444444444446"]
    for account in accounts:
        create(demo, ps, group, account)
    demo.sso.update_permission_set(InstanceArn=demo.instance, PermissionSetArn=ps, Description="x")

    def stale() -> list[str]:
        return sorted(
            demo.sso.list_accounts_for_provisioned_permission_set(
                InstanceArn=demo.instance,
                PermissionSetArn=ps,
                ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED",
            )["AccountIds"]
        )

    with pytest.raises(ClientError) as exc:
        demo.sso.provision_permission_set(
            InstanceArn=demo.instance, PermissionSetArn=ps, TargetType="ALL_PROVISIONED_ACCOUNTS"
        )
    error = error_of(exc)
    assert error["Code"] == "ValidationException"
    assert "3 AWS accounts" in error["Message"] and "at most 2" in error["Message"]
    assert stale() == accounts
    demo.sso.provision_permission_set(
        InstanceArn=demo.instance, PermissionSetArn=ps, TargetType="AWS_ACCOUNT", TargetId=MEMBER
    )
    assert stale() == accounts[1:]
    demo.sim.realism.all_provisioned_max = 3
    demo.sso.provision_permission_set(
        InstanceArn=demo.instance, PermissionSetArn=ps, TargetType="ALL_PROVISIONED_ACCOUNTS"
    )
    assert stale() == []
