"""`idc apply`: execute a plan, journaled, under the apply lock.

With a plan file the plan was reviewed already (in a pull request), so it is
applied without a prompt, but only if nothing it touches changed since it
was made. Without one, the plan is computed, shown, and confirmed on a
terminal; a non-terminal never waits for an answer that cannot come.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from reconciler.apply.conclude import conclude
from reconciler.apply.conclude import shown_path as repo_relative
from reconciler.apply.journal import JOURNAL_DIR, read_journal, resolve_journal
from reconciler.apply.ops import ops_from_plan
from reconciler.apply.plan_check import check_against_live, check_repository, load_plan
from reconciler.apply.runner import (
    NothingToResume,
    RunInterrupted,
    RunResult,
    Target,
    apply_pairs,
    resume,
)
from reconciler.apply.targets import build_target, held_lock
from reconciler.cli.context import AppContext, pass_app
from reconciler.desired.settings import Settings
from reconciler.errors import ApplyError, AwsError, IdcError
from reconciler.model.operations import ASYNC_OPS, Op
from reconciler.plan import Plan
from reconciler.render.text import render_text


@click.command()
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Apply without asking (for CI).")
@click.option(
    "--no-rollback-on-failure",
    is_flag=True,
    help="On failure, stop and keep the journal for --resume instead of undoing.",
)
@click.option(
    "--resume",
    "resume_journal",
    metavar="JOURNAL",
    help="Finish an interrupted or failed apply from its journal: run what never ran, "
    "retry what failed or was skipped.",
)
@click.option(
    "--continue-on-error",
    is_flag=True,
    help="Do not stop at a failed assignment create/delete or provisioning: record it, "
    "skip what needs it, apply the rest, then list every failure and exit 1 with no "
    "rollback (retry with --resume JOURNAL, undo with `idc rollback JOURNAL`). "
    "Any other failure still stops the run.",
)
@click.option("--allow-deletes", is_flag=True, help="Permit more deletes than safety.max_deletes.")
@pass_app
def command(
    app: AppContext,
    plan_file: Path | None,
    auto_approve: bool,
    no_rollback_on_failure: bool,
    resume_journal: str | None,
    continue_on_error: bool,
    allow_deletes: bool,
) -> None:
    """Execute a plan against AWS, journaled so it can be undone.

    PLAN is a plan file from `idc plan -o`; it is refused if anything it
    touches changed since, or made against another instance. Without PLAN,
    plans now and asks for confirmation (--auto-approve in CI).

    By default a failure stops the run and undoes what it did.

    --continue-on-error records failed assignments and provisioning and
    applies the rest: one account at its IAM role quota does not undo every
    other change. Deleting the permission set, user or group of an
    assignment whose delete failed is skipped (journaled) rather than run.
    What succeeded is kept; --resume retries the failed and skipped
    operations (and keeps continuing past failures).

    \b
    Examples:
      idc apply plan.json --auto-approve
      idc apply --resume journal/20260102T030405123456Z-ab12cd.jsonl
    """
    from reconciler.desired.settings import load_settings

    if resume_journal and plan_file:
        raise click.UsageError("give either PLAN or --resume JOURNAL, not both")
    settings = load_settings(app.repo)
    journal_dir = app.repo / JOURNAL_DIR
    with holding_lock(app, settings, "apply"), interrupted_apply(app):
        if resume_journal:
            path = resolve_journal(journal_dir, resume_journal)
            header = read_journal(path).header
            target = make_target(app, header.instance_arn, header.identity_store_id)
            try:
                result = resume(target, path, continue_on_error=continue_on_error)
            except NothingToResume as exc:
                say(app, str(exc))
                return
            say(
                app, f"resuming {shown_path(app, path)}: {result.skipped} operation(s) already done"
            )
        else:
            plan, live_meta = _plan_to_apply(app, settings, plan_file, auto_approve, allow_deletes)
            if plan is None:
                return
            target = make_target(app, live_meta[0], live_meta[1])
            result = apply_pairs(
                target, ops_from_plan(plan), plan.fingerprint, continue_on_error=continue_on_error
            )
        finish(app, result, rollback_on_failure=not no_rollback_on_failure)


def _plan_to_apply(
    app: AppContext,
    settings: Settings,
    plan_file: Path | None,
    auto_approve: bool,
    allow_deletes: bool,
) -> tuple[Plan | None, tuple[str, str]]:
    """The plan (None: nothing to do) and the live instance ARN / identity store id."""
    from reconciler.aws.reader import read_state

    if plan_file is not None:
        plan = load_plan(plan_file)
        check_repository(plan, app.repo, plan_file)
        live = read_state(app.aws(), instance=settings.instance)
        check_against_live(plan, live, plan_file)
    else:
        from reconciler.desired.loader import load_desired
        from reconciler.plan import TooManyDeletesError, build_plan
        from reconciler.store.textconv import desired_opener

        desired = load_desired(app.repo, settings, open_value=desired_opener(app.field_keys()))
        live = read_state(
            app.aws(), instance=settings.instance, stale=settings.manage.permission_sets
        )
        try:
            plan = build_plan(desired, live, settings, allow_deletes=allow_deletes)
        except TooManyDeletesError as exc:  # show what it would delete, then refuse
            show_plan(app, exc.plan)
            raise
        show_plan(app, plan)
    meta = (live.meta.instance_arn, live.meta.identity_store_id)
    if plan.empty:
        say(app, "No changes: live state already matches.")
        return None, meta
    if plan_file is None and not auto_approve:
        confirm("apply", "applying", "review with `idc plan`")
    return plan, meta


# --- shared with `idc restore` -----------------------------------------------


def show_plan(app: AppContext, plan: Plan, *, err: bool = False) -> None:
    """Print the plan exactly as `idc plan` does (warnings included), on
    stdout, or on stderr when stdout carries a machine-readable report."""
    color = app.color and (app.err if err else app.out).is_terminal
    click.echo(render_text(plan, color=color), nl=False, err=err)


def confirm(verb: str, gerund: str, review: str) -> None:
    """Ask on a terminal only: a pipe (CI) never waits for an answer."""
    if not sys.stdin.isatty():
        raise IdcError(
            f"not {gerund}: confirmation needs a terminal (stdin is not one); "
            f"{review} and pass --auto-approve"
        )
    if not click.confirm(f"{verb.capitalize()} these changes?", default=False, err=True):
        raise IdcError(f"{verb} cancelled; nothing was changed")


# --- shared with `idc rollback` ----------------------------------------------


@contextlib.contextmanager
def holding_lock(app: AppContext, settings: Settings, command: str) -> Iterator[None]:
    """Hold the apply lock (and the S3 lease of lock.s3) for `idc COMMAND`
    (reconciler.apply.targets). While held, targets from make_target check
    the lease before each write."""
    with held_lock(app.repo, settings, app.aws, f"idc {command}", app.say) as guard:
        app.lock_guard = guard
        try:
            yield
        finally:
            app.lock_guard = None


@contextlib.contextmanager
def interrupted_apply(app: AppContext) -> Iterator[None]:
    """Ctrl-C or a lost lock: name the journal and the two ways on (finish or undo)."""
    try:
        yield
    except RunInterrupted as exc:
        shown = shown_path(app, exc.journal)
        head = f"stopped: {exc.reason}" if exc.reason else "interrupted"
        raise ApplyError(
            f"{head}; operations that were in flight are checked against live state "
            f"when you finish with `idc apply --resume {shown}`",
            shown,
        ) from None


def make_target(app: AppContext, instance_arn: str, identity_store_id: str = "") -> Target:
    """A Target writing through the real Writer, as the session's caller."""
    return build_target(
        app.aws(),
        app.repo,
        instance_arn,
        identity_store_id,
        warn=app.say,
        on_result=progress(app),
        guard=app.lock_guard or (lambda: None),
    )


def progress(app: AppContext) -> Callable[[Op, AwsError | None], None]:
    """Each operation as it lands, with -v only: failures are reported once,
    by the closing error."""

    def report(op: Op, error: AwsError | None) -> None:
        if app.verbose:
            outcome = f"failed  {op.describe()}: {error}" if error else f"done    {op.describe()}"
            say(app, f"  {outcome}")

    return report


def finish(app: AppContext, result: RunResult, rollback_on_failure: bool) -> None:
    """Report a run; a failed one is undone first (reconciler.apply.conclude)
    unless told not to or unsafe, and the error says where that left AWS."""
    from reconciler.desired.settings import load_settings

    if result.ok:
        done, shown = len(result.outcome.done), shown_path(app, result.journal)
        say(app, f"Apply complete: {done} operation(s) done. Journal: {shown}")
        return
    if result.continue_on_error and result.journal_error is None:
        raise kept_failures(result, shown_path(app, result.journal))
    raise conclude(
        result,
        lambda arn, store: make_target(app, arn, store),
        load_settings(app.repo),
        app.repo,
        rollback_on_failure=rollback_on_failure,
        announce=lambda: say(app, "apply failed; rolling back what it did ..."),
    )


def kept_failures(result: RunResult, shown: str) -> ApplyError:
    """--continue-on-error's closing report. Every failure (the operation,
    the AWS call and AWS's reason, verbatim) and every skipped operation with
    what it needed is printed on stderr even with --quiet (they are errors);
    the returned one-line error says what was kept and how to go on."""
    outcome = result.outcome
    skipped = f", {len(outcome.skipped)} skipped" if outcome.skipped else ""
    click.echo(f"{len(outcome.failures)} operation(s) failed{skipped}:", err=True)
    for (_, op, _), error in outcome.failures:
        detail = f"{error.code}: {error.reason}" if error.code else error.reason
        click.echo(f"  failed   {op.describe()}: {error.operation} failed: {detail}", err=True)
    for (_, op, _), (_, cause, _) in outcome.skipped:
        click.echo(
            f"  skipped  {op.describe()}: needs {cause.describe()}, which did not take effect",
            err=True,
        )
    stopped = next((s[1] for s, _ in outcome.failures if s[1].name not in ASYNC_OPS), None)
    head = f"apply stopped at {stopped.describe()}" if stopped else "apply finished"
    return ApplyError(
        f"{head} with {len(outcome.failures)} failed operation(s){skipped} (listed above); "
        f"{len(outcome.done)} done and kept (--continue-on-error: no automatic rollback); "
        f"retry the failed and skipped ones with `idc apply --resume {shown}` "
        "once the cause is fixed",
        shown,
    )


def say(app: AppContext, message: str) -> None:
    """Progress on stderr (AppContext.say; a function so callbacks can bind it)."""
    app.say(message)


def shown_path(app: AppContext, path: Path) -> str:
    return repo_relative(app.repo, path)
