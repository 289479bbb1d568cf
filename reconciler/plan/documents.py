"""Documents and keys for each kind, as the plan file, renderers and apply read them.

A change carries documents in the desired-state format (model.codec), never
model objects, so one plan file is readable by people, renderers and apply.
Memberships and assignments have no codec document of their own (in YAML they
live inside groups and rules); their document is their key.
"""

from __future__ import annotations

from typing import Any

from reconciler.model import Assignment, Group, Membership, PermissionSet, State, User
from reconciler.model.codec import group_to_doc, permission_set_to_doc, user_to_doc
from reconciler.plan.changes import Kind

Doc = dict[str, Any]

# The key fields of each kind, in key order: `Change.key` and `key_text()`.
KEY_FIELDS: dict[Kind, tuple[str, ...]] = {
    "user": ("user_name",),
    "group": ("name",),
    "membership": ("group", "user"),
    "permission_set": ("name",),
    "assignment": ("permission_set", "principal_type", "principal", "account"),
}


def user_key(name: str) -> dict[str, str]:
    return {"user_name": name}


def group_key(name: str) -> dict[str, str]:
    return {"name": name}


def permission_set_key(name: str) -> dict[str, str]:
    return {"name": name}


def membership_key(membership: Membership) -> dict[str, str]:
    return {"group": membership.group, "user": membership.user}


def assignment_key(assignment: Assignment) -> dict[str, str]:
    return {
        "permission_set": assignment.permission_set,
        "principal_type": assignment.principal_type,
        "principal": assignment.principal,
        "account": assignment.account,
    }


def user_doc(user: User) -> Doc:
    return user_to_doc(user)


def group_doc(group: Group) -> Doc:
    """The group alone: members are membership changes of their own."""
    return group_to_doc(group)


def permission_set_doc(ps: PermissionSet) -> Doc:
    return permission_set_to_doc(ps)


def live_document(state: State, kind: Kind, key: dict[str, str]) -> Doc | None:
    """The document of the resource `key` in `state`, or None when absent.

    Apply calls this on its own fresh read to check a plan's `touched`
    digests, so both sides compute them from the same documents.
    """
    if kind == "user":
        user = state.users.get(key["user_name"])
        return None if user is None else user_doc(user)
    if kind == "group":
        group = state.groups.get(key["name"])
        return None if group is None else group_doc(group)
    if kind == "permission_set":
        ps = state.permission_sets.get(key["name"])
        return None if ps is None else permission_set_doc(ps)
    if kind == "membership":
        membership = Membership(key["group"], key["user"])
        return membership_key(membership) if membership in state.memberships else None
    assignment = Assignment(
        key["permission_set"],
        "USER" if key["principal_type"] == "USER" else "GROUP",
        key["principal"],
        key["account"],
    )
    return assignment_key(assignment) if assignment in state.assignments else None
