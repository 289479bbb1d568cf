"""Two plans compared change by change: does a reviewed plan still hold?

A pull request's plan is reviewed against the live state of its day; when it
is merged, `idc plan --against REVIEWED` makes a fresh plan and asks whether
it holds exactly the reviewed changes. Changes are matched by kind and key,
and compared by what apply would do (action, the documents before and after,
re-provisioning), never by their reason text, which is wording. Anything
else means the reviewed plan no longer describes what would happen, and a
human looks again (Terraform Cloud's "plan changed since review").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.plan.changes import Change, Plan


@dataclass(frozen=True)
class ChangedChange:
    """A change in both plans that would do something else now."""

    reviewed: Change
    fresh: Change

    def differences(self) -> list[str]:
        """What differs, in words: `action`, `before`, `after`, `reprovision`."""
        return [name for name in _COMPARED if _part(self.reviewed, name) != _part(self.fresh, name)]


@dataclass(frozen=True)
class PlanComparison:
    only_reviewed: list[Change] = field(default_factory=list)  # no longer needed
    only_fresh: list[Change] = field(default_factory=list)  # needed now, never reviewed
    changed: list[ChangedChange] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not (self.only_reviewed or self.only_fresh or self.changed)

    def summary(self) -> str:
        if self.holds:
            return "the reviewed plan still holds: a fresh plan has exactly its changes"
        parts = []
        if self.only_reviewed:
            parts.append(f"{len(self.only_reviewed)} reviewed change(s) no longer planned")
        if self.only_fresh:
            parts.append(f"{len(self.only_fresh)} change(s) planned now that were never reviewed")
        if self.changed:
            parts.append(f"{len(self.changed)} change(s) that would now do something else")
        return "the reviewed plan no longer holds: " + ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "holds": self.holds,
            "only_reviewed": [c.to_json() for c in self.only_reviewed],
            "only_fresh": [c.to_json() for c in self.only_fresh],
            "changed": [
                {
                    "kind": c.fresh.kind,
                    "key": dict(c.fresh.key),
                    "differences": c.differences(),
                    "reviewed": c.reviewed.to_json(),
                    "fresh": c.fresh.to_json(),
                }
                for c in self.changed
            ],
        }


_COMPARED = ("action", "before", "after", "reprovision")


def _part(change: Change, name: str) -> Any:
    value = getattr(change, name)
    return sorted(value) if name == "reprovision" else value


def _identity(change: Change) -> tuple[str, tuple[tuple[str, str], ...]]:
    return change.kind, tuple(sorted(change.key.items()))


def compare_plans(reviewed: Plan, fresh: Plan) -> PlanComparison:
    """Match the changes of both plans by kind and key, in fresh-plan order."""
    old = {_identity(c): c for c in reviewed.changes}
    new = {_identity(c): c for c in fresh.changes}
    result = PlanComparison(
        only_reviewed=[c for key, c in old.items() if key not in new],
        only_fresh=[c for key, c in new.items() if key not in old],
    )
    for key, change in new.items():
        if key in old and any(_part(old[key], n) != _part(change, n) for n in _COMPARED):
            result.changed.append(ChangedChange(old[key], change))
    return result
