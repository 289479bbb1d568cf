"""An in-memory stand-in for reconciler.aws.writer.Writer, for unit tests of
journaling, ordering and crash handling without the simulator."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from reconciler.errors import AwsError
from reconciler.model.operations import Op


class Crash(BaseException):
    """Stands in for `kill -9`: nothing after it runs, no done record is written."""


class FakeWriter:
    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.members: set[tuple[str, str]] = set()
        self.permission_sets: dict[str, dict[str, Any]] = {}
        self.assignments: set[tuple[str, str, str, str]] = set()
        self.provisioned: dict[str, dict[str, Any]] = {}  # "ps/account" -> ps doc at provision
        self.calls: list[Op] = []
        self.fail: Callable[[Op], str | None] = lambda op: None
        self.crash_before: int | None = None  # crash before the Nth call (0-based)
        self.crash_after: int | None = None  # crash after the Nth call took effect

    def world(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "users": self.users,
                "groups": self.groups,
                "members": sorted(self.members),
                "permission_sets": self.permission_sets,
                "assignments": sorted(self.assignments),
                "provisioned": self.provisioned,
            }
        )

    def execute(self, op: Op, *, converge: bool = False) -> None:
        n = len(self.calls)
        if self.crash_before == n:
            raise Crash()
        self.calls.append(op)
        reason = self.fail(op)
        if reason:
            raise AwsError(op.name, op.describe(), reason, "ValidationException", refused=True)
        self._mutate(op)
        if self.crash_after == n:
            raise Crash()

    def execute_many(
        self,
        ops: Sequence[Op],
        on_start: Callable[[Op], None],
        on_done: Callable[[Op, AwsError | None], None],
        *,
        max_in_flight: int = 15,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        for op in ops:
            if stop is not None and stop():
                break
            on_start(op)
            try:
                self.execute(op)
            except AwsError as exc:
                on_done(op, exc)
            else:
                on_done(op, None)

    def is_applied(self, op: Op) -> bool:
        a = op.args
        match op.name:
            case "create_user":
                return a["doc"]["user_name"] in self.users
            case "delete_user":
                return a["user_name"] not in self.users
            case "update_user":
                return self.users.get(a["user_name"]) == a["after"]
            case "create_group":
                return a["doc"]["name"] in self.groups
            case "delete_group":
                return a["name"] not in self.groups
            case "update_group":
                return self.groups.get(a["name"]) == a["after"]
            case "add_member":
                return (a["group"], a["user"]) in self.members
            case "remove_member":
                return (a["group"], a["user"]) not in self.members
            case "create_permission_set":
                return a["doc"]["name"] in self.permission_sets
            case "delete_permission_set":
                return a["name"] not in self.permission_sets
            case "update_permission_set":
                return self.permission_sets.get(a["name"]) == a["after"]
            case "provision_permission_set":
                keys = self._provision_keys(a)
                return all(
                    self.provisioned.get(key) == self.permission_sets.get(a["name"]) for key in keys
                )
            case "create_assignment":
                return _akey(a) in self.assignments
            case "delete_assignment":
                return _akey(a) not in self.assignments
        raise AssertionError(op.name)

    def _provision_keys(self, a: dict[str, Any]) -> list[str]:
        """The provisioned pairs an op names: its account, or (no account)
        every account the permission set is provisioned to."""
        if "account" in a:
            return [_pkey(a)]
        return [k for k in self.provisioned if k.split("/")[0] == a["name"]]

    def _mutate(self, op: Op) -> None:
        a = op.args
        match op.name:
            case "create_user":
                self.users[a["doc"]["user_name"]] = copy.deepcopy(a["doc"])
            case "delete_user":
                del self.users[a["user_name"]]
            case "update_user":
                self.users[a["user_name"]] = copy.deepcopy(a["after"])
            case "create_group":
                self.groups[a["doc"]["name"]] = copy.deepcopy(a["doc"])
            case "delete_group":
                del self.groups[a["name"]]
            case "update_group":
                self.groups[a["name"]] = copy.deepcopy(a["after"])
            case "add_member":
                self.members.add((a["group"], a["user"]))
            case "remove_member":
                self.members.remove((a["group"], a["user"]))
            case "create_permission_set":
                self.permission_sets[a["doc"]["name"]] = copy.deepcopy(a["doc"])
            case "delete_permission_set":
                del self.permission_sets[a["name"]]
            case "update_permission_set":
                self.permission_sets[a["name"]] = copy.deepcopy(a["after"])
            case "provision_permission_set":
                for key in self._provision_keys(a):
                    self.provisioned[key] = copy.deepcopy(self.permission_sets[a["name"]])
            case "create_assignment":
                self.assignments.add(_akey(a))
                key = f"{a['permission_set']}/{a['account']}"
                self.provisioned[key] = copy.deepcopy(self.permission_sets[a["permission_set"]])
            case "delete_assignment":
                self.assignments.remove(_akey(a))


def _akey(a: dict[str, Any]) -> tuple[str, str, str, str]:
    return (a["permission_set"], a["principal_type"], a["principal"], a["account"])


def _pkey(a: dict[str, Any]) -> str:
    return f"{a['name']}/{a['account']}"
