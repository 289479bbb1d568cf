"""What every per-kind planner reads: both states, the settings, and where
to report problems.

Problems are collected, not raised, so one run reports every bad reference in
the desired state at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.desired.settings import Settings
from reconciler.desired.types import Desired, Location
from reconciler.errors import Diagnostic
from reconciler.model import State
from reconciler.plan.changes import Change, Kind

# manage: flag name in idc.yaml for each kind
MANAGE_FLAG: dict[Kind, str] = {
    "user": "users",
    "group": "groups",
    "membership": "memberships",
    "permission_set": "permission_sets",
    "assignment": "assignments",
}
# top-level desired key that declares each kind (members live in group entries)
DECLARING_KEY: dict[Kind, str] = {
    "user": "users",
    "group": "groups",
    "membership": "memberships",  # declared by any `groups:` key
    "permission_set": "permission_sets",
    "assignment": "assignments",
}


@dataclass
class PlanContext:
    desired: Desired
    live: State
    settings: Settings
    problems: list[Diagnostic] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what is left alone, and why
    in_sync: dict[str, int] = field(default_factory=dict)  # kind -> already matching AWS

    def manages(self, kind: Kind) -> bool:
        return kind in self.settings.manage

    def declares(self, kind: Kind) -> bool:
        """A kind no desired file mentions is undeclared, not empty: nothing
        of it is deleted."""
        return DECLARING_KEY[kind] in self.desired.declared

    def authoritative(self, kind: Kind) -> bool:
        """Live resources of this kind missing from desired state are deleted."""
        return self.manages(kind) and self.declares(kind)

    def manage_text(self, kind: Kind) -> str:
        flag = MANAGE_FLAG[kind]
        return f"manage.{flag}: {'true' if self.manages(kind) else 'false'}"

    def note_unchanged(self, kind: Kind, in_sync: int, live_count: int) -> None:
        """Why nothing more is planned for a managed kind."""
        if self.declares(kind):
            self.in_sync[kind] = in_sync
        else:
            those = f"the {live_count} in AWS are" if live_count else "any in AWS are"
            self.notes.append(f"{kind}: not declared in desired state; {those} left alone")

    def create(self, kind: Kind, name: str, key: dict[str, str], doc: Any) -> Change:
        """A named resource in desired state that AWS lacks."""
        return Change("create", kind, key, None, doc, f"in {self.where(kind, name)} but not in AWS")

    def delete(self, kind: Kind, key: dict[str, str], doc: Any) -> Change:
        """A named live resource desired state no longer lists (kind authoritative)."""
        nouns = MANAGE_FLAG[kind].replace("_", " ")
        reason = f"not in desired state; {nouns} are managed ({self.manage_text(kind)})"
        return Change("delete", kind, key, doc, None, reason)

    def location(self, kind: Kind, key_text: str) -> Location | None:
        return self.desired.locations.get((kind, key_text))

    def where(self, kind: Kind, key_text: str) -> str:
        """`desired/teams.yaml:12:5` or `desired state` when not recorded."""
        loc = self.location(kind, key_text)
        return str(loc) if loc is not None and loc.path else "desired state"

    def error(self, location: Location | None, message: str) -> None:
        loc = location or Location("")
        self.problems.append(Diagnostic(loc.path, loc.line, loc.column, message))

    def warn(self, location: Location | None, message: str) -> None:
        """A warning for the plan, `file:line:col: message` when located."""
        where = str(location) if location is not None and location.path else ""
        self.warnings.append(f"{where}: {message}" if where else message)

    # -- name resolution shared by memberships and assignments ------------

    def missing_reference(self, kind: Kind, name: str) -> str | None:
        """Why `name` will not exist after apply, or None when it will.

        Managed and declared: it must be in desired state (a live-only one is
        about to be deleted). Otherwise it must already exist in AWS.
        """
        desired, live = self._maps(kind)
        noun = kind.replace("_", " ")
        if self.authoritative(kind):
            if name in desired:
                return None
            extra = " (it exists in AWS but would be deleted)" if name in live else ""
            return f'{noun} "{name}" is not defined in desired state{extra}'
        if name in live or (self.manages(kind) and name in desired):
            return None
        if self.manages(kind):
            return f'{noun} "{name}" is neither in desired state nor in AWS'
        return (
            f'{noun} "{name}" is not in AWS; with {self.manage_text(kind)} '
            "it must already exist there"
        )

    def _maps(self, kind: Kind) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        if kind == "user":
            return self.desired.users, self.live.users
        if kind == "group":
            return self.desired.groups, self.live.groups
        if kind == "permission_set":
            return self.desired.permission_sets, self.live.permission_sets
        raise ValueError(f"{kind} is not referenced by name")
