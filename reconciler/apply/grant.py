"""`idc assign` / `idc revoke` as library calls: read little, plan, apply.

No second engine: `prepare` reads only what one permission set for one
principal needs (reconciler.aws.read_scope), selects the accounts with the
filter language (reconciler.desired.filters.selection) and plans with
reconciler.plan.grant; `execute` runs that Plan through the applier every
other command uses (journal, audit log, lock held by the caller, rollback).
`summarize` turns the run into the closing report: an assignment counts as
done only when AWS reported SUCCEEDED (the writer polls every request to its
end), and each failure carries AWS's own reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.apply.ops import ops_from_plan
from reconciler.apply.runner import RunResult, Target, apply_pairs
from reconciler.aws.clients import AwsSession
from reconciler.aws.read_context import Progress
from reconciler.aws.read_scope import Scope, read_held, read_scope
from reconciler.desired.filters import Inventory
from reconciler.desired.filters.selection import Selection, Selector, select
from reconciler.desired.settings import Settings
from reconciler.model import State, StateMeta
from reconciler.plan import Plan
from reconciler.plan.grant import Grant, plan_grant


@dataclass(frozen=True)
class GrantRequest:
    action: str  # assign | revoke
    permission_set: str
    principal: str
    principal_type: str | None  # None: whichever of user and group has the name
    selector: Selector


@dataclass(frozen=True)
class Prepared:
    request: GrantRequest
    scope: Scope
    selection: Selection
    grant: Grant
    plan: Plan
    live: State  # the partial live state the plan was made from

    def account_name(self, account_id: str) -> str:
        account = self.live.accounts.get(account_id)
        return account.name if account else ""


def inventory_of(scope: Scope, settings: Settings) -> Inventory:
    """The organization as filters see it, under idc.yaml `accounts:`."""
    return Inventory(
        scope.accounts,
        scope.org_units,
        management_account_id=scope.management_account_id,
        include_suspended=settings.accounts.include_suspended,
        include_management=settings.accounts.include_management,
    )


def prepare(
    session: AwsSession,
    settings: Settings,
    request: GrantRequest,
    *,
    allow_deletes: bool = False,
    progress: Progress | None = None,
) -> Prepared:
    """Read, select and plan; nothing is changed. IdcError for an unknown
    permission set or principal, a selector the organization cannot satisfy,
    or one that selects no account."""
    scope = read_scope(
        session,
        instance=settings.instance,
        permission_set=request.permission_set,
        principal=request.principal,
        principal_type=request.principal_type,
        tags=request.selector.uses_tags,
        progress=progress,
    )
    selection = select(request.selector, inventory_of(scope, settings))
    held = read_held(session, scope, selection.ids, progress)
    live = State.build(
        assignments=held,
        accounts=scope.accounts,
        org_units=scope.org_units,
        meta=StateMeta(
            instance_arn=scope.instance_arn,
            identity_store_id=scope.identity_store_id,
            management_account_id=scope.management_account_id,
            region=session.region,
        ),
    )
    grant = Grant(
        action=request.action,
        permission_set=request.permission_set,
        principal_type=scope.principal.type,
        principal=scope.principal.name,
        accounts=selection.ids,
        selected_by=f"{request.selector.flag} {request.selector.describe()}",
    )
    plan = plan_grant(grant, live, settings, allow_deletes=allow_deletes)
    return Prepared(request, scope, selection, grant, plan, live)


def execute(target: Target, prepared: Prepared, *, continue_on_error: bool) -> RunResult:
    """Apply the plan, journaled; the writer starts with the ids just read."""
    prime = getattr(target.writer, "prime", None)
    if prime is not None:  # the real Writer; test fakes have nothing to look up
        who = prepared.scope.principal
        prime(prepared.scope.permission_set_arns, (who.type, who.name, who.id))
    plan = prepared.plan
    return apply_pairs(
        target, ops_from_plan(plan), plan.fingerprint, continue_on_error=continue_on_error
    )


@dataclass(frozen=True)
class Failure:
    account: str
    name: str
    reason: str  # AWS's words: "CreateAccountAssignment failed: FAILED: ..."


@dataclass(frozen=True)
class GrantSummary:
    action: str
    attempted: int
    succeeded: int
    failures: tuple[Failure, ...]
    not_started: int  # --stop-on-error: never submitted
    unchanged: int  # already as asked, skipped
    seconds: float
    journal: Path

    @property
    def success_rate(self) -> float:
        return 100.0 * self.succeeded / self.attempted if self.attempted else 100.0

    def lines(self, journal_shown: str) -> list[str]:
        done = "assigned" if self.action == "assign" else "revoked"
        out = [
            f"{self.succeeded} of {self.attempted} {done} ({self.success_rate:.1f}% succeeded), "
            f"{len(self.failures)} failed, {self.unchanged} unchanged"
            + (f", {self.not_started} not started" if self.not_started else "")
            + f"; {self.seconds:.1f} s",
        ]
        for failure in self.failures:
            out.append(f"  failed  {failure.account} ({failure.name}): {failure.reason}")
        out.append(f"Journal: {journal_shown} (undo with `idc rollback {journal_shown}`)")
        return out


def summarize(prepared: Prepared, result: RunResult, seconds: float) -> GrantSummary:
    failures = []
    for (_, op, _), error in result.outcome.failures:
        account = str(op.args.get("account", ""))
        detail = f"{error.code}: {error.reason}" if error.code else error.reason
        failures.append(
            Failure(account, prepared.account_name(account), f"{error.operation} failed: {detail}")
        )
    attempted = len(prepared.plan.changes)
    succeeded = len(result.outcome.done)
    return GrantSummary(
        action=prepared.request.action,
        attempted=attempted,
        succeeded=succeeded,
        failures=tuple(sorted(failures, key=lambda f: f.account)),
        not_started=attempted - succeeded - len(failures) - len(result.outcome.skipped),
        unchanged=prepared.plan.in_sync.get("assignment", 0),
        seconds=seconds,
        journal=result.journal,
    )
