"""What the desired-state loader produces: the model, assignment rules, and
where each thing was written, so later errors can still name file:line:col."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.errors import Diagnostic
from reconciler.model import Group, Membership, PermissionSet, User


@dataclass(frozen=True, order=True)
class Location:
    path: str  # as shown to the user, relative to the repo
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}" if self.line else self.path


@dataclass(frozen=True)
class AssignmentRule:
    """One `assignments:` entry: a permission set for principals on accounts.

    `accounts` is either a filter expression (docs/filters.md) or an explicit
    list of account ids or names; the planner expands it against the live
    organization inventory.
    """

    permission_set: str
    groups: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    accounts: str | tuple[str, ...] = ()
    location: Location = Location("")
    # Where the expression's first character is (inside quotes), so a filter
    # error's column maps to a file column.
    accounts_location: Location = Location("")
    # (principal type, name, where listed), for precise reference errors.
    principal_locations: tuple[tuple[str, str, Location], ...] = ()


@dataclass(frozen=True)
class Desired:
    users: Mapping[str, User] = field(default_factory=dict)
    groups: Mapping[str, Group] = field(default_factory=dict)
    memberships: frozenset[Membership] = frozenset()
    permission_sets: Mapping[str, PermissionSet] = field(default_factory=dict)
    rules: tuple[AssignmentRule, ...] = ()
    # (kind, key text) -> where it was defined; key text as in Change.key_text()
    # without the kind, e.g. ("user", "alice@example.com").
    locations: Mapping[tuple[str, str], Location] = field(default_factory=dict)
    # Top-level kinds present in any document: a kind no file mentions is
    # not "empty desired", it is "not declared" (and so never planned for deletion).
    declared: frozenset[str] = frozenset()
    # Located warnings found while loading (e.g. an empty file), for display.
    warnings: tuple[Diagnostic, ...] = ()
