"""The plan of `idc assign` / `idc revoke`: one permission set, one principal,
the selected accounts.

The same Plan, Change and safety rails as `build_plan`, computed from the
small live read the command makes (reconciler.aws.read_scope) rather than a
whole desired state against a whole snapshot: an assignment already in place
(assign) or already absent (revoke) is no change, so running a command twice
changes nothing the second time. The applier, journal and rollback take it
as they take any plan.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from reconciler.desired.settings import Settings
from reconciler.model import Assignment, PrincipalType, State
from reconciler.plan.builder import account_names
from reconciler.plan.changes import Change, Plan
from reconciler.plan.documents import assignment_key
from reconciler.plan.fingerprint import ASSIGNMENT_KEY, document_digest, state_fingerprint
from reconciler.plan.safety import check_delete_budget, drop_protected

GRANT_ACTIONS = ("assign", "revoke")


@dataclass(frozen=True)
class Grant:
    """What the command was asked: `action` the permission set to the principal
    in `accounts` (ids), chosen by `selected_by` (for reasons)."""

    action: str  # assign | revoke
    permission_set: str
    principal_type: PrincipalType
    principal: str
    accounts: frozenset[str]
    selected_by: str

    def assignments(self) -> set[Assignment]:
        return {
            Assignment(self.permission_set, self.principal_type, self.principal, a)
            for a in self.accounts
        }


def plan_grant(
    grant: Grant, live: State, settings: Settings, *, allow_deletes: bool = False
) -> Plan:
    """Creates (assign) or deletes (revoke) for the selected accounts where
    live state differs; `live.assignments` must hold the principal's
    assignments of the permission set in those accounts (and may hold none
    else). Protected deletes are dropped with a warning (safety.protect), and
    more deletes than safety.max_deletes raise TooManyDeletesError."""
    wanted = grant.assignments()
    held = {a for a in live.assignments if a in wanted}
    changes: list[Change] = []
    if grant.action == "assign":
        reason = f"assigned by `idc assign` to accounts selected by {grant.selected_by}"
        for a in sorted(wanted - held, key=ASSIGNMENT_KEY):
            key = assignment_key(a)
            changes.append(Change("create", "assignment", key, None, key, reason))
        unchanged = len(held)
    else:
        reason = f"revoked by `idc revoke` in accounts selected by {grant.selected_by}"
        for a in sorted(held, key=ASSIGNMENT_KEY):
            key = assignment_key(a)
            changes.append(Change("delete", "assignment", key, key, None, reason))
        unchanged = len(wanted - held)
    kept, warnings = drop_protected(changes, settings)
    plan = Plan(
        changes=tuple(kept),
        fingerprint=state_fingerprint(live),
        warnings=tuple(warnings),
        touched={c.key_text(): document_digest(c.before) for c in kept if c.before is not None},
        notes=(_note(grant, unchanged),) if unchanged else (),
        in_sync={"assignment": unchanged},
        instance_arn=live.meta.instance_arn,
        identity_store_id=live.meta.identity_store_id,
        region=live.meta.region,
        accounts=account_names(kept, live),
    )
    check_delete_budget(plan, settings, allow_deletes)
    return plan


def _note(grant: Grant, unchanged: int) -> str:
    already = "already assigned" if grant.action == "assign" else "not assigned"
    return (
        f"assignment: {unchanged} of the {len(grant.accounts)} selected account(s) "
        f"{already}, skipped"
    )


def unchanged_accounts(grant: Grant, plan: Plan) -> list[str]:
    """The selected accounts the plan leaves as they are (sorted ids)."""
    changed = {c.key["account"] for c in plan.changes}
    return sorted(grant.accounts - changed)


def held_in(assignments: Iterable[Assignment], accounts: Collection[str]) -> set[Assignment]:
    return {a for a in assignments if a.account in accounts}
