"""A plan is data: ordered Changes with reasons, rendered and applied elsewhere.

`before`/`after` are documents in the desired-state format (model.codec), so
the JSON plan file, the renderers and the applier all read one shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["create", "update", "delete"]
Kind = Literal["user", "group", "membership", "permission_set", "assignment"]
ACTIONS: tuple[Action, ...] = ("create", "update", "delete")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Change:
    action: Action
    kind: Kind
    key: Mapping[str, str]  # SPEC section 7 key fields for the kind
    before: Any = None  # document, None for create
    after: Any = None  # document, None for delete
    reason: str = ""  # why this change is needed, in words
    # permission_set updates: accounts the set is provisioned to and must be
    # re-provisioned to after the change.
    reprovision: tuple[str, ...] = ()

    def key_text(self) -> str:
        """`kind:part:part` as used by `safety.protect` globs and messages."""
        return ":".join([self.kind, *self.key.values()])

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action,
            "kind": self.kind,
            "key": dict(self.key),
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
        }
        if self.reprovision:
            out["reprovision"] = list(self.reprovision)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(
            action=data["action"],
            kind=data["kind"],
            key=dict(data["key"]),
            before=data.get("before"),
            after=data.get("after"),
            reason=data.get("reason", ""),
            reprovision=tuple(data.get("reprovision", ())),
        )


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    fingerprint: str  # sha256 of the live state the plan was computed from
    warnings: tuple[str, ...] = ()
    # Per-change fingerprints of the live resources touched, so a stale plan
    # file can be refused precisely (SPEC section 8).
    touched: Mapping[str, str] = field(default_factory=dict)
    # Why nothing was needed where nothing changed ("user: 8 in desired state
    # already match AWS", "group: not managed ..."): shown by renderers, not
    # part of the plan file (apply has no use for them).
    notes: tuple[str, ...] = ()
    # The Identity Center instance (and its identity store) the live state
    # was read from: a plan file names resources by name only, so applying it
    # to another instance (another profile, another region) would make the
    # same-named changes there. Empty in plan files from before this field.
    instance_arn: str = ""
    identity_store_id: str = ""

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def empty(self) -> bool:
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "fingerprint": self.fingerprint,
            "instance_arn": self.instance_arn,
            "identity_store_id": self.identity_store_id,
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes],
            "warnings": list(self.warnings),
            "touched": dict(sorted(self.touched.items())),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported plan format_version {data.get('format_version')!r}")
        return cls(
            changes=tuple(Change.from_json(c) for c in data["changes"]),
            fingerprint=data["fingerprint"],
            warnings=tuple(data.get("warnings", ())),
            touched=dict(data.get("touched", {})),
            instance_arn=data.get("instance_arn", ""),
            identity_store_id=data.get("identity_store_id", ""),
        )
