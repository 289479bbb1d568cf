"""Users, groups and memberships written through the Writer, read back from the simulator."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.aws.read_groups import group_from_api
from reconciler.aws.read_users import user_from_api
from reconciler.aws.writer import Writer
from reconciler.errors import AwsError
from reconciler.model.codec import user_from_doc
from reconciler.model.operations import Op
from reconciler.sim.simulator import Simulator

EVERY_ATTRIBUTE: dict[str, Any] = {
    "user_name": "zoe@example.com",
    "display_name": "Zoe Quinn",
    "name": {
        "given": "Zoe",
        "family": "Quinn",
        "formatted": "Dr. Zoe A. Quinn PhD",
        "middle": "Ann",
        "honorific_prefix": "Dr.",
        "honorific_suffix": "PhD",
    },
    "nick_name": "Z",
    "profile_url": "https://intranet.example.com/people/zoe",
    "title": "Staff Engineer",
    "user_type": "Employee",
    "preferred_language": "en-GB",
    "locale": "en_GB",
    "timezone": "Europe/London",
    "website": "https://zoe.example.com",
    "birthdate": "1990-01-31",
    "emails": [{"value": "zoe@example.com", "type": "work", "primary": True}],
    "phone_numbers": [{"value": "+44 20 7946 0999", "type": "work", "primary": True}],
    "addresses": [
        {
            "street_address": "2 Example Street",
            "locality": "London",
            "region": "Greater London",
            "postal_code": "EC1A 1AB",
            "country": "GB",
            "formatted": "2 Example Street, London",
            "type": "work",
            "primary": True,
        }
    ],
    "roles": [{"value": "architect", "type": "job", "primary": True}],
    "photos": [{"value": "https://example.com/zoe.png", "type": "photo", "display": "Zoe"}],
}


def live_user(sim: Simulator, user_name: str) -> Any:
    store = sim.client("identitystore")
    user_id = store.get_user_id(
        IdentityStoreId=sim.identity_store_id,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": user_name}
        },
    )["UserId"]
    return user_from_api(store.describe_user(IdentityStoreId=sim.identity_store_id, UserId=user_id))


def user_exists(sim: Simulator, user_name: str) -> bool:
    users = sim.client("identitystore").list_users(IdentityStoreId=sim.identity_store_id)["Users"]
    return any(u["UserName"] == user_name for u in users)


def test_create_user_writes_every_attribute(sim: Simulator, writer: Writer) -> None:
    op = Op("create_user", {"doc": EVERY_ATTRIBUTE})
    assert not writer.is_applied(op)

    writer.execute(op)

    assert live_user(sim, "zoe@example.com") == user_from_doc(EVERY_ATTRIBUTE)
    assert writer.is_applied(op)


def test_update_user_changes_exactly_the_changed_attributes(sim: Simulator, writer: Writer) -> None:
    writer.execute(Op("create_user", {"doc": EVERY_ATTRIBUTE}))
    after = {k: v for k, v in EVERY_ATTRIBUTE.items() if k not in ("nick_name", "roles")}
    after["title"] = "Principal Engineer"
    after["name"] = {**EVERY_ATTRIBUTE["name"], "given": "Zoë"}
    del after["name"]["middle"]
    after["emails"] = [{"value": "zoe.quinn@example.com", "type": "work", "primary": True}]
    sent: list[list[dict[str, Any]]] = []
    writer.ctx.store.meta.events.register(
        "provide-client-params.identitystore.UpdateUser",
        lambda params, **_: sent.append(params["Operations"]),
    )
    op = Op(
        "update_user",
        {"user_name": "zoe@example.com", "before": EVERY_ATTRIBUTE, "after": after},
    )
    assert not writer.is_applied(op)

    writer.execute(op)

    assert sorted(o["AttributePath"] for o in sent[0]) == [
        "emails",
        "name.givenName",
        "name.middleName",
        "nickName",
        "roles",
        "title",
    ]
    assert live_user(sim, "zoe@example.com") == user_from_doc(after)
    assert writer.is_applied(op)


def test_update_user_can_rename(sim: Simulator, writer: Writer) -> None:
    before = {"user_name": "bob@example.com", **_bob_rest()}
    after = {**before, "user_name": "robert@example.com"}

    writer.execute(
        Op("update_user", {"user_name": "bob@example.com", "before": before, "after": after})
    )

    assert live_user(sim, "robert@example.com").user_name == "robert@example.com"
    assert not user_exists(sim, "bob@example.com")


def _bob_rest() -> dict[str, Any]:
    return {
        "display_name": "Bob Jones",
        "name": {"given": "Bob", "family": "Jones"},
        "title": "Site Reliability Engineer",
        "emails": [{"value": "bob@example.com", "type": "work", "primary": True}],
        "timezone": "Europe/Berlin",
    }


def test_delete_user(sim: Simulator, writer: Writer) -> None:
    op = Op("delete_user", {"user_name": "frank@example.com"})
    assert not writer.is_applied(op)

    writer.execute(op)

    assert not user_exists(sim, "frank@example.com")
    assert writer.is_applied(op)


def test_missing_user_names_the_call_the_target_and_the_reason(writer: Writer) -> None:
    with pytest.raises(AwsError) as caught:
        writer.execute(Op("delete_user", {"user_name": "nobody@example.com"}))

    assert caught.value.operation == "GetUserId"
    assert caught.value.resource == "delete_user nobody@example.com"
    assert caught.value.code == "ResourceNotFoundException"


def test_duplicate_user_reports_aws_reason_without_retrying(sim: Simulator, writer: Writer) -> None:
    sim.reset_calls()
    with pytest.raises(AwsError) as caught:
        writer.execute(
            Op("create_user", {"doc": {"user_name": "alice@example.com", **_bob_rest()}})
        )

    assert caught.value.operation == "CreateUser"
    assert caught.value.code == "ConflictException"
    assert caught.value.reason  # AWS's own message, verbatim
    assert sim.calls["identitystore:CreateUser"] == 1


def live_group(sim: Simulator, name: str) -> Any:
    store = sim.client("identitystore")
    groups = store.list_groups(IdentityStoreId=sim.identity_store_id)["Groups"]
    found = [g for g in groups if g["DisplayName"] == name]
    return group_from_api(found[0]) if found else None


def test_group_lifecycle(sim: Simulator, writer: Writer) -> None:
    doc = {"name": "Data", "description": "Data engineering"}
    create = Op("create_group", {"doc": doc})
    assert not writer.is_applied(create)
    writer.execute(create)
    assert live_group(sim, "Data").description == "Data engineering"
    assert writer.is_applied(create)

    update = Op("update_group", {"name": "Data", "before": doc, "after": {"name": "Data"}})
    assert not writer.is_applied(update)
    writer.execute(update)
    assert live_group(sim, "Data").description is None
    assert writer.is_applied(update)

    delete = Op("delete_group", {"name": "Data"})
    writer.execute(delete)
    assert live_group(sim, "Data") is None
    assert writer.is_applied(delete)


def members_of(sim: Simulator, group: str) -> set[str]:
    store, sid = sim.client("identitystore"), sim.identity_store_id
    group_id = next(
        g["GroupId"]
        for g in store.list_groups(IdentityStoreId=sid)["Groups"]
        if g["DisplayName"] == group
    )
    memberships = store.list_group_memberships(IdentityStoreId=sid, GroupId=group_id)
    names = set()
    for m in memberships["GroupMemberships"]:
        user = store.describe_user(IdentityStoreId=sid, UserId=m["MemberId"]["UserId"])
        names.add(user["UserName"])
    return names


def test_add_and_remove_member(sim: Simulator, writer: Writer) -> None:
    add = Op("add_member", {"group": "Payments", "user": "carol@example.com"})
    remove = Op("remove_member", {"group": "Payments", "user": "carol@example.com"})
    assert not writer.is_applied(add)
    assert writer.is_applied(remove)

    writer.execute(add)
    assert members_of(sim, "Payments") == {"dave@example.com", "carol@example.com"}
    assert writer.is_applied(add) and not writer.is_applied(remove)

    writer.execute(remove)
    assert members_of(sim, "Payments") == {"dave@example.com"}
    assert writer.is_applied(remove) and not writer.is_applied(add)


def test_removing_a_non_member_fails_clearly(writer: Writer) -> None:
    with pytest.raises(AwsError) as caught:
        writer.execute(Op("remove_member", {"group": "Payments", "user": "alice@example.com"}))

    assert caught.value.resource == "remove_member alice@example.com in Payments"
    assert "not a member" in caught.value.reason
