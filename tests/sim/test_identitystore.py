"""identitystore: every user attribute, UpdateUser/UpdateGroup, membership rules."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.sim.conftest import Clients, error_of

FULL_USER = {
    "UserName": "alice@example.com",
    "DisplayName": "Alice Smith",
    "Name": {"GivenName": "Alice", "FamilyName": "Smith", "MiddleName": "Jane"},
    "NickName": "Ali",
    "Title": "Engineer",
    "Emails": [{"Value": "alice@example.com", "Type": "work", "Primary": True}],
    "PhoneNumbers": [{"Value": "+44 20 7946 0001", "Type": "work", "Primary": True}],
    "Addresses": [{"Locality": "London", "Country": "GB", "Type": "work", "Primary": True}],
    "Roles": [{"Value": "lead", "Type": "job", "Primary": True}],
    "Photos": [{"Value": "https://example.com/a.png", "Type": "photo", "Primary": True}],
    "Website": "https://alice.example.com",
    "Birthdate": "1985-04-12",
    "Timezone": "Europe/London",
}


def user(c: Clients, **attrs: object) -> str:
    params = {**FULL_USER, **attrs}
    return c.ids.create_user(IdentityStoreId=c.store, **params)["UserId"]


def described(c: Clients, user_id: str) -> dict:
    out = c.ids.describe_user(IdentityStoreId=c.store, UserId=user_id)
    out.pop("ResponseMetadata")
    return out


def test_every_attribute_round_trips(empty: Clients) -> None:
    user_id = user(empty)
    got = described(empty, user_id)
    for key, value in FULL_USER.items():
        assert got[key] == value, key
    listed = empty.ids.list_users(IdentityStoreId=empty.store)["Users"]
    assert listed[0]["Roles"] == FULL_USER["Roles"] and listed[0]["Birthdate"] == "1985-04-12"


def test_create_rejects_what_identity_center_rejects(empty: Clients) -> None:
    user(empty)
    with pytest.raises(ClientError) as exc:
        user(empty)
    assert (error_of(exc)["Code"], error_of(exc)["Reason"]) == (
        "ConflictException",
        "UNIQUENESS_CONSTRAINT_VIOLATION",
    )
    for bad in (
        {"UserName": "b", "Emails": [{"Value": "1"}, {"Value": "2"}]},
        {"UserName": "c", "Birthdate": "12/04/1985"},
        {"UserName": "d", "Name": {"GivenName": "D"}},
    ):
        with pytest.raises(ClientError) as exc:
            user(empty, **bad)
        assert error_of(exc)["Code"] == "ValidationException"


def test_update_user_replaces_and_removes_by_camel_case_path(empty: Clients) -> None:
    user_id = user(empty)
    empty.ids.update_user(
        IdentityStoreId=empty.store,
        UserId=user_id,
        Operations=[
            {"AttributePath": "displayName", "AttributeValue": "Alice Jones"},
            {"AttributePath": "name.familyName", "AttributeValue": "Jones"},
            {
                "AttributePath": "emails",
                "AttributeValue": [{"value": "aj@example.com", "type": "work", "primary": True}],
            },
            {"AttributePath": "nickName"},
            {"AttributePath": "website", "AttributeValue": "https://aj.example.com"},
        ],
    )
    got = described(empty, user_id)
    assert got["DisplayName"] == "Alice Jones" and got["Name"]["FamilyName"] == "Jones"
    assert got["Name"]["GivenName"] == "Alice"
    assert got["Emails"] == [{"Value": "aj@example.com", "Type": "work", "Primary": True}]
    assert "NickName" not in got and got["Website"] == "https://aj.example.com"
    assert got["Title"] == "Engineer"
    for bad in (
        [{"AttributePath": "userName"}],
        [{"AttributePath": "shoeSize", "AttributeValue": "9"}],
    ):
        with pytest.raises(ClientError) as exc:
            empty.ids.update_user(IdentityStoreId=empty.store, UserId=user_id, Operations=bad)
        assert error_of(exc)["Code"] == "ValidationException"
    assert described(empty, user_id) == got


def test_update_user_name_keeps_uniqueness(empty: Clients) -> None:
    first = user(empty)
    user(empty, UserName="bob@example.com")
    with pytest.raises(ClientError) as exc:
        empty.ids.update_user(
            IdentityStoreId=empty.store,
            UserId=first,
            Operations=[{"AttributePath": "userName", "AttributeValue": "bob@example.com"}],
        )
    assert error_of(exc)["Code"] == "ConflictException"
    empty.ids.update_user(
        IdentityStoreId=empty.store,
        UserId=first,
        Operations=[{"AttributePath": "userName", "AttributeValue": "carol@example.com"}],
    )
    found = empty.ids.get_user_id(
        IdentityStoreId=empty.store,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": "carol@example.com"}
        },
    )
    assert found["UserId"] == first


def test_update_group(empty: Clients) -> None:
    group = empty.ids.create_group(
        IdentityStoreId=empty.store, DisplayName="Ops", Description="old"
    )["GroupId"]
    empty.ids.update_group(
        IdentityStoreId=empty.store,
        GroupId=group,
        Operations=[
            {"AttributePath": "description", "AttributeValue": "new"},
            {"AttributePath": "displayName", "AttributeValue": "Operations"},
        ],
    )
    got = empty.ids.describe_group(IdentityStoreId=empty.store, GroupId=group)
    assert (got["DisplayName"], got["Description"]) == ("Operations", "new")
    empty.ids.create_group(IdentityStoreId=empty.store, DisplayName="Ops")
    with pytest.raises(ClientError) as exc:
        empty.ids.update_group(
            IdentityStoreId=empty.store,
            GroupId=group,
            Operations=[{"AttributePath": "displayName", "AttributeValue": "Ops"}],
        )
    assert error_of(exc)["Code"] == "ConflictException"


def test_membership_rules(empty: Clients) -> None:
    user_id = user(empty)
    group = empty.ids.create_group(IdentityStoreId=empty.store, DisplayName="Ops")["GroupId"]
    other = empty.ids.create_group(IdentityStoreId=empty.store, DisplayName="Dev")["GroupId"]
    member = {"UserId": user_id}
    membership = empty.ids.create_group_membership(
        IdentityStoreId=empty.store, GroupId=group, MemberId=member
    )
    with pytest.raises(ClientError) as exc:
        empty.ids.create_group_membership(
            IdentityStoreId=empty.store, GroupId=group, MemberId=member
        )
    assert error_of(exc)["Code"] == "ConflictException"
    mid = membership["MembershipId"]
    assert (
        empty.ids.get_group_membership_id(
            IdentityStoreId=empty.store, GroupId=group, MemberId=member
        )["MembershipId"]
        == mid
    )
    got = empty.ids.describe_group_membership(IdentityStoreId=empty.store, MembershipId=mid)
    assert (got["GroupId"], got["MemberId"]) == (group, member)
    results = empty.ids.is_member_in_groups(
        IdentityStoreId=empty.store, MemberId=member, GroupIds=[group, other]
    )["Results"]
    assert [(r["GroupId"], r["MembershipExists"]) for r in results] == [
        (group, True),
        (other, False),
    ]
    empty.ids.delete_group_membership(IdentityStoreId=empty.store, MembershipId=mid)
    with pytest.raises(ClientError) as exc:
        empty.ids.delete_group_membership(IdentityStoreId=empty.store, MembershipId=mid)
    assert (error_of(exc)["Code"], error_of(exc)["ResourceType"]) == (
        "ResourceNotFoundException",
        "GROUP_MEMBERSHIP",
    )


def test_deleting_principals_removes_their_memberships(empty: Clients) -> None:
    user_id = user(empty)
    group = empty.ids.create_group(IdentityStoreId=empty.store, DisplayName="Ops")["GroupId"]
    empty.ids.create_group_membership(
        IdentityStoreId=empty.store, GroupId=group, MemberId={"UserId": user_id}
    )
    empty.ids.delete_user(IdentityStoreId=empty.store, UserId=user_id)
    assert (
        empty.ids.list_group_memberships(IdentityStoreId=empty.store, GroupId=group)[
            "GroupMemberships"
        ]
        == []
    )
    with pytest.raises(ClientError) as exc:
        empty.ids.delete_user(IdentityStoreId=empty.store, UserId=user_id)
    assert (error_of(exc)["Code"], error_of(exc)["ResourceType"]) == (
        "ResourceNotFoundException",
        "USER",
    )
    empty.ids.delete_group(IdentityStoreId=empty.store, GroupId=group)
    with pytest.raises(ClientError) as exc:
        empty.ids.describe_group(IdentityStoreId=empty.store, GroupId=group)
    assert error_of(exc)["ResourceType"] == "GROUP"


def test_unknown_identity_store_and_page_limits(demo: Clients) -> None:
    with pytest.raises(ClientError) as exc:
        demo.ids.list_users(IdentityStoreId="d-0000000000")
    assert error_of(exc)["ResourceType"] == "IDENTITY_STORE"
    pages = list(
        demo.ids.get_paginator("list_users").paginate(
            IdentityStoreId=demo.store, PaginationConfig={"PageSize": 3}
        )
    )
    assert [len(p["Users"]) for p in pages] == [3, 3, 2]
    with pytest.raises(ClientError) as exc:
        demo.ids.list_groups(IdentityStoreId=demo.store, MaxResults=101)
    assert error_of(exc)["Code"] == "ValidationException"
