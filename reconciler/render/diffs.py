"""What changed inside an update, computed once for every renderer.

deepdiff decides which top-level attributes differ (so list order inside a
policy or a nested record is compared the way the planner compared it); the
unified diff of structured values comes from difflib over pretty JSON with
sorted keys, the form reviewers read policies in.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from deepdiff import DeepDiff

from reconciler.plan import Change

Status = Literal["added", "removed", "changed"]

# Key fields repeat the change's key; never shown as attributes.
KEY_FIELDS = frozenset(
    {"user_name", "name", "group", "user", "permission_set", "principal_type", "principal",
     "account"}
)  # fmt: skip


@dataclass(frozen=True)
class AttributeChange:
    name: str
    status: Status
    old: Any = None
    new: Any = None

    @property
    def structured(self) -> bool:
        """Mappings and lists read better as a unified diff than as old -> new."""
        return isinstance(self.old, Mapping | list) or isinstance(self.new, Mapping | list)


def attribute_changes(change: Change) -> list[AttributeChange]:
    """Top-level attributes that differ between before and after, by name."""
    before: Mapping[str, Any] = change.before or {}
    after: Mapping[str, Any] = change.after or {}
    affected = DeepDiff(dict(before), dict(after), ignore_order=False).affected_root_keys
    out: list[AttributeChange] = []
    for name in sorted(str(k) for k in affected):
        if name in KEY_FIELDS and change.kind != "membership":
            continue
        if name not in before:
            out.append(AttributeChange(name, "added", None, after[name]))
        elif name not in after:
            out.append(AttributeChange(name, "removed", before[name], None))
        else:
            out.append(AttributeChange(name, "changed", before[name], after[name]))
    return out


def shown_attributes(doc: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """The attributes of a created or deleted document, key fields left out."""
    return [(k, v) for k, v in (doc or {}).items() if k not in KEY_FIELDS]


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def compact_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def unified_json_diff(name: str, old: Any, new: Any) -> list[str]:
    """`--- before/name`, `+++ after/name` and hunks over pretty JSON."""
    old_lines = [] if old is None else pretty_json(old).splitlines()
    new_lines = [] if new is None else pretty_json(new).splitlines()
    return list(
        difflib.unified_diff(
            old_lines, new_lines, f"before/{name}", f"after/{name}", n=3, lineterm=""
        )
    )


def subject(change: Change) -> str:
    """The resource in words: `ReadOnly to GROUP Devs in 222222222222`."""
    key = change.key
    if change.kind == "assignment":
        return (
            f"{key['permission_set']} to {key['principal_type']} {key['principal']} "
            f"in {key['account']}"
        )
    if change.kind == "membership":
        return f"{key['user']} in {key['group']}"
    return next(iter(key.values()))
