"""What changed inside an update, computed once for every renderer.

deepdiff decides which top-level attributes differ (so list order inside a
policy or a nested record is compared the way the planner compared it).
Records are shown field by field, by path: a user's `name.given`, a tag
`tags.team`, `permissions_boundary.customer_managed_policy.path`, and in an
update the items of a list of records of unchanged length (`emails[0].type`).
Other lists and the inline policy are structured values: the unified diff
of those comes from difflib over pretty JSON with sorted keys, the form
reviewers read policies in. An inline policy that means the same policy
(model.policies) is no change, however it is spelled.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from deepdiff import DeepDiff

from reconciler.model import policy_identity
from reconciler.plan import Change

Status = Literal["added", "removed", "changed"]

# Key fields repeat the change's key; never shown as attributes.
KEY_FIELDS = frozenset(
    {"user_name", "name", "group", "user", "permission_set", "principal_type", "principal",
     "account"}
)  # fmt: skip
# Shown whole (a unified JSON diff), never split into field paths.
WHOLE = frozenset({"inline_policy"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ABSENT = object()


@dataclass(frozen=True)
class AttributeChange:
    name: str  # a field path: "title", "name.given", "emails[0].type"
    status: Status
    old: Any = None
    new: Any = None

    @property
    def structured(self) -> bool:
        """Mappings and lists read better as a unified diff than as old -> new."""
        return isinstance(self.old, Mapping | list) or isinstance(self.new, Mapping | list)


def attribute_changes(change: Change) -> list[AttributeChange]:
    """The attributes that differ between before and after, records split
    into their fields; sorted by top-level attribute, then field path."""
    before: Mapping[str, Any] = change.before or {}
    after: Mapping[str, Any] = change.after or {}
    hidden = set(change.key) if change.kind != "membership" else set()
    affected = DeepDiff(dict(before), dict(after), ignore_order=False).affected_root_keys
    out: list[AttributeChange] = []
    for name in sorted(str(k) for k in affected):
        if name in hidden:
            continue
        old, new = before.get(name, _ABSENT), after.get(name, _ABSENT)
        if name == "inline_policy" and _same_policy(old, new):
            continue
        out.extend(_changes(name, old, new))
    return out


def _changes(name: str, old: Any, new: Any) -> Iterator[AttributeChange]:
    if name not in WHOLE and _splittable(old, new):
        old_fields, new_fields = _fields(name, old), _fields(name, new)
        for path in sorted(old_fields.keys() | new_fields.keys()):
            yield from _changes(path, old_fields.get(path, _ABSENT), new_fields.get(path, _ABSENT))
        return
    if old is _ABSENT:
        yield AttributeChange(name, "added", None, new)
    elif new is _ABSENT:
        yield AttributeChange(name, "removed", old, None)
    elif old != new:
        yield AttributeChange(name, "changed", old, new)


def _splittable(old: Any, new: Any) -> bool:
    """Two values compared field by field: records (mappings), or lists of
    records of one length; an added or removed record splits too."""
    values = [v for v in (old, new) if v is not _ABSENT]
    if all(isinstance(v, Mapping) for v in values):
        return True
    if not all(
        isinstance(v, list) and v and all(isinstance(i, Mapping) for i in v) for v in values
    ):
        return False
    return len({len(v) for v in values}) == 1


def _fields(name: str, value: Any) -> dict[str, Any]:
    """The direct fields of a record (or the items of a list) by path."""
    if isinstance(value, Mapping):
        return {field_path(name, str(k)): v for k, v in value.items()}
    if isinstance(value, list):
        return {f"{name}[{i}]": v for i, v in enumerate(value)}
    return {}


def field_path(parent: str, key: str) -> str:
    """`name.given`; keys that are not plain words quoted: `tags["cost center"]`."""
    if _WORD.fullmatch(key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def _same_policy(old: Any, new: Any) -> bool:
    if old is _ABSENT or new is _ABSENT:
        return False
    return policy_identity(old) == policy_identity(new)


def shown_attributes(doc: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """The attributes of a created or deleted document, key fields left out,
    records (a user's name, tags, a permissions boundary) field by field."""
    hidden = _key_fields(doc or {})
    out: list[tuple[str, Any]] = []
    for name, value in (doc or {}).items():
        if name not in hidden:
            out.extend(_leaves(name, value))
    return out


def _key_fields(doc: Mapping[str, Any]) -> frozenset[str]:
    """A user document's key is user_name (its `name` is the person's name);
    every other kind's key fields are among KEY_FIELDS."""
    return frozenset({"user_name"}) if "user_name" in doc else KEY_FIELDS


def _leaves(name: str, value: Any) -> Iterator[tuple[str, Any]]:
    if name in WHOLE or not isinstance(value, Mapping) or not value:
        yield name, value
        return
    for key, inner in value.items():
        yield from _leaves(field_path(name, str(key)), inner)


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


def subject(change: Change, accounts: Mapping[str, str] | None = None) -> str:
    """The resource in words: `ReadOnly to GROUP Devs in 222222222222 (prod)`,
    the account's name from `accounts` (the plan's `accounts`) when known."""
    key = change.key
    if change.kind == "assignment":
        return (
            f"{key['permission_set']} to {key['principal_type']} {key['principal']} "
            f"in {named_account(key['account'], accounts)}"
        )
    if change.kind == "membership":
        return f"{key['user']} in {key['group']}"
    return next(iter(key.values()))


def named_account(account_id: str, accounts: Mapping[str, str] | None) -> str:
    """`555555555555 (dev-data)`, or the bare id when its name is unknown."""
    name = (accounts or {}).get(account_id)
    return f"{account_id} ({name})" if name else account_id
