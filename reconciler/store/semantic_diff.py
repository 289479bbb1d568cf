"""What changed between two States, by kind and key, down to the attribute.

`git diff` of two snapshots shows lines; this shows meaning: "user bob: title
'SRE' -> 'Staff SRE'", "assignment ReadOnly:GROUP:Dev:444444444444 added".
Documents come from the one codec, and deepdiff finds the attribute paths,
so the diff speaks the same vocabulary as the YAML people read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from deepdiff import DeepDiff

from reconciler.model import State, codec
from reconciler.plan.documents import assignment_key, membership_key
from reconciler.plan.wording import SIGNS

Action = Literal["added", "removed", "changed"]
# Kinds in the order they are reported; plural, as in the snapshot files.
DIFF_KINDS: tuple[str, ...] = (
    "users",
    "groups",
    "memberships",
    "permission_sets",
    "assignments",
    "accounts",
    "org_units",
)
# Each action as the plan action it corresponds to, so commit messages and
# `idc history diff` mark them as `idc plan` does (plan.wording.SIGNS).
AS_PLAN_ACTION = {"added": "create", "removed": "delete", "changed": "update"}
SIGN = {action: SIGNS[plan_action] for action, plan_action in AS_PLAN_ACTION.items()}


@dataclass(frozen=True)
class AttributeChange:
    path: str  # "name.given", "emails[0].type", "inline_policy.Statement[0].Action[1]"
    before: Any = None  # None when the attribute was added
    after: Any = None  # None when the attribute was removed

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class KeyChange:
    kind: str
    key: str
    action: Action
    before: Any = None
    after: Any = None
    attributes: tuple[AttributeChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "key": self.key, "action": self.action}
        if self.action == "changed":
            out["attributes"] = [a.to_json() for a in self.attributes]
        else:
            out["document"] = self.after if self.action == "added" else self.before
        return out


@dataclass(frozen=True)
class StateDiff:
    changes: tuple[KeyChange, ...] = ()
    kinds: tuple[str, ...] = field(default=DIFF_KINDS)

    @property
    def empty(self) -> bool:
        return not self.changes

    def of_kind(self, kind: str) -> list[KeyChange]:
        return [c for c in self.changes if c.kind == kind]

    def counts(self) -> dict[str, dict[str, int]]:
        """kind -> {"added": n, "removed": n, "changed": n}, kinds with changes only."""
        out: dict[str, dict[str, int]] = {}
        for change in self.changes:
            per = out.setdefault(change.kind, {"added": 0, "removed": 0, "changed": 0})
            per[change.action] += 1
        return {k: out[k] for k in self.kinds if k in out}

    def summary(self) -> str:
        """`users +2 -1 ~3, groups ~1, assignments +40`, or `no changes`."""
        parts = []
        for kind, per in self.counts().items():
            signs = " ".join(f"{SIGN[a]}{n}" for a, n in per.items() if n)
            parts.append(f"{kind} {signs}")
        return ", ".join(parts) or "no changes"

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.counts(),
            "changes": [c.to_json() for c in self.changes],
        }


def _documents(state: State, kind: str) -> dict[str, Any]:
    """Key text -> document of every record of `kind`, their comparable form."""
    if kind == "users":
        return {k: codec.user_to_doc(u) for k, u in state.users.items()}
    if kind == "groups":
        return {k: codec.group_to_doc(g) for k, g in state.groups.items()}
    if kind == "memberships":
        return {f"{m.group}:{m.user}": membership_key(m) for m in state.memberships}
    if kind == "permission_sets":
        return {k: codec.permission_set_to_doc(p) for k, p in state.permission_sets.items()}
    if kind == "assignments":
        return {":".join(a.key): assignment_key(a) for a in state.assignments}
    if kind == "accounts":
        return {k: codec.account_to_doc(a) for k, a in state.accounts.items()}
    if kind == "org_units":
        return {k: codec.org_unit_to_doc(o) for k, o in state.org_units.items()}
    raise ValueError(f"unknown kind {kind!r}; known: {', '.join(DIFF_KINDS)}")


def attribute_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[AttributeChange]:
    """Attribute-level differences of two documents, as readable paths."""
    diff = DeepDiff(dict(before), dict(after), view="tree", verbose_level=2)
    out: list[AttributeChange] = []
    for report in diff.values():
        for level in report:
            path = _path_text(level.path(output_format="list"))
            t1 = None if _absent(level.t1) else level.t1
            t2 = None if _absent(level.t2) else level.t2
            out.append(AttributeChange(path, t1, t2))
    return sorted(out, key=lambda a: a.path)


def _absent(value: Any) -> bool:
    return type(value).__name__ == "NotPresent"


def _path_text(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def diff_states(before: State, after: State, kinds: Iterable[str] = DIFF_KINDS) -> StateDiff:
    """Every added, removed and changed record, per kind in DIFF_KINDS order, by key."""
    wanted = set(kinds)
    selected = tuple(k for k in DIFF_KINDS if k in wanted)
    changes: list[KeyChange] = []
    for kind in selected:  # documents of the selected kinds only
        old, new = _documents(before, kind), _documents(after, kind)
        for key in sorted(old.keys() | new.keys()):
            if key not in new:
                changes.append(KeyChange(kind, key, "removed", before=old[key]))
            elif key not in old:
                changes.append(KeyChange(kind, key, "added", after=new[key]))
            elif old[key] != new[key]:
                attributes = tuple(attribute_changes(old[key], new[key]))
                changes.append(KeyChange(kind, key, "changed", old[key], new[key], attributes))
    return StateDiff(tuple(changes), selected)
