"""Semantic write operations: what apply journals, executes and inverts.

An Op names resources the way people do (user names, group names, permission
set names, account ids), never by AWS ids, so a journal stays valid after a
crash or a rollback that re-creates something under a new id. The writer
resolves names to ids at execution time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

OpName = Literal[
    "create_user",  # args: {doc}
    "update_user",  # args: {user_name, before: doc, after: doc}
    "delete_user",  # args: {user_name}
    "create_group",  # args: {doc}  (name, description; members are separate ops)
    "update_group",  # args: {name, before: doc, after: doc}
    "delete_group",  # args: {name}
    "add_member",  # args: {group, user}
    "remove_member",  # args: {group, user}
    "create_permission_set",  # args: {doc}  (all attributes, policies, boundary, tags)
    "update_permission_set",  # args: {name, before: doc, after: doc}
    "delete_permission_set",  # args: {name}
    # args: {name, account}; or {name}: every account where it is provisioned
    # but not at its latest version, found when it runs (apply.ops.reprovision_ops)
    "provision_permission_set",
    "create_assignment",  # args: {permission_set, principal_type, principal, account}
    "delete_assignment",  # args: same as create_assignment
]

# Operations AWS runs asynchronously (IN_PROGRESS -> SUCCEEDED | FAILED).
ASYNC_OPS: frozenset[str] = frozenset(
    {"create_assignment", "delete_assignment", "provision_permission_set"}
)


@dataclass(frozen=True)
class Op:
    name: OpName
    args: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """Short human text: `create_assignment ReadOnly GROUP:Platform 111111111111`."""
        a = self.args
        if self.name.endswith("_assignment"):
            target = f"{a['permission_set']} {a['principal_type']}:{a['principal']} {a['account']}"
        elif self.name.endswith("_member"):
            target = f"{a['user']} in {a['group']}"
        elif self.name == "provision_permission_set":
            target = f"{a['name']} to {a.get('account') or 'every stale account'}"
        elif "doc" in a:
            target = str(a["doc"].get("user_name") or a["doc"].get("name"))
        else:
            target = str(a.get("user_name") or a.get("name"))
        return f"{self.name} {target}"

    @property
    def removes(self) -> bool:
        """Whether the op deletes something (what safety.max_deletes counts)."""
        return self.name.startswith("delete_") or self.name == "remove_member"

    def key_text(self) -> str:
        """The changed resource's key as plans print it (`kind:part:part`),
        so `safety.protect` globs match ops exactly as they match changes."""
        a = self.args
        if self.name.endswith("_assignment"):
            parts = [a["permission_set"], a["principal_type"], a["principal"], a["account"]]
            return ":".join(["assignment", *map(str, parts)])
        if self.name.endswith("_member"):
            return f"membership:{a['group']}:{a['user']}"
        if self.name == "provision_permission_set":
            return f"permission_set:{a['name']}"
        kind = self.name.split("_", 1)[1]  # user, group, permission_set
        doc = a.get("doc") or {}
        name = a.get("user_name") or a.get("name") or doc.get("user_name") or doc.get("name")
        return f"{kind}:{name}"

    def to_json(self) -> dict[str, Any]:
        return {"op": self.name, "args": self.args}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Op:
        return cls(name=data["op"], args=dict(data.get("args", {})))
