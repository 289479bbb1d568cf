"""A whole restore as a library call: what `idc restore REV` runs.

`prepare_restore` loads the snapshot at REV (mapped with `--map`), and the
kinds `--only` and `manage:` leave to restore, before any AWS call, so bad
input touches nothing. `check_restore` is the compatibility check alone
(`--check`), `plan_restore` the reviewed plan (`--dry-run`), and
`run_restore` the real thing: under the apply lock it plans, asks, applies
journaled, reports (also to the audit log) and rolls a failed run back
automatically. Everything a terminal does (printing the plan, asking,
progress) comes in as `RestoreHooks`, so a program can restore without a
CLI, and the outcome comes back as a `RestoreOutcome` rather than printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler.apply.audit import AuditLog
from reconciler.apply.conclude import conclude
from reconciler.apply.journal import JOURNAL_DIR, JournalWriteError
from reconciler.apply.ops import ops_from_plan
from reconciler.apply.report import RunReport, run_report
from reconciler.apply.runner import RunResult, Target, apply_pairs
from reconciler.apply.targets import build_target, held_lock
from reconciler.aws.read_policies import missing_aws_managed_policies
from reconciler.aws.reader import read_state
from reconciler.desired.settings import Settings
from reconciler.errors import AwsError, Diagnostic, IdcError
from reconciler.model import State
from reconciler.model.operations import Op
from reconciler.plan import Change, Plan, TooManyDeletesError, build_plan
from reconciler.plan.safety import check_delete_budget
from reconciler.plan.strategy import DEFAULT_STRATEGY, apply_strategy, select_changes
from reconciler.store.fields import FieldKeys
from reconciler.store.history import BackupOpener
from reconciler.store.mapping import RestoreMap, load_map, map_source
from reconciler.store.restore import (
    Source,
    live_kinds,
    load_source,
    parse_kinds,
    restore_desired,
    restored_kinds,
)
from reconciler.store.restore_check import Incompatible, check_compatible, managed_policy_arns


def _quiet(_: str) -> None:
    return None


def _approve() -> None:
    return None


@dataclass(frozen=True)
class RestoreHooks:
    """What the caller sees and answers during a restore (defaults: silent,
    approved, nothing printed)."""

    say: Callable[[str], None] = _quiet  # progress and warnings
    show_plan: Callable[[Plan], None] = lambda plan: None  # also a refused one
    decide: Callable[[Change], bool] | None = None  # `--strategy prompt`'s question
    confirm: Callable[[], None] = _approve  # raises to cancel before the first write
    on_result: Callable[[Op, AwsError | None], None] = lambda op, err: None
    announce_rollback: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Narrowing:
    """What `--strategy` and `--select` leave out of the restore plan."""

    strategy: str = DEFAULT_STRATEGY
    selects: tuple[str, ...] = ()
    allow_deletes: bool = False  # more deletes than safety.max_deletes


@dataclass(frozen=True)
class Prepared:
    """The snapshot to restore and the kinds it restores, read before AWS."""

    source: Source
    kinds: tuple[str, ...]
    notes: tuple[str, ...]  # asked-for kinds manage: keeps out, one sentence each


@dataclass
class RestoreOutcome:
    """How a run of `run_restore` ended. `error` is set when it failed (after
    the automatic rollback, if any); `report` is None when nothing ran."""

    plan: Plan
    result: RunResult | None = None
    report: RunReport | None = None
    error: IdcError | None = None
    warnings: list[str] = field(default_factory=list)


def prepare_restore(
    repo: Path,
    rev: str,
    settings: Settings,
    *,
    only: str | None = None,
    map_file: Path | None = None,
    keys: FieldKeys | None = None,
    backups: BackupOpener | None = None,
) -> Prepared:
    """The snapshot at `rev` under `map_file`, and what to restore of it;
    IdcError on a bad REV, map or `--only` and when nothing is left;
    `keys` decrypt encrypted fields in state/; `backups` opens REV when it
    is an exported backup (folder or s3://) rather than a git revision."""
    asked = parse_kinds(only)
    source = load_source(repo, rev, keys, backups)
    amap = load_map(map_file, repo) if map_file is not None else RestoreMap()
    source = map_source(source, amap)
    kinds, notes = restored_kinds(asked, settings)
    if not kinds:
        raise IdcError(f"nothing to restore from {source.label}: manage: in idc.yaml excludes it")
    return Prepared(source, kinds, tuple(notes))


def check_restore(session: Any, prepared: Prepared, settings: Settings) -> State:
    """Raise Incompatible, naming every problem, when the target cannot hold
    the snapshot; returns the live state it read."""
    live = read_state(session, instance=settings.instance, kinds=live_kinds(prepared.kinds))
    check_live(session, prepared, live, settings)
    return live


def check_live(session: Any, prepared: Prepared, live: State, settings: Settings) -> None:
    """The compatibility check against `live` (reconciler.store.restore_check),
    asking IAM for every AWS managed policy the permission sets name."""
    source, kinds = prepared.source, prepared.kinds
    missing: set[str] = set()
    if "permission_sets" in kinds:
        missing = missing_aws_managed_policies(session, managed_policy_arns(source.state))
    problems = check_compatible(
        source.state, live, kinds, settings, mapped=source.mapped_from, missing_policies=missing
    )
    if problems:
        raise Incompatible(source.label, problems)


def plan_restore(
    session: Any,
    prepared: Prepared,
    settings: Settings,
    narrowing: Narrowing = Narrowing(),
    hooks: RestoreHooks = RestoreHooks(),
) -> tuple[Plan, tuple[str, str]]:
    """Read live state, check it can hold the snapshot, plan the snapshot
    against it, narrow the plan by selection and strategy
    (reconciler.plan.strategy) and show it; returns the plan and the live
    instance ARN / identity store id. The delete budget counts the deletes
    left after narrowing; a plan over it is shown, then refused."""
    source, kinds = prepared.source, prepared.kinds
    live = read_state(
        session,
        instance=settings.instance,
        kinds=live_kinds(kinds),
        stale=settings.manage.permission_sets,
    )
    check_live(session, prepared, live, settings)
    restore = restore_desired(source, live, kinds)
    found = tuple(Diagnostic("", 0, 0, w, "warning") for w in restore.warnings)
    desired = replace(restore.desired, warnings=found)  # shown with the plan
    plan = build_plan(desired, live, settings, allow_deletes=True)
    plan = select_changes(plan, narrowing.selects, (source.state, live), settings)
    plan = apply_strategy(plan, narrowing.strategy, hooks.decide)
    try:
        check_delete_budget(plan, settings, narrowing.allow_deletes)
    except TooManyDeletesError as exc:
        hooks.show_plan(exc.plan)
        raise
    hooks.show_plan(plan)
    return plan, (live.meta.instance_arn, live.meta.identity_store_id)


def run_restore(
    session: Any,
    repo: Path,
    prepared: Prepared,
    settings: Settings,
    narrowing: Narrowing = Narrowing(),
    hooks: RestoreHooks = RestoreHooks(),
    *,
    rollback_on_failure: bool = True,
) -> RestoreOutcome:
    """Restore `prepared` into the target `session` reaches, under `repo`'s
    apply lock and journal. A failed run is rolled back unless
    `rollback_on_failure` is False; an interrupted one raises RunInterrupted
    (its journal resumes with `idc apply --resume`)."""
    with held_lock(repo, settings, lambda: session, "idc restore", hooks.say) as guard:
        plan, instance = plan_restore(session, prepared, settings, narrowing, hooks)
        if plan.empty:
            return RestoreOutcome(plan)
        hooks.confirm()

        def target(arn: str, store: str) -> Target:
            return build_target(
                session, repo, arn, store, warn=hooks.say, on_result=hooks.on_result, guard=guard
            )

        first = target(*instance)
        result = apply_pairs(first, ops_from_plan(plan), plan.fingerprint)
        stats = session.stats
        report = run_report(
            prepared.source.label,
            plan,
            result,
            seconds=stats.elapsed(),
            api_calls=stats.total_calls,
        )
        outcome = RestoreOutcome(plan, result, report)
        caller = first.caller.get("arn", "")
        try:
            AuditLog(repo / JOURNAL_DIR, caller, result.journal.name).record_report(
                "restore", prepared.source.label, report.to_json()
            )
        except JournalWriteError as exc:  # the run's own outcome is reported next
            outcome.warnings.append(f"the report is not in the audit log: {exc}")
        if not result.ok:
            outcome.error = conclude(
                result,
                target,
                settings,
                repo,
                rollback_on_failure=rollback_on_failure,
                announce=hooks.announce_rollback,
            )
        return outcome
