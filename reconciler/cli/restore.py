"""`idc restore REV`: bring live Identity Center back to a snapshot in git.

A restore is `idc plan` with the snapshot at REV as the desired state, then
`idc apply` of that plan: the same renderer, confirmation, lock, journal,
audit log and automatic rollback on failure, so a restore is reviewed like
any change and undone with `idc rollback JOURNAL`. The planning half lives in
reconciler.store.restore; `--test` (reconciler.cli.restore_verify) restores
into a throwaway simulator instead, to prove a backup is restorable.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import click

from reconciler.apply.audit import AuditLog
from reconciler.apply.journal import JOURNAL_DIR, JournalWriteError
from reconciler.apply.ops import ops_from_plan
from reconciler.apply.report import run_report
from reconciler.apply.runner import RunResult, apply_pairs
from reconciler.aws.read_policies import missing_aws_managed_policies
from reconciler.aws.reader import read_state
from reconciler.cli.apply import (
    confirm,
    finish,
    holding_lock,
    interrupted_apply,
    make_target,
    show_plan,
)
from reconciler.cli.context import AppContext, pass_app
from reconciler.cli.plan import CHANGES_PENDING
from reconciler.cli.restore_prompt import Prompter
from reconciler.desired.settings import Settings, load_settings
from reconciler.errors import Diagnostic, IdcError
from reconciler.model import State
from reconciler.plan import Plan, TooManyDeletesError, build_plan
from reconciler.plan.safety import check_delete_budget
from reconciler.plan.strategy import (
    DEFAULT_STRATEGY,
    STRATEGIES,
    apply_strategy,
    select_changes,
)
from reconciler.store.mapping import RestoreMap, load_map, map_source
from reconciler.store.restore import (
    RESTORABLE_KINDS,
    Source,
    live_kinds,
    load_source,
    parse_kinds,
    restore_desired,
    restored_kinds,
)
from reconciler.store.restore_check import Incompatible, check_compatible, managed_policy_arns


@click.command()
@click.argument("rev")
@click.option(
    "--only",
    metavar="KINDS",
    help=f"Restore only these kinds, comma-separated: {', '.join(RESTORABLE_KINDS)}.",
)
@click.option(
    "--strategy",
    type=click.Choice(STRATEGIES),
    default=DEFAULT_STRATEGY,
    show_default=True,
    help="What to do where live state differs: overwrite (live becomes the backup), "
    "skip (create only what is missing), merge (create and update, never delete), "
    "prompt (ask per update or delete, on a terminal).",
)
@click.option(
    "--select",
    "selects",
    metavar="GLOB",
    multiple=True,
    help="Restore only resources whose key matches (repeatable), e.g. 'permission_set:Admin*', "
    "'user:alice@*'; what they need comes along.",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only check that the target can hold the snapshot (accounts, quotas, "
    "users and groups from your IdP); change nothing.",
)
@click.option(
    "--map",
    "map_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="YAML naming the backup's accounts (accounts: {BACKUP_ID: TARGET_ID}) and OU paths "
    "(ous:) in the target organization; principals and permission sets match by name.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="The closing report: text on stderr, or JSON on stdout (the plan then goes to stderr).",
)
@click.option("--dry-run", is_flag=True, help="Show the restore plan; change nothing.")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="With --dry-run: exit 2 when changes are pending (0: none, 1: error).",
)
@click.option("--auto-approve", is_flag=True, help="Restore without asking (for CI).")
@click.option("--allow-deletes", is_flag=True, help="Permit more deletes than safety.max_deletes.")
@click.option(
    "--no-rollback-on-failure",
    is_flag=True,
    help="On failure, stop and keep the journal for `idc apply --resume`.",
)
@click.option(
    "--test",
    "test_only",
    is_flag=True,
    help="Restore into an empty, isolated simulator and verify; touches nothing else.",
)
@pass_app
def command(
    app: AppContext,
    rev: str,
    only: str | None,
    dry_run: bool,
    detailed_exitcode: bool,
    auto_approve: bool,
    allow_deletes: bool,
    no_rollback_on_failure: bool,
    test_only: bool,
    strategy: str,
    selects: tuple[str, ...],
    check_only: bool,
    map_file: Path | None,
    fmt: str,
) -> None:
    """Bring live state back to the snapshot at REV (commit, tag).

    Plans the snapshot against live state under idc.yaml (manage:, safety:),
    shows the plan, and applies it journaled; undo with `idc rollback`.
    --test restores into an empty simulator and checks it, without AWS.

    \b
    Examples:
      idc restore HEAD~1 --test
      idc restore v1 --only assignments --dry-run
    """
    if test_only:
        if only is not None or map_file is not None:
            raise click.UsageError("--test restores the whole snapshot as it is; drop --only/--map")
        _test(app, rev)
        return
    if strategy == "prompt":
        if dry_run:
            raise click.UsageError("--strategy prompt asks while restoring; drop --dry-run")
        if not sys.stdin.isatty():
            raise IdcError(
                "--strategy prompt asks about each conflicting resource and needs a terminal "
                "(stdin is not one); use --strategy overwrite, merge or skip"
            )
    narrowing = Narrowing(strategy, selects, plan_on_stderr=fmt == "json")
    settings = load_settings(app.repo)
    asked = parse_kinds(only)
    source = load_source(
        app.repo, rev, app.field_keys()
    )  # a bad REV or map fails before any AWS call
    amap = load_map(map_file, app.repo) if map_file is not None else RestoreMap()
    source = map_source(source, amap)
    kinds, notes = restored_kinds(asked, settings)
    for note in notes:
        app.say(f"note: {note}")
    if not kinds:
        raise IdcError(f"nothing to restore from {source.label}: manage: in idc.yaml excludes it")
    if check_only:
        live = read_state(app.aws(), instance=settings.instance, kinds=live_kinds(kinds))
        _check(app, source, live, kinds, settings)
        click.echo(f"{source.label}: the target can hold {', '.join(kinds)}")
        return
    app.say(f"Restoring {', '.join(kinds)} from {source.label}")
    if dry_run:
        plan = _plan(app, settings, source, kinds, allow_deletes, narrowing)[0]
        if detailed_exitcode and not plan.empty:
            raise click.exceptions.Exit(CHANGES_PENDING)
        return
    with holding_lock(app, settings, "restore"), interrupted_apply(app):
        plan, instance = _plan(app, settings, source, kinds, allow_deletes, narrowing)
        if plan.empty:
            done = "nothing left to restore" if plan.skipped else "live state already matches"
            app.say(f"No changes: {done} {source.label}.")
            return
        if not auto_approve:
            confirm("restore", "restoring", "review with --dry-run")
        target = make_target(app, *instance)
        result = apply_pairs(target, ops_from_plan(plan), plan.fingerprint)
        _report(app, source.label, plan, result, target.caller.get("arn", ""), fmt)
        finish(app, result, rollback_on_failure=not no_rollback_on_failure)


def _report(
    app: AppContext, label: str, plan: Plan, result: RunResult, caller: str, fmt: str
) -> None:
    """Print the restore's report and append it to the audit log."""
    stats = app.aws().stats
    report = run_report(label, plan, result, seconds=stats.elapsed(), api_calls=stats.total_calls)
    try:
        AuditLog(app.repo / JOURNAL_DIR, caller, result.journal.name).record_report(
            "restore", label, report.to_json()
        )
    except JournalWriteError as exc:  # the run's own outcome is reported next
        app.say(f"warning: the report is not in the audit log: {exc}")
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        app.say(report.text())


@dataclass(frozen=True)
class Narrowing:
    """What `--strategy` and `--select` leave out of the restore plan."""

    strategy: str
    selects: tuple[str, ...]
    plan_on_stderr: bool = False  # stdout carries the JSON report


def _plan(
    app: AppContext,
    settings: Settings,
    source: Source,
    kinds: tuple[str, ...],
    allow_deletes: bool,
    narrowing: Narrowing,
) -> tuple[Plan, tuple[str, str]]:
    """Read live state, plan the snapshot against it, narrow it by selection
    and strategy (reconciler.plan.strategy), print it as `idc plan` does;
    returns the plan and the live instance ARN / store id. The delete budget
    counts the deletes left after narrowing."""
    live = read_state(
        app.aws(),
        instance=settings.instance,
        kinds=live_kinds(kinds),
        stale=settings.manage.permission_sets,
    )
    _check(app, source, live, kinds, settings)
    restore = restore_desired(source, live, kinds)
    found = tuple(Diagnostic("", 0, 0, w, "warning") for w in restore.warnings)
    desired = replace(restore.desired, warnings=found)  # shown with the plan
    plan = build_plan(desired, live, settings, allow_deletes=True)
    plan = select_changes(plan, narrowing.selects, (source.state, live), settings)
    decide = Prompter(app).decide if narrowing.strategy == "prompt" else None
    plan = apply_strategy(plan, narrowing.strategy, decide)
    try:
        check_delete_budget(plan, settings, allow_deletes)
    except TooManyDeletesError as exc:  # show what it would delete, then refuse
        show_plan(app, exc.plan, err=narrowing.plan_on_stderr)
        raise
    show_plan(app, plan, err=narrowing.plan_on_stderr)
    return plan, (live.meta.instance_arn, live.meta.identity_store_id)


def _check(
    app: AppContext, source: Source, live: State, kinds: tuple[str, ...], settings: Settings
) -> None:
    """Refuse, naming every problem, a snapshot the target cannot hold."""
    missing: set[str] = set()
    if "permission_sets" in kinds:
        missing = missing_aws_managed_policies(app.aws(), managed_policy_arns(source.state))
    problems = check_compatible(
        source.state, live, kinds, settings, mapped=source.mapped_from, missing_policies=missing
    )
    if problems:
        error = Incompatible(source.label, problems)
        click.echo(error.headline(), err=True)
        raise error


def _test(app: AppContext, rev: str) -> None:
    from reconciler.cli.restore_verify import restore_into_simulator

    source = load_source(app.repo, rev, app.field_keys())
    app.say(f"Test-restoring {source.label} into an empty simulator ...")
    verdict, warnings = restore_into_simulator(source)
    for warning in warnings:
        app.say(f"warning: {warning}")
    click.echo(f"{source.label}: {verdict.summary()}")
    if not verdict.restorable:
        count = len(verdict.diff.changes)
        raise IdcError(f"{source.label} is not restorable: {count} difference(s), listed above")
