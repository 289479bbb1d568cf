"""Identity Store groups and their memberships.

Groups come from ListGroups (complete records, 100 per page). Memberships
have two complete readings: ListGroupMemberships per group, or
ListGroupMembershipsForMember per user. Each costs at least one call per
group (resp. user), so we take the side with fewer principals; a page holds
100 memberships either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.aws.errors import unless_missing
from reconciler.aws.paging import list_all, paginate
from reconciler.aws.read_context import ReadContext
from reconciler.aws.read_users import external_ids_from_api
from reconciler.model import Group, Membership, User


def group_from_api(raw: Mapping[str, Any]) -> Group:
    return Group(
        name=raw["DisplayName"],
        description=raw.get("Description") or None,
        external_ids=external_ids_from_api(raw),
    )


def read_groups(ctx: ReadContext) -> dict[str, Group]:
    """Every group of the identity store, by group id."""
    groups: dict[str, Group] = {}
    for raw in paginate(
        ctx.client("identitystore"),
        "ListGroups",
        "Groups",
        f"identity store {ctx.identity_store_id}",
        IdentityStoreId=ctx.identity_store_id,
    ):
        groups[raw["GroupId"]] = group_from_api(raw)
    ctx.report("groups", len(groups), len(groups))
    return groups


def membership_strategy(group_count: int, user_count: int) -> str:
    """'per-group' or 'per-user': the side needing fewer first pages."""
    return "per-group" if group_count <= user_count else "per-user"


def read_memberships(
    ctx: ReadContext, groups: Mapping[str, Group], users: Mapping[str, User]
) -> set[Membership]:
    """Every (group, user) pair, by names. Members whose user or group is
    not in the lists read before (created or deleted meanwhile) are left out:
    a membership must name principals the snapshot holds."""
    client = ctx.client("identitystore")
    store = ctx.identity_store_id
    strategy = membership_strategy(len(groups), len(users))
    ctx.note(
        f"memberships: {strategy} ({len(groups)} groups vs {len(users)} users, "
        "at least one ListGroupMemberships[ForMember] call each)"
    )

    def of_group(group_id: str) -> list[Membership] | None:
        group = groups[group_id]
        items = unless_missing(
            lambda: list_all(
                client,
                "ListGroupMemberships",
                "GroupMemberships",
                f"group {group.name}",
                IdentityStoreId=store,
                GroupId=group_id,
            )
        )
        if items is None:
            return None
        return [
            Membership(group=group.name, user=users[user_id].user_name)
            for item in items
            if (user_id := item.get("MemberId", {}).get("UserId")) in users
        ]

    def of_user(user_id: str) -> list[Membership] | None:
        user = users[user_id]
        items = unless_missing(
            lambda: list_all(
                client,
                "ListGroupMembershipsForMember",
                "GroupMemberships",
                f"user {user.user_name}",
                IdentityStoreId=store,
                MemberId={"UserId": user_id},
            )
        )
        if items is None:
            return None
        return [
            Membership(group=groups[item["GroupId"]].name, user=user.user_name)
            for item in items
            if item.get("GroupId") in groups
        ]

    if strategy == "per-group":
        chunks = ctx.fan_out("identitystore", "memberships", of_group, list(groups))
    else:
        chunks = ctx.fan_out("identitystore", "memberships", of_user, list(users))
    return {m for chunk in chunks for m in chunk}
