"""Identity Store group and membership writes.

A group op carries only the group's own attributes (name, description);
members are separate add_member/remove_member ops so each is journaled and
undone on its own. UpdateGroup takes the same AttributeOperations as
UpdateUser; a removed description is an operation without a value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.aws.errors import unless_missing
from reconciler.aws.read_groups import group_from_api
from reconciler.errors import AwsError
from reconciler.model import Group
from reconciler.model.codec import group_from_doc

if TYPE_CHECKING:
    from reconciler.aws.write_context import WriteContext


def create_group(ctx: WriteContext, doc: dict[str, Any], resource: str) -> None:
    group, _ = group_from_doc(doc)
    params: dict[str, Any] = {"DisplayName": group.name}
    if group.description is not None:
        params["Description"] = group.description
    result = ctx.store_call("CreateGroup", resource, **params)
    ctx.names.remember_group(group.name, result["GroupId"])


def group_operations(before: Group, after: Group) -> list[dict[str, Any]]:
    ops: list[dict[str, Any]] = []
    if before.name != after.name:
        ops.append({"AttributePath": "displayName", "AttributeValue": after.name})
    if before.description != after.description:
        op: dict[str, Any] = {"AttributePath": "description"}
        if after.description is not None:
            op["AttributeValue"] = after.description
        ops.append(op)
    return ops


def update_group(ctx: WriteContext, args: dict[str, Any], resource: str) -> None:
    (before, _), (after, _) = group_from_doc(args["before"]), group_from_doc(args["after"])
    ops = group_operations(before, after)
    if not ops:
        return
    group_id = ctx.names.group_id(args["name"])
    ctx.store_call("UpdateGroup", resource, GroupId=group_id, Operations=ops)
    if before.name != after.name:
        ctx.names.remember_group(before.name, None)
        ctx.names.remember_group(after.name, group_id)


def delete_group(ctx: WriteContext, name: str, resource: str) -> None:
    group_id = ctx.names.group_id(name)
    ctx.store_call("DeleteGroup", resource, GroupId=group_id)
    ctx.names.remember_group(name, None)


def add_member(ctx: WriteContext, group: str, user: str, resource: str) -> None:
    group_id, user_id = ctx.names.group_id(group), ctx.names.user_id(user)
    result = ctx.store_call(
        "CreateGroupMembership", resource, GroupId=group_id, MemberId={"UserId": user_id}
    )
    ctx.names.remember_membership(group, user, result["MembershipId"])


def remove_member(ctx: WriteContext, group: str, user: str, resource: str) -> None:
    membership_id = ctx.names.find_membership_id(group, user)
    if membership_id is None:
        raise AwsError(
            "GetGroupMembershipId",
            resource,
            f"{user} is not a member of {group}",
            "ResourceNotFoundException",
            refused=True,  # found before any write call
        )
    ctx.store_call("DeleteGroupMembership", resource, MembershipId=membership_id)
    ctx.names.remember_membership(group, user, None)


def live_group(ctx: WriteContext, name: str) -> Group | None:
    group_id = ctx.names.find_group_id(name)
    if group_id is None:
        return None
    described = unless_missing(
        lambda: ctx.store_call("DescribeGroup", f"group {name}", GroupId=group_id)
    )
    return None if described is None else group_from_api(described)


def group_matches(ctx: WriteContext, doc: dict[str, Any]) -> bool:
    """True when the group exists with the document's description."""
    wanted, _ = group_from_doc(doc)
    live = live_group(ctx, wanted.name)
    return live is not None and live.description == wanted.description
