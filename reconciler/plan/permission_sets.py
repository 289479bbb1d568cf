"""Permission sets: create, update, delete; updates list the accounts to
re-provision.

Values are compared after model normalisation (inline policy by its IAM
meaning, PT60M == PT1H, managed policy ARNs as a set), so a spelling difference
is never a change. AWS does not push permission set edits to accounts that
already have it (docs/aws.md#permission-sets), so an update that changes the
provisioned role names every account in `live.provisioned` for re-provisioning.

The same holds for edits made outside this repository, and for an account
that got the permission set between a plan and its apply: AWS then reports
the account as provisioned but not at the latest version
(`live.stale_provisioning`). Such accounts are re-provisioned too, even when
the permission set itself matches desired state: that change has no
attribute diff, only accounts to re-provision, so the drift is shown and
repaired instead of staying invisible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import fields

from reconciler.model import PermissionSet, normalize_duration
from reconciler.plan.changes import Change
from reconciler.plan.context import PlanContext
from reconciler.plan.documents import permission_set_doc, permission_set_key
from reconciler.plan.wording import differ, plural

COMPARED: tuple[str, ...] = tuple(
    f.name for f in fields(PermissionSet) if f.name != "name" and f.init
)
# Attributes of the permission set resource itself, not of the IAM role it
# provisions: changing only these needs no re-provisioning.
NOT_PROVISIONED: frozenset[str] = frozenset({"description", "tags"})
# AWS gives a permission set created without a session duration PT1H and
# reports it back, so "unset" in desired state and PT1H live are the same.
DEFAULT_SESSION_DURATION = normalize_duration("PT1H")


def plan_permission_sets(ctx: PlanContext) -> Iterator[Change]:
    if not ctx.manages("permission_set"):
        ctx.notes.append(
            f"permission_set: not managed ({ctx.manage_text('permission_set')}); "
            "referenced by name only"
        )
        return
    desired, live = ctx.desired.permission_sets, ctx.live.permission_sets
    in_sync = 0
    for name in sorted(desired):
        want, have = desired[name], live.get(name)
        key = permission_set_key(name)
        if have is None:
            yield ctx.create("permission_set", name, key, permission_set_doc(want))
            continue
        changed = changed_fields(want, have)
        _refuse_unremovable(ctx, want, have, changed)
        stale = ctx.live.stale_provisioning.get(name, frozenset())
        if not changed and not stale:
            in_sync += 1
            continue
        yield _update(ctx, name, want, have, changed, stale)
    ctx.note_unchanged("permission_set", in_sync, len(live))
    if not ctx.authoritative("permission_set"):
        return
    doomed = sorted(live.keys() - desired.keys())
    _warn_unmanaged_assignments(ctx, doomed)
    for name in doomed:
        yield ctx.delete("permission_set", permission_set_key(name), permission_set_doc(live[name]))


def _update(
    ctx: PlanContext,
    name: str,
    want: PermissionSet,
    have: PermissionSet,
    changed: list[str],
    stale: frozenset[str],
) -> Change:
    """The update (or, with nothing `changed`, the bare re-provision) of a
    permission set, naming the accounts to re-provision and why."""
    reasons = [differ(changed)] if changed else []
    reprovision = set(stale)
    if set(changed) - NOT_PROVISIONED:
        provisioned = ctx.live.provisioned.get(name, frozenset())
        reprovision |= provisioned
        if provisioned:
            reasons.append(
                f"re-provisions to {plural(len(provisioned), 'account')} it is provisioned to"
            )
        else:
            reasons.append("not provisioned to any account, nothing to re-provision")
    if stale:
        reasons.append(f"re-provision: stale in {', '.join(sorted(stale))}")
    return Change(
        "update", "permission_set", permission_set_key(name), permission_set_doc(have),
        permission_set_doc(want if changed else have), "; ".join(reasons),
        tuple(sorted(reprovision)),
    )  # fmt: skip


# UpdatePermissionSet can replace these but never clear them (docs/aws.md#permission-sets:
# min length 1), so dropping one from desired state cannot be applied.
UNREMOVABLE: tuple[str, ...] = ("description", "relay_state")


def _refuse_unremovable(
    ctx: PlanContext, want: PermissionSet, have: PermissionSet, changed: list[str]
) -> None:
    for attr in UNREMOVABLE:
        if attr in changed and getattr(want, attr) is None:
            ctx.error(
                ctx.location("permission_set", want.name),
                f"permission set {want.name!r}: AWS cannot remove a {attr.replace('_', ' ')} "
                f"once set (live: {getattr(have, attr)!r}); give it a value, or delete and "
                "recreate the permission set",
            )


def changed_fields(want: PermissionSet, have: PermissionSet) -> list[str]:
    return [f for f in COMPARED if _value(want, f) != _value(have, f)]


def _value(ps: PermissionSet, name: str) -> object:
    """A field as AWS applies it: no session duration means AWS's PT1H; an
    inline policy is its IAM meaning, not its spelling."""
    if name == "inline_policy":
        return ps.inline_policy_identity
    value = getattr(ps, name)
    if name == "session_duration" and value is None:
        return DEFAULT_SESSION_DURATION
    return value


def _warn_unmanaged_assignments(ctx: PlanContext, doomed: list[str]) -> None:
    """AWS refuses to delete a permission set that is still assigned; say so
    up front when this repository will not remove those assignments."""
    if not doomed or ctx.authoritative("assignment"):
        return
    wanted = set(doomed)
    counts = Counter(a.permission_set for a in ctx.live.assignments if a.permission_set in wanted)
    for name in doomed:
        if counts[name]:
            ctx.warn(
                None,
                f'permission set "{name}" is deleted but still has '
                f"{plural(counts[name], 'assignment')} this repository does not manage; "
                "AWS refuses the delete until they are removed",
            )
