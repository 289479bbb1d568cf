"""sso-admin permission set operations, driven through boto3 as AWS documents them."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.sim.conftest import Clients, error_of

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
    }
)


def create(c: Clients, name: str = "Ops", **extra: object) -> str:
    return c.sso.create_permission_set(InstanceArn=c.instance, Name=name, **extra)["PermissionSet"][
        "PermissionSetArn"
    ]


def test_create_returns_aws_shaped_arn_and_defaults(empty: Clients) -> None:
    ps = empty.sso.create_permission_set(InstanceArn=empty.instance, Name="Ops")["PermissionSet"]
    instance_id = empty.instance.split("/")[-1]
    assert ps["PermissionSetArn"].startswith(f"arn:aws:sso:::permissionSet/{instance_id}/ps-")
    assert len(ps["PermissionSetArn"].split("/ps-")[1]) == 16
    described = empty.sso.describe_permission_set(
        InstanceArn=empty.instance, PermissionSetArn=ps["PermissionSetArn"]
    )
    assert described["PermissionSet"]["SessionDuration"] == "PT1H"
    assert "RelayState" not in described["PermissionSet"]


def test_duplicate_name_is_a_conflict(empty: Clients) -> None:
    create(empty, "Ops")
    with pytest.raises(ClientError) as exc:
        create(empty, "Ops")
    assert error_of(exc)["Code"] == "ConflictException"
    assert "already exists" in error_of(exc)["Message"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Name", "x" * 33),
        ("Name", "has space"),
        ("SessionDuration", "PT13H"),
        ("SessionDuration", "PT30M"),
        ("SessionDuration", "8 hours"),
        ("Description", "snowman \u2603"),
        ("RelayState", "https://example.com/<script>"),
    ],
)
def test_invalid_fields_are_rejected(empty: Clients, field: str, value: str) -> None:
    params = {"Name": "Ops", field: value}
    with pytest.raises(ClientError) as exc:
        empty.sso.create_permission_set(InstanceArn=empty.instance, **params)
    assert error_of(exc)["Code"] == "ValidationException"
    assert empty.sso.list_permission_sets(InstanceArn=empty.instance)["PermissionSets"] == []


def test_update_changes_only_given_fields(empty: Clients) -> None:
    arn = create(
        empty, Description="before", SessionDuration="PT8H", RelayState="https://a.example.com/"
    )
    empty.sso.update_permission_set(
        InstanceArn=empty.instance, PermissionSetArn=arn, Description="after"
    )
    ps = empty.sso.describe_permission_set(InstanceArn=empty.instance, PermissionSetArn=arn)[
        "PermissionSet"
    ]
    assert (ps["Description"], ps["SessionDuration"], ps["RelayState"]) == (
        "after",
        "PT8H",
        "https://a.example.com/",
    )
    with pytest.raises(ClientError) as exc:
        empty.sso.update_permission_set(
            InstanceArn=empty.instance, PermissionSetArn=arn, SessionDuration="PT24H"
        )
    assert error_of(exc)["Code"] == "ValidationException"


def test_tags_given_at_create_are_readable_and_editable(empty: Clients) -> None:
    arn = create(empty, Tags=[{"Key": "team", "Value": "platform"}])
    tags = empty.sso.list_tags_for_resource(InstanceArn=empty.instance, ResourceArn=arn)["Tags"]
    assert tags == [{"Key": "team", "Value": "platform"}]
    empty.sso.tag_resource(
        InstanceArn=empty.instance,
        ResourceArn=arn,
        Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "sre"}],
    )
    empty.sso.untag_resource(InstanceArn=empty.instance, ResourceArn=arn, TagKeys=["env"])
    tags = empty.sso.list_tags_for_resource(ResourceArn=arn)["Tags"]  # InstanceArn is optional
    assert tags == [{"Key": "team", "Value": "sre"}]
    with pytest.raises(ClientError) as exc:
        empty.sso.tag_resource(
            ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)]
        )
    assert error_of(exc)["Code"] == "ServiceQuotaExceededException"


def test_tagging_a_missing_resource_is_not_found(empty: Clients) -> None:
    missing = empty.instance.replace(":instance/", ":permissionSet/") + "/ps-0000000000000000"
    with pytest.raises(ClientError) as exc:
        empty.sso.list_tags_for_resource(InstanceArn=empty.instance, ResourceArn=missing)
    assert error_of(exc)["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    "boundary",
    [
        {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"},
        {"CustomerManagedPolicyReference": {"Name": "Boundary", "Path": "/boundaries/"}},
    ],
)
def test_permissions_boundary_lifecycle(empty: Clients, boundary: dict) -> None:
    arn = create(empty)
    args = {"InstanceArn": empty.instance, "PermissionSetArn": arn}
    with pytest.raises(ClientError) as exc:
        empty.sso.get_permissions_boundary_for_permission_set(**args)
    assert error_of(exc)["Code"] == "ResourceNotFoundException"
    empty.sso.put_permissions_boundary_to_permission_set(**args, PermissionsBoundary=boundary)
    assert (
        empty.sso.get_permissions_boundary_for_permission_set(**args)["PermissionsBoundary"]
        == boundary
    )
    empty.sso.delete_permissions_boundary_from_permission_set(**args)
    with pytest.raises(ClientError):
        empty.sso.get_permissions_boundary_for_permission_set(**args)


def test_boundary_needs_exactly_one_kind(empty: Clients) -> None:
    arn = create(empty)
    with pytest.raises(ClientError) as exc:
        empty.sso.put_permissions_boundary_to_permission_set(
            InstanceArn=empty.instance, PermissionSetArn=arn, PermissionsBoundary={}
        )
    assert error_of(exc)["Code"] == "ValidationException"


def test_job_function_managed_policies_attach(empty: Clients) -> None:
    arn = create(empty)
    policy = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    empty.sso.attach_managed_policy_to_permission_set(
        InstanceArn=empty.instance, PermissionSetArn=arn, ManagedPolicyArn=policy
    )
    listed = empty.sso.list_managed_policies_in_permission_set(
        InstanceArn=empty.instance, PermissionSetArn=arn
    )
    assert [p["Arn"] for p in listed["AttachedManagedPolicies"]] == [policy]


def test_inline_policy_must_be_a_policy(empty: Clients) -> None:
    arn = create(empty)
    args = {"InstanceArn": empty.instance, "PermissionSetArn": arn}
    with pytest.raises(ClientError) as exc:
        empty.sso.put_inline_policy_to_permission_set(**args, InlinePolicy="{not json")
    assert error_of(exc)["Code"] == "ValidationException"
    empty.sso.put_inline_policy_to_permission_set(**args, InlinePolicy=POLICY)
    assert json.loads(
        empty.sso.get_inline_policy_for_permission_set(**args)["InlinePolicy"]
    ) == json.loads(POLICY)


def test_list_permission_sets_pages_and_rejects_oversized_pages(empty: Clients) -> None:
    arns = [create(empty, f"PS{i}") for i in range(5)]
    first = empty.sso.list_permission_sets(InstanceArn=empty.instance, MaxResults=2)
    assert len(first["PermissionSets"]) == 2 and first["NextToken"]
    paginator = empty.sso.get_paginator("list_permission_sets")
    pages = list(paginator.paginate(InstanceArn=empty.instance, PaginationConfig={"PageSize": 2}))
    assert [len(p["PermissionSets"]) for p in pages] == [2, 2, 1]
    assert [a for p in pages for a in p["PermissionSets"]] == arns
    with pytest.raises(ClientError) as exc:
        empty.sso.list_permission_sets(InstanceArn=empty.instance, MaxResults=101)
    assert error_of(exc)["Code"] == "ValidationException"


def test_instances_are_fixed_and_unknown_instances_not_found(empty: Clients) -> None:
    instances = empty.sso.list_instances()["Instances"]
    assert [(i["InstanceArn"], i["IdentityStoreId"]) for i in instances] == [
        ("arn:aws:sso:::instance/ssoins-6804a1b2c3d4e5f6", "d-9067a1b2c3")
    ]
    with pytest.raises(ClientError) as exc:
        empty.sso.list_permission_sets(InstanceArn="arn:aws:sso:::instance/ssoins-0000000000000000")
    assert error_of(exc)["Code"] == "ResourceNotFoundException"
