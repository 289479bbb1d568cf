"""Name -> id resolution for writes, cached for the life of one Writer.

Ops name things the way people do (model.operations); AWS wants ids. Looking
an id up costs one call (users, groups, memberships) or, for permission sets,
a full listing: AWS has no "get permission set by name", so the first lookup
lists and describes every permission set once and keeps the name -> ARN map.
Creates and deletes made through the writer update the cache, so it never
answers with an id the writer itself just removed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from reconciler.aws.errors import is_not_found
from reconciler.aws.paging import list_all
from reconciler.errors import AwsError

if TYPE_CHECKING:
    from reconciler.aws.write_context import WriteContext

K = TypeVar("K")


class IdResolver:
    """Thread-safe caches of user, group, permission set and membership ids."""

    def __init__(self, ctx: WriteContext) -> None:
        self._ctx = ctx
        self._users: dict[str, str] = {}
        self._groups: dict[str, str] = {}
        self._memberships: dict[tuple[str, str], str] = {}
        self._permission_sets: dict[str, str] | None = None
        self._lock = threading.Lock()
        self._gates: dict[tuple[int, object], threading.Lock] = {}

    def forget(self) -> None:
        """Drop every cached id: after a failed call, live state decides again."""
        with self._lock:
            self._users, self._groups, self._memberships = {}, {}, {}
            self._permission_sets = None

    def prime(self, permission_sets: Mapping[str, str], principal: tuple[str, str, str]) -> None:
        """Seed the caches from a read just made: the complete permission set
        name -> ARN map and one (type, name, id) principal."""
        kind, name, principal_id = principal
        with self._lock:
            self._permission_sets = dict(permission_sets)
            (self._groups if kind == "GROUP" else self._users)[name] = principal_id

    # --- users and groups --------------------------------------------------

    def find_user_id(self, user_name: str) -> str | None:
        """The user's id, or None when no such user exists."""
        return self._cached(
            self._users,
            user_name,
            lambda: self._unique_id(
                "GetUserId", "UserId", "userName", user_name, f"user {user_name}"
            ),
        )

    def find_group_id(self, name: str) -> str | None:
        return self._cached(
            self._groups,
            name,
            lambda: self._unique_id("GetGroupId", "GroupId", "displayName", name, f"group {name}"),
        )

    def _cached(self, cache: dict[K, str], key: K, lookup: Callable[[], str | None]) -> str | None:
        """`cache[key]`, looked up once even when many threads ask at the same
        time (fifteen concurrent assignments of one group cost one GetGroupId)."""
        with self._lock:
            if key in cache:
                return cache[key]
            gate = self._gates.setdefault((id(cache), key), threading.Lock())
        with gate:
            with self._lock:
                if key in cache:
                    return cache[key]
            found = lookup()
            if found is not None:
                with self._lock:
                    cache[key] = found
            return found

    def user_id(self, user_name: str) -> str:
        return _required(self.find_user_id(user_name), "GetUserId", f"user {user_name}")

    def group_id(self, name: str) -> str:
        return _required(self.find_group_id(name), "GetGroupId", f"group {name}")

    def principal_id(self, principal_type: str, name: str) -> str:
        return self.group_id(name) if principal_type == "GROUP" else self.user_id(name)

    def _unique_id(
        self, operation: str, key: str, path: str, value: str, resource: str
    ) -> str | None:
        try:
            result = self._ctx.store_call(
                operation,
                resource,
                AlternateIdentifier={
                    "UniqueAttribute": {"AttributePath": path, "AttributeValue": value}
                },
            )
        except AwsError as exc:
            if is_not_found(exc):
                return None
            raise
        return str(result[key])

    def remember_user(self, user_name: str, user_id: str | None) -> None:
        """Record a create (id) or a delete (None)."""
        with self._lock:
            _remember(self._users, user_name, user_id)
            if user_id is None:
                self._memberships = {
                    k: v for k, v in self._memberships.items() if k[1] != user_name
                }

    def remember_group(self, name: str, group_id: str | None) -> None:
        with self._lock:
            _remember(self._groups, name, group_id)
            if group_id is None:
                self._memberships = {k: v for k, v in self._memberships.items() if k[0] != name}

    # --- memberships -------------------------------------------------------

    def find_membership_id(self, group: str, user: str) -> str | None:
        """The membership id, or None when the user is not in the group (or
        either does not exist)."""
        return self._cached(
            self._memberships, (group, user), lambda: self._membership_id(group, user)
        )

    def _membership_id(self, group: str, user: str) -> str | None:
        group_id, user_id = self.find_group_id(group), self.find_user_id(user)
        if group_id is None or user_id is None:
            return None
        try:
            result = self._ctx.store_call(
                "GetGroupMembershipId",
                f"membership of {user} in {group}",
                GroupId=group_id,
                MemberId={"UserId": user_id},
            )
        except AwsError as exc:
            if is_not_found(exc):
                return None
            raise
        return str(result["MembershipId"])

    def remember_membership(self, group: str, user: str, membership_id: str | None) -> None:
        with self._lock:
            _remember(self._memberships, (group, user), membership_id)

    # --- permission sets ---------------------------------------------------

    def find_permission_set_arn(self, name: str) -> str | None:
        with self._lock:
            if self._permission_sets is None:
                self._permission_sets = self._list_permission_sets()
            return self._permission_sets.get(name)

    def permission_set_arn(self, name: str) -> str:
        return _required(
            self.find_permission_set_arn(name), "DescribePermissionSet", f"permission set {name}"
        )

    def remember_permission_set(self, name: str, arn: str | None) -> None:
        with self._lock:
            if self._permission_sets is not None:
                _remember(self._permission_sets, name, arn)

    def _list_permission_sets(self) -> dict[str, str]:
        ctx = self._ctx
        where = f"instance {ctx.instance_arn}"
        arns = list_all(
            ctx.sso, "ListPermissionSets", "PermissionSets", where, InstanceArn=ctx.instance_arn
        )
        names: dict[str, str] = {}
        for arn in arns:
            try:
                described = ctx.sso_call("DescribePermissionSet", arn, PermissionSetArn=arn)
            except AwsError as exc:
                if is_not_found(exc):  # deleted between list and describe
                    continue
                raise
            names[described["PermissionSet"]["Name"]] = arn
        return names


def _remember(cache: dict[K, str], key: K, value: str | None) -> None:
    if value is None:
        cache.pop(key, None)
    else:
        cache[key] = value


def _required(value: str | None, operation: str, resource: str) -> str:
    if value is None:
        raise AwsError(
            operation,
            resource,
            f"{resource} does not exist",
            "ResourceNotFoundException",
            refused=True,  # found before any write call
        )
    return value
