"""A whole Identity Center, desired or live, indexed by natural keys.

Both sides of a plan are a State, so the planner never asks where data came
from. Lookups are O(1); iteration helpers return sorted sequences so every
consumer is deterministic without sorting again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from reconciler.model.accounts import Account, OrgUnit
from reconciler.model.assignments import Assignment
from reconciler.model.groups import Group, Membership
from reconciler.model.permission_sets import PermissionSet
from reconciler.model.users import User

KINDS: tuple[str, ...] = ("user", "group", "membership", "permission_set", "assignment")


@dataclass(frozen=True)
class StateMeta:
    """Where a state was read from; empty for desired state."""

    instance_arn: str = ""
    identity_store_id: str = ""
    management_account_id: str = ""
    region: str = ""


@dataclass(frozen=True)
class State:
    users: Mapping[str, User] = field(default_factory=dict)
    groups: Mapping[str, Group] = field(default_factory=dict)
    memberships: frozenset[Membership] = frozenset()
    permission_sets: Mapping[str, PermissionSet] = field(default_factory=dict)
    assignments: frozenset[Assignment] = frozenset()
    accounts: Mapping[str, Account] = field(default_factory=dict)
    org_units: Mapping[str, OrgUnit] = field(default_factory=dict)  # by OU id
    # Live only: permission set name -> accounts it is provisioned to.
    provisioned: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Live only: permission set name -> accounts where it is provisioned but
    # not at its latest version (edited without re-provisioning). Transient
    # AWS status, not a resource: snapshots and fingerprints leave it out.
    stale_provisioning: Mapping[str, frozenset[str]] = field(default_factory=dict)
    meta: StateMeta = StateMeta()

    @classmethod
    def build(
        cls,
        *,
        users: Iterable[User] = (),
        groups: Iterable[Group] = (),
        memberships: Iterable[Membership] = (),
        permission_sets: Iterable[PermissionSet] = (),
        assignments: Iterable[Assignment] = (),
        accounts: Iterable[Account] = (),
        org_units: Iterable[OrgUnit] = (),
        provisioned: Mapping[str, Iterable[str]] | None = None,
        stale_provisioning: Mapping[str, Iterable[str]] | None = None,
        meta: StateMeta | None = None,
    ) -> State:
        """Index records by key; a key seen twice is a programming error here
        (loaders report duplicates with file positions before calling this)."""
        return cls(
            users=_index(users, lambda u: u.key),
            groups=_index(groups, lambda g: g.key),
            memberships=frozenset(memberships),
            permission_sets=_index(permission_sets, lambda p: p.key),
            assignments=frozenset(assignments),
            accounts=_index(accounts, lambda a: a.key),
            org_units=_index(org_units, lambda o: o.id),
            provisioned={k: frozenset(v) for k, v in sorted((provisioned or {}).items())},
            stale_provisioning={
                k: frozenset(v) for k, v in sorted((stale_provisioning or {}).items()) if v
            },
            meta=meta or StateMeta(),
        )

    def sorted_users(self) -> list[User]:
        return [self.users[k] for k in sorted(self.users)]

    def sorted_groups(self) -> list[Group]:
        return [self.groups[k] for k in sorted(self.groups)]

    def sorted_memberships(self) -> list[Membership]:
        return sorted(self.memberships)

    def sorted_permission_sets(self) -> list[PermissionSet]:
        return [self.permission_sets[k] for k in sorted(self.permission_sets)]

    def sorted_assignments(self) -> list[Assignment]:
        return sorted(self.assignments)

    def sorted_accounts(self) -> list[Account]:
        return [self.accounts[k] for k in sorted(self.accounts)]

    def counts(self) -> dict[str, int]:
        return {
            "users": len(self.users),
            "groups": len(self.groups),
            "memberships": len(self.memberships),
            "permission_sets": len(self.permission_sets),
            "assignments": len(self.assignments),
            "accounts": len(self.accounts),
        }


T = TypeVar("T")


def _index(items: Iterable[T], key: object) -> dict[str, T]:
    out: dict[str, T] = {}
    for item in items:
        k = key(item)  # type: ignore[operator]
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = item
    return dict(sorted(out.items()))
