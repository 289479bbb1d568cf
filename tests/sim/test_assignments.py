"""Account assignments and provisioning: existence checks, duplicates,
auto-provisioning, staleness, de-provisioning, status records, pagination."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.sim.conftest import Clients, error_of

ACCOUNTS = ["111111111111", "222222222222", "333333333333"]


def setup(c: Clients) -> tuple[str, str]:
    ps = c.sso.create_permission_set(InstanceArn=c.instance, Name="Ops")["PermissionSet"][
        "PermissionSetArn"
    ]
    group = c.ids.create_group(IdentityStoreId=c.store, DisplayName="Ops")["GroupId"]
    return ps, group


def assign(
    c: Clients, ps: str, principal: str, account: str, ptype: str = "GROUP", delete: bool = False
) -> dict:
    call = c.sso.delete_account_assignment if delete else c.sso.create_account_assignment
    out = call(
        InstanceArn=c.instance,
        TargetId=account,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=ps,
        PrincipalType=ptype,
        PrincipalId=principal,
    )
    return out["AccountAssignmentDeletionStatus" if delete else "AccountAssignmentCreationStatus"]


def provisioned(c: Clients, ps: str, status: str | None = None) -> list[str]:
    extra = {"ProvisioningStatus": status} if status else {}
    pages = c.sso.get_paginator("list_accounts_for_provisioned_permission_set").paginate(
        InstanceArn=c.instance, PermissionSetArn=ps, **extra
    )
    return [a for p in pages for a in p["AccountIds"]]


def test_create_assignment_provisions_and_is_listed(empty: Clients) -> None:
    ps, group = setup(empty)
    status = assign(empty, ps, group, ACCOUNTS[0])
    assert status["Status"] == "SUCCEEDED" and len(status["RequestId"]) == 36
    listed = empty.sso.list_account_assignments(
        InstanceArn=empty.instance, AccountId=ACCOUNTS[0], PermissionSetArn=ps
    )
    assert listed["AccountAssignments"] == [
        {
            "AccountId": ACCOUNTS[0],
            "PermissionSetArn": ps,
            "PrincipalType": "GROUP",
            "PrincipalId": group,
        }
    ]
    assert provisioned(empty, ps) == [ACCOUNTS[0]]
    described = empty.sso.describe_account_assignment_creation_status(
        InstanceArn=empty.instance, AccountAssignmentCreationRequestId=status["RequestId"]
    )
    assert described["AccountAssignmentCreationStatus"]["PrincipalId"] == group


def test_missing_principal_or_permission_set_is_not_found(empty: Clients) -> None:
    ps, group = setup(empty)
    with pytest.raises(ClientError) as exc:
        assign(empty, ps, "12345678-1234-1234-1234-123456789012", ACCOUNTS[0])
    assert error_of(exc)["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        assign(empty, ps.replace(ps[-16:], "0" * 16), group, ACCOUNTS[0])
    assert error_of(exc)["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        assign(empty, ps, group, "12345678901x")
    assert error_of(exc)["Code"] == "ValidationException"


def test_duplicate_assignment_succeeds_without_a_second_record(empty: Clients) -> None:
    ps, group = setup(empty)
    assign(empty, ps, group, ACCOUNTS[0])
    again = assign(empty, ps, group, ACCOUNTS[0])
    assert again["Status"] == "SUCCEEDED"
    listed = empty.sso.list_account_assignments(
        InstanceArn=empty.instance, AccountId=ACCOUNTS[0], PermissionSetArn=ps
    )
    assert len(listed["AccountAssignments"]) == 1


def test_deleting_the_last_assignment_deprovisions_and_allows_delete(empty: Clients) -> None:
    ps, group = setup(empty)
    user = empty.ids.create_user(
        IdentityStoreId=empty.store,
        UserName="u",
        DisplayName="U",
        Name={"GivenName": "U", "FamilyName": "V"},
    )["UserId"]
    assign(empty, ps, group, ACCOUNTS[0])
    assign(empty, ps, user, ACCOUNTS[0], "USER")
    with pytest.raises(ClientError) as exc:
        empty.sso.delete_permission_set(InstanceArn=empty.instance, PermissionSetArn=ps)
    assert error_of(exc)["Code"] == "ConflictException"
    assign(empty, ps, group, ACCOUNTS[0], delete=True)
    assert provisioned(empty, ps) == [ACCOUNTS[0]]
    assign(empty, ps, user, ACCOUNTS[0], "USER", delete=True)
    assert provisioned(empty, ps) == []
    with pytest.raises(ClientError) as exc:
        assign(empty, ps, user, ACCOUNTS[0], "USER", delete=True)
    assert error_of(exc)["Code"] == "ResourceNotFoundException"
    empty.sso.delete_permission_set(InstanceArn=empty.instance, PermissionSetArn=ps)
    assert empty.sso.list_permission_sets(InstanceArn=empty.instance)["PermissionSets"] == []


def test_changes_make_provisioned_accounts_stale_until_reprovisioned(empty: Clients) -> None:
    ps, group = setup(empty)
    for account in ACCOUNTS:
        assign(empty, ps, group, account)
    assert provisioned(empty, ps, "LATEST_PERMISSION_SET_NOT_PROVISIONED") == []
    empty.sso.update_permission_set(
        InstanceArn=empty.instance, PermissionSetArn=ps, SessionDuration="PT2H"
    )
    assert provisioned(empty, ps, "LATEST_PERMISSION_SET_NOT_PROVISIONED") == ACCOUNTS
    status = empty.sso.provision_permission_set(
        InstanceArn=empty.instance,
        PermissionSetArn=ps,
        TargetType="AWS_ACCOUNT",
        TargetId=ACCOUNTS[1],
    )
    assert status["PermissionSetProvisioningStatus"]["AccountId"] == ACCOUNTS[1]
    assert provisioned(empty, ps, "LATEST_PERMISSION_SET_PROVISIONED") == [ACCOUNTS[1]]
    by_account = empty.sso.list_permission_sets_provisioned_to_account(
        InstanceArn=empty.instance,
        AccountId=ACCOUNTS[0],
        ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED",
    )
    assert by_account["PermissionSets"] == [ps]
    status = empty.sso.provision_permission_set(
        InstanceArn=empty.instance, PermissionSetArn=ps, TargetType="ALL_PROVISIONED_ACCOUNTS"
    )
    request = status["PermissionSetProvisioningStatus"]["RequestId"]
    described = empty.sso.describe_permission_set_provisioning_status(
        InstanceArn=empty.instance, ProvisionPermissionSetRequestId=request
    )
    assert described["PermissionSetProvisioningStatus"]["Status"] == "SUCCEEDED"
    assert provisioned(empty, ps, "LATEST_PERMISSION_SET_NOT_PROVISIONED") == []
    listed = empty.sso.list_permission_set_provisioning_status(
        InstanceArn=empty.instance, Filter={"Status": "SUCCEEDED"}
    )
    assert {s["RequestId"] for s in listed["PermissionSetsProvisioningStatus"]} >= {request}
    assert set(listed["PermissionSetsProvisioningStatus"][0]) == {
        "Status",
        "RequestId",
        "CreatedDate",
    }


def test_provisioning_to_an_account_without_assignments(empty: Clients) -> None:
    ps, _ = setup(empty)
    empty.sso.provision_permission_set(
        InstanceArn=empty.instance,
        PermissionSetArn=ps,
        TargetType="AWS_ACCOUNT",
        TargetId=ACCOUNTS[2],
    )
    assert provisioned(empty, ps) == [ACCOUNTS[2]]
    assert (
        empty.sso.list_permission_sets_provisioned_to_account(
            InstanceArn=empty.instance, AccountId=ACCOUNTS[0]
        )["PermissionSets"]
        == []
    )


def test_status_lists_filter_and_carry_metadata_only(empty: Clients) -> None:
    ps, group = setup(empty)
    created = assign(empty, ps, group, ACCOUNTS[0])
    deleted = assign(empty, ps, group, ACCOUNTS[0], delete=True)
    creations = empty.sso.list_account_assignment_creation_status(InstanceArn=empty.instance)
    assert [s["RequestId"] for s in creations["AccountAssignmentsCreationStatus"]] == [
        created["RequestId"]
    ]
    none_failed = empty.sso.list_account_assignment_deletion_status(
        InstanceArn=empty.instance, Filter={"Status": "FAILED"}
    )
    assert none_failed["AccountAssignmentsDeletionStatus"] == []
    deletions = empty.sso.list_account_assignment_deletion_status(InstanceArn=empty.instance)
    assert deletions["AccountAssignmentsDeletionStatus"][0]["RequestId"] == deleted["RequestId"]
    # The creation record stays readable after the assignment is gone (moto loses it).
    empty.sso.describe_account_assignment_creation_status(
        InstanceArn=empty.instance, AccountAssignmentCreationRequestId=created["RequestId"]
    )


def test_demo_listings_page_with_max_results(demo: Clients) -> None:
    ps = next(
        arn
        for arn in demo.sso.list_permission_sets(InstanceArn=demo.instance)["PermissionSets"]
        if demo.sso.describe_permission_set(InstanceArn=demo.instance, PermissionSetArn=arn)[
            "PermissionSet"
        ]["Name"]
        == "AdministratorAccess"
    )
    page = demo.sso.list_accounts_for_provisioned_permission_set(
        InstanceArn=demo.instance, PermissionSetArn=ps, MaxResults=4
    )
    assert len(page["AccountIds"]) == 4 and page["NextToken"]
    assert len(provisioned(demo, ps)) == 10
    for operation, params in [
        ("list_accounts_for_provisioned_permission_set", {"PermissionSetArn": ps}),
        ("list_permission_sets_provisioned_to_account", {"AccountId": "222222222222"}),
        ("list_account_assignment_creation_status", {}),
    ]:
        with pytest.raises(ClientError) as exc:
            getattr(demo.sso, operation)(InstanceArn=demo.instance, MaxResults=101, **params)
        assert error_of(exc)["Code"] == "ValidationException"
    group = demo.ids.get_group_id(
        IdentityStoreId=demo.store,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "BreakGlass"}
        },
    )["GroupId"]
    pages = demo.sso.get_paginator("list_account_assignments_for_principal").paginate(
        InstanceArn=demo.instance,
        PrincipalId=group,
        PrincipalType="GROUP",
        PaginationConfig={"PageSize": 3},
    )
    assert sum(len(p["AccountAssignments"]) for p in pages) == 10
    filtered = demo.sso.list_account_assignments_for_principal(
        InstanceArn=demo.instance,
        PrincipalId=group,
        PrincipalType="GROUP",
        Filter={"AccountId": "123456789012"},
    )
    assert [a["AccountId"] for a in filtered["AccountAssignments"]] == ["123456789012"]
