"""build_plan: desired state + live state + settings -> an ordered Plan.

Pure: no I/O, no AWS, no clock. Each kind module compares its slice and yields
changes (or notes why nothing is needed); this module gathers them, checks
and applies the safety rails, orders them for apply and fingerprints the
live read. A plan over the delete budget is still built in full, and handed
back inside the TooManyDeletesError, so it can be shown before it is refused.
"""

from __future__ import annotations

from reconciler.desired.settings import Settings
from reconciler.desired.types import Desired, Location
from reconciler.errors import InputError
from reconciler.model import State
from reconciler.plan.assignments import plan_assignments
from reconciler.plan.changes import Change, Plan
from reconciler.plan.context import PlanContext
from reconciler.plan.fingerprint import document_digest, state_fingerprint
from reconciler.plan.groups import plan_groups
from reconciler.plan.memberships import plan_memberships
from reconciler.plan.only import narrow
from reconciler.plan.ordering import in_apply_order
from reconciler.plan.permission_sets import plan_permission_sets
from reconciler.plan.protect import check_protect
from reconciler.plan.safety import check_delete_budget, drop_protected
from reconciler.plan.users import plan_users


def build_plan(
    desired: Desired,
    live: State,
    settings: Settings,
    *,
    allow_deletes: bool = False,
    strict: bool = False,
    only: frozenset[str] | None = None,
) -> Plan:
    """The changes that make `live` match `desired`, in apply order.

    Raises InputError (every bad reference or protect pattern, located) and
    TooManyDeletesError (more deletes than safety.max_deletes without
    allow_deletes; its `plan` is the whole plan, marked `refused`). `only`
    (plan kinds, `idc plan --only`) keeps just the changes of those kinds,
    after safety.protect has judged them all (plan.only).
    """
    ctx = PlanContext(desired, live, settings)
    for w in desired.warnings:  # loader findings: shown with the plan, once
        ctx.warn(Location(w.path, w.line, w.column), w.message)
    changes: list[Change] = []
    changes.extend(plan_permission_sets(ctx))
    changes.extend(plan_users(ctx))
    changes.extend(plan_groups(ctx))
    changes.extend(plan_memberships(ctx))
    changes.extend(plan_assignments(ctx, strict=strict))
    ctx.problems.extend(check_protect(settings, desired, (live,)))
    if ctx.problems:
        raise InputError(ctx.problems)
    kept, protect_warnings = drop_protected(changes, settings)
    notes, in_sync = list(ctx.notes), dict(ctx.in_sync)
    if only is not None:
        kept, only_warnings, notes, in_sync = narrow(kept, only, notes, in_sync)
        protect_warnings += only_warnings
    ordered = in_apply_order(kept)
    plan = Plan(
        changes=tuple(ordered),
        fingerprint=state_fingerprint(live),
        warnings=(*ctx.warnings, *protect_warnings),
        touched={c.key_text(): document_digest(c.before) for c in ordered if c.before is not None},
        notes=tuple(notes),
        in_sync=in_sync,
        instance_arn=live.meta.instance_arn,
        identity_store_id=live.meta.identity_store_id,
        region=live.meta.region,
        accounts=account_names(ordered, live),
    )
    check_delete_budget(plan, settings, allow_deletes)
    return plan


def account_names(changes: list[Change], live: State) -> dict[str, str]:
    """Names of the live accounts the changes name, for the renderers."""
    ids = {c.key["account"] for c in changes if c.kind == "assignment"}
    ids.update(a for c in changes for a in c.reprovision)
    return {i: live.accounts[i].name for i in sorted(ids) if i in live.accounts}
