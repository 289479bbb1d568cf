"""Plan -> ordered write operations, each paired with its exact inverse.

The inverse is computed when the plan is turned into operations, from the
change's `before` document, and written to the journal before the call: after
a crash or a failed apply, undoing needs nothing but the journal, never a
re-read of a state that no longer exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reconciler.model.operations import Op
from reconciler.plan.changes import Change, Plan

OpPair = tuple[Op, Op]  # (operation, its inverse)

# reconciler.plan.ordering order. Creates and updates build up dependencies (a group
# must exist before a membership, a permission set before its assignments);
# deletes tear down in the reverse dependency order.
_PHASES: tuple[tuple[str, str], ...] = (
    ("permission_set", "create"),
    ("permission_set", "update"),
    ("user", "create"),
    ("user", "update"),
    ("group", "create"),
    ("group", "update"),
    ("membership", "create"),
    ("assignment", "create"),
    ("reprovision", ""),
    ("assignment", "delete"),
    ("membership", "delete"),
    ("permission_set", "delete"),
    ("group", "delete"),
    ("user", "delete"),
)
_PHASE_INDEX = {phase: i for i, phase in enumerate(_PHASES)}


def ops_from_plan(plan: Plan) -> list[OpPair]:
    """Every operation of the plan in execution order, with its inverse.

    A permission set update re-provisions in two steps (`reprovision_ops`);
    an update with no attribute change (before == after: the plan only found
    stale accounts) has no update op, only the re-provisioning.
    """
    phased: list[list[OpPair]] = [[] for _ in _PHASES]
    for change in plan.changes:
        if change.kind == "membership" and change.action == "update":
            continue  # a membership has no attributes: nothing to update
        ps_update = change.kind == "permission_set" and change.action == "update"
        if not (ps_update and change.before == change.after):
            phased[_PHASE_INDEX[(change.kind, change.action)]].append(_pair(change))
        if ps_update:
            phased[_PHASE_INDEX[("reprovision", "")]].extend(
                reprovision_ops(change.key["name"], change.reprovision)
            )
    return [pair for phase in phased for pair in phase]


def reprovision_ops(name: str, accounts: Iterable[str]) -> list[OpPair]:
    """Re-provisioning of permission set `name` after its update.

    First one op per account the plan saw it provisioned to (or stale in),
    then one `{name}` op without an account: "every account where it is
    provisioned but not at its latest version". That last op is decided at
    execution time (aws.write_assignments), so an account that got the
    permission set between plan and apply, whose role holds the version
    before the update, is re-provisioned too; when nothing is stale it makes
    one list call and nothing else. Both are exact in a journal: each has a
    live check (the account, or no account, is stale) and is its own
    inverse, because undoing re-provisions too: after the rollback's update,
    the accounts must get the restored permission set (undo_order), which
    the account-less op extends to accounts assigned after the apply.
    """
    ops = [Op("provision_permission_set", {"name": name, "account": a}) for a in accounts]
    ops.append(Op("provision_permission_set", {"name": name}))
    return [(op, op) for op in ops]


def undo_order(applied: Sequence[tuple[int, Op, Op]]) -> list[tuple[int, Op, Op]]:
    """`(seq, op, inverse)` applied in execution order -> `(seq, inverse, op)`
    in undo order.

    Undo runs backwards, except that re-provisioning a permission set must
    follow the update that restores it: each provision is moved right after
    the undo of its permission set's update.
    """
    undo = [(seq, inverse, op) for seq, op, inverse in reversed(applied)]
    provisions = [u for u in undo if u[1].name == "provision_permission_set"]
    rest = [u for u in undo if u[1].name != "provision_permission_set"]
    out: list[tuple[int, Op, Op]] = []
    for item in rest:
        out.append(item)
        if item[1].name == "update_permission_set":
            name = item[1].args["name"]
            out.extend(p for p in provisions if p[1].args["name"] == name)
            provisions = [p for p in provisions if p[1].args["name"] != name]
    return out + provisions


def needs(later: Op, earlier: Op) -> bool:
    """Whether `later` must not run when `earlier` did not take effect.

    Asked only with --continue-on-error, where failed assignment and
    provisioning ops (the independent, asynchronous ones) do not stop the run.
    An assignment delete that failed leaves the assignment in place: deleting
    its permission set would then be refused, and deleting its user or group
    would strand an assignment to a principal that no longer exists. Failed
    creates and provisions have no such dependents: a plan never deletes what
    it assigns or provisions.
    """
    if earlier.name != "delete_assignment":
        return False
    a, b = earlier.args, later.args
    if later.name == "delete_permission_set":
        return bool(b["name"] == a["permission_set"])
    if later.name == "delete_group":
        return a["principal_type"] == "GROUP" and b["name"] == a["principal"]
    if later.name == "delete_user":
        return a["principal_type"] == "USER" and b["user_name"] == a["principal"]
    return False


def _pair(change: Change) -> OpPair:
    key = dict(change.key)
    kind, action = change.kind, change.action
    if kind == "user":
        return _entity_pair("user", "user_name", key["user_name"], change)
    if kind == "group":
        return _entity_pair("group", "name", key["name"], change)
    if kind == "permission_set":
        return _entity_pair("permission_set", "name", key["name"], change)
    if kind == "membership":
        args = {"group": key["group"], "user": key["user"]}
        add, remove = Op("add_member", args), Op("remove_member", dict(args))
        return (add, remove) if action == "create" else (remove, add)
    if kind == "assignment":
        args = {f: key[f] for f in ("permission_set", "principal_type", "principal", "account")}
        create, delete = Op("create_assignment", args), Op("delete_assignment", dict(args))
        return (create, delete) if action == "create" else (delete, create)
    raise ValueError(f"unknown change kind {kind!r}")


def _entity_pair(kind: str, key_field: str, key: str, change: Change) -> OpPair:
    """create/update/delete of a user, group or permission set and the inverse."""
    before, after = _doc(change.before, kind), _doc(change.after, kind)
    if change.action == "create":
        return Op(f"create_{kind}", {"doc": after}), Op(f"delete_{kind}", {key_field: key})  # type: ignore[arg-type]
    if change.action == "delete":
        if before is None:
            raise ValueError(f"delete of {change.key_text()} has no prior document to undo it")
        return Op(f"delete_{kind}", {key_field: key}), Op(f"create_{kind}", {"doc": before})  # type: ignore[arg-type]
    forward = Op(f"update_{kind}", {key_field: key, "before": before, "after": after})  # type: ignore[arg-type]
    inverse = Op(f"update_{kind}", {key_field: key, "before": after, "after": before})  # type: ignore[arg-type]
    return forward, inverse


def _doc(doc: Any, kind: str) -> dict[str, Any] | None:
    """A plain copy of a codec document; group members travel as membership ops."""
    if doc is None:
        return None
    plain = _plain(doc)
    if kind == "group":
        plain.pop("members", None)
    return plain


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return [_plain(v) for v in value]
    return value


def change_of(op: Op, reason: str = "") -> Change | None:
    """The plan change an op makes (None for re-provisioning, which plans show
    beside their permission set's update): how undo plans are rendered with
    the same before -> after lines as any plan."""
    a = op.args
    verb, _, kind = op.name.partition("_")
    if op.name.endswith("_member"):
        action = "create" if op.name == "add_member" else "delete"
        key = {"group": a["group"], "user": a["user"]}
        return Change(action, "membership", key, reason=reason)  # type: ignore[arg-type]
    if kind == "assignment":
        key = {f: str(a[f]) for f in ("permission_set", "principal_type", "principal", "account")}
        return Change(verb, "assignment", key, reason=reason)  # type: ignore[arg-type]
    if verb not in ("create", "update", "delete"):
        return None
    field = "user_name" if kind == "user" else "name"
    doc = a.get("doc") or {}
    key = {field: str(a.get(field) or doc.get(field))}
    before = a.get("before") if verb == "update" else None
    after = a.get("after") if verb == "update" else (doc if verb == "create" else None)
    return Change(verb, kind, key, before, after, reason)  # type: ignore[arg-type]
