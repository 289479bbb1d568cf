"""A plan is data: ordered Changes with reasons, rendered and applied elsewhere.

`before`/`after` are documents in the desired-state format (model.codec), so
the JSON plan file, the renderers and the applier all read one shape.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from reconciler.model import canonical_json

Action = Literal["create", "update", "delete"]
Kind = Literal["user", "group", "membership", "permission_set", "assignment"]
ACTIONS: tuple[Action, ...] = ("create", "update", "delete")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Change:
    action: Action
    kind: Kind
    key: Mapping[str, str]  # natural key fields of the kind (plan.schema.json)
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
class Skipped:
    """A change the planner found but a restore strategy or `--select` left
    out, kept in the plan so a reviewer sees what was not done and why."""

    action: Action
    key: str  # Change.key_text()
    reason: str  # "skip strategy: never updates", "not selected by --select"

    def to_json(self) -> dict[str, str]:
        return {"action": self.action, "key": self.key, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Skipped:
        return cls(action=data["action"], key=data["key"], reason=data.get("reason", ""))


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    fingerprint: str  # sha256 of the live state the plan was computed from
    warnings: tuple[str, ...] = ()
    # Per-change fingerprints of the live resources touched, so a stale plan
    # file can be refused precisely (docs/formats.md#plan-files).
    touched: Mapping[str, str] = field(default_factory=dict)
    # What this plan leaves alone and why ("user: not managed (manage.users:
    # false)", "group: not declared in desired state; the 12 in AWS are left
    # alone"), and per kind how many resources already match AWS. Renderers
    # show both with every plan, so a reviewer never mistakes "not touched"
    # for "in sync"; the plan file keeps them so it renders the same later.
    notes: tuple[str, ...] = ()
    in_sync: Mapping[str, int] = field(default_factory=dict)
    # The Identity Center instance (and its identity store) the live state
    # was read from: a plan file names resources by name only, so applying it
    # to another instance (another profile, another region) would make the
    # same-named changes there. Empty in plan files from before this field.
    instance_arn: str = ""
    identity_store_id: str = ""
    # sha256 of the repository's idc.yaml and desired/ when planned (set by
    # whoever read them, see reconciler.apply.plan_check.repository_digest);
    # a plan file is refused in a repository whose desired state differs.
    desired_digest: str = ""
    # Why this plan must not be applied (e.g. over safety.max_deletes); such
    # a plan is still rendered so a reviewer sees it, never applied.
    refused: str = ""
    # Changes left out on purpose (restore strategies, selection), with why.
    skipped: tuple[Skipped, ...] = ()

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def empty(self) -> bool:
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "fingerprint": self.fingerprint,
            "instance_arn": self.instance_arn,
            "identity_store_id": self.identity_store_id,
            "desired_digest": self.desired_digest,
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes],
            "changes_digest": changes_digest(self.changes),
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            "in_sync": dict(self.in_sync),
            "touched": dict(sorted(self.touched.items())),
        }
        if self.refused:
            out["refused"] = self.refused
        if self.skipped:
            out["skipped"] = [s.to_json() for s in self.skipped]
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        """The plan a plan file holds, as written; whether it may be applied
        is reconciler.apply.plan_check's to say."""
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported plan format_version {data.get('format_version')!r}")
        return cls(
            changes=tuple(Change.from_json(c) for c in data["changes"]),
            fingerprint=data["fingerprint"],
            warnings=tuple(data.get("warnings", ())),
            notes=tuple(data.get("notes", ())),
            in_sync=dict(data.get("in_sync", {})),
            touched=dict(data.get("touched", {})),
            instance_arn=data.get("instance_arn", ""),
            identity_store_id=data.get("identity_store_id", ""),
            desired_digest=data.get("desired_digest", ""),
            refused=data.get("refused", ""),
            skipped=tuple(Skipped.from_json(s) for s in data.get("skipped", ())),
        )


def changes_digest(changes: Iterable[Change]) -> str:
    """sha256 over the canonical JSON of the changes, as the plan file holds them."""
    text = canonical_json([c.to_json() for c in changes])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
