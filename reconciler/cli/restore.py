"""`idc restore REV`: bring live Identity Center back to a snapshot in git.

A restore is `idc plan` with the snapshot at REV as the desired state, then
`idc apply` of that plan: the same renderer, confirmation, lock, journal,
audit log and automatic rollback on failure, so a restore is reviewed like
any change and undone with `idc rollback JOURNAL`. What a restore does lives
in reconciler.store.restore_run (a library call); this module parses the
options, asks on the terminal and prints. `--test`
(reconciler.cli.restore_verify) restores into a throwaway simulator instead,
to prove a backup is restorable.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from reconciler.cli.apply import confirm, finish, interrupted_apply, progress, show_plan
from reconciler.cli.context import AppContext, pass_app
from reconciler.cli.plan import CHANGES_PENDING
from reconciler.cli.restore_prompt import Prompter
from reconciler.desired.settings import load_settings
from reconciler.errors import IdcError
from reconciler.plan.strategy import DEFAULT_STRATEGY, STRATEGIES
from reconciler.store.restore import RESTORABLE_KINDS, load_source
from reconciler.store.restore_check import Incompatible
from reconciler.store.restore_run import (
    Narrowing,
    RestoreHooks,
    check_restore,
    plan_restore,
    prepare_restore,
    run_restore,
)


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
    narrowing = Narrowing(strategy, selects, allow_deletes)
    settings = load_settings(app.repo)
    # a bad REV, map or --only fails before any AWS call
    prepared = prepare_restore(
        app.repo,
        rev,
        settings,
        only=only,
        map_file=map_file,
        keys=app.field_keys(),
        backups=app.backups().snapshot,
    )
    for note in prepared.notes:
        app.say(f"note: {note}")
    label, kinds = prepared.source.label, prepared.kinds
    if check_only:
        with listed_problems():
            check_restore(app.aws(), prepared, settings)
        click.echo(f"{label}: the target can hold {', '.join(kinds)}")
        return
    app.say(f"Restoring {', '.join(kinds)} from {label}")
    hooks = RestoreHooks(
        say=app.say,
        show_plan=lambda plan: show_plan(app, plan, err=fmt == "json"),
        decide=Prompter(app).decide if strategy == "prompt" else None,
        confirm=(lambda: None)
        if auto_approve
        else lambda: confirm("restore", "restoring", "review with --dry-run"),
        on_result=progress(app),
        announce_rollback=lambda: app.say("apply failed; rolling back what it did ..."),
    )
    if dry_run:
        with listed_problems():
            plan = plan_restore(app.aws(), prepared, settings, narrowing, hooks)[0]
        if detailed_exitcode and not plan.empty:
            raise click.exceptions.Exit(CHANGES_PENDING)
        return
    with listed_problems(), interrupted_apply(app):
        outcome = run_restore(
            app.aws(),
            app.repo,
            prepared,
            settings,
            narrowing,
            hooks,
            rollback_on_failure=not no_rollback_on_failure,
        )
    if outcome.report is None:
        done = "nothing left to restore" if outcome.plan.skipped else "live state already matches"
        app.say(f"No changes: {done} {label}.")
        return
    for warning in outcome.warnings:
        app.say(f"warning: {warning}")
    if fmt == "json":
        click.echo(json.dumps(outcome.report.to_json(), indent=2))
    else:
        app.say(outcome.report.text())
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    finish(app, outcome.result, rollback_on_failure=not no_rollback_on_failure)


@contextlib.contextmanager
def listed_problems() -> Iterator[None]:
    """An incompatible target: its headline on stderr, then every problem
    (the error itself, printed once by cli/main.py)."""
    try:
        yield
    except Incompatible as error:
        click.echo(error.headline(), err=True)
        raise


def _test(app: AppContext, rev: str) -> None:
    from reconciler.cli.restore_verify import restore_into_simulator

    source = load_source(app.repo, rev, app.field_keys(), app.backups().snapshot)
    app.release_aws()  # done with --sim's S3, if a backup came from it: --test needs its own
    app.say(f"Test-restoring {source.label} into an empty simulator ...")
    with listed_problems():
        verdict, warnings = restore_into_simulator(source)
    for warning in warnings:
        app.say(f"warning: {warning}")
    click.echo(f"{source.label}: {verdict.summary()}")
    if not verdict.restorable:
        count = len(verdict.diff.changes)
        raise IdcError(f"{source.label} is not restorable: {count} difference(s), listed above")
