"""`idc restore REV`: bring live Identity Center back to a snapshot in git.

A restore is `idc plan` with the snapshot at REV as the desired state, then
`idc apply` of that plan: the same renderer, confirmation, lock, journal,
audit log and automatic rollback on failure, so a restore is reviewed like
any change and undone with `idc rollback JOURNAL`. The planning half lives in
reconciler.store.restore; `--test` (reconciler.cli.restore_verify) restores
into a throwaway simulator instead, to prove a backup is restorable.
"""

from __future__ import annotations

from dataclasses import replace

import click

from reconciler.apply.ops import ops_from_plan
from reconciler.apply.runner import apply_pairs
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
from reconciler.desired.settings import Settings, load_settings
from reconciler.errors import Diagnostic, IdcError
from reconciler.plan import Plan, TooManyDeletesError, build_plan
from reconciler.store.restore import (
    RESTORABLE_KINDS,
    Source,
    live_kinds,
    load_source,
    parse_kinds,
    restore_desired,
    restored_kinds,
)


@click.command()
@click.argument("rev")
@click.option(
    "--only",
    metavar="KINDS",
    help=f"Restore only these kinds, comma-separated: {', '.join(RESTORABLE_KINDS)}.",
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
        if only is not None:
            raise click.UsageError("--test restores the whole snapshot; drop --only")
        _test(app, rev)
        return
    settings = load_settings(app.repo)
    asked = parse_kinds(only)
    source = load_source(app.repo, rev)  # a bad REV fails before any AWS call
    kinds, notes = restored_kinds(asked, settings)
    for note in notes:
        app.say(f"note: {note}")
    if not kinds:
        raise IdcError(f"nothing to restore from {source.label}: manage: in idc.yaml excludes it")
    app.say(f"Restoring {', '.join(kinds)} from {source.label}")
    if dry_run:
        plan = _plan(app, settings, source, kinds, allow_deletes)[0]
        if detailed_exitcode and not plan.empty:
            raise click.exceptions.Exit(CHANGES_PENDING)
        return
    with holding_lock(app, settings, "restore"), interrupted_apply(app):
        plan, instance = _plan(app, settings, source, kinds, allow_deletes)
        if plan.empty:
            app.say(f"No changes: live state already matches {source.label}.")
            return
        if not auto_approve:
            confirm("restore", "restoring", "review with --dry-run")
        target = make_target(app, *instance)
        result = apply_pairs(target, ops_from_plan(plan), plan.fingerprint)
        finish(app, result, rollback_on_failure=not no_rollback_on_failure)


def _plan(
    app: AppContext, settings: Settings, source: Source, kinds: tuple[str, ...], allow_deletes: bool
) -> tuple[Plan, tuple[str, str]]:
    """Read live state, plan the snapshot against it, print the plan as
    `idc plan` does; returns the plan and the live instance ARN / store id."""
    live = read_state(
        app.aws(),
        instance=settings.instance,
        kinds=live_kinds(kinds),
        stale=settings.manage.permission_sets,
    )
    restore = restore_desired(source, live, kinds)
    found = tuple(Diagnostic("", 0, 0, w, "warning") for w in restore.warnings)
    desired = replace(restore.desired, warnings=found)  # shown with the plan
    try:
        plan = build_plan(desired, live, settings, allow_deletes=allow_deletes)
    except TooManyDeletesError as exc:  # show what it would delete, then refuse
        show_plan(app, exc.plan)
        raise
    show_plan(app, plan)
    return plan, (live.meta.instance_arn, live.meta.identity_store_id)


def _test(app: AppContext, rev: str) -> None:
    from reconciler.cli.restore_verify import restore_into_simulator

    source = load_source(app.repo, rev)
    app.say(f"Test-restoring {source.label} into an empty simulator ...")
    verdict, warnings = restore_into_simulator(source)
    for warning in warnings:
        app.say(f"warning: {warning}")
    click.echo(f"{source.label}: {verdict.summary()}")
    if not verdict.restorable:
        count = len(verdict.diff.changes)
        raise IdcError(f"{source.label} is not restorable: {count} difference(s), listed above")
