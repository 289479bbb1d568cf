"""`idc assign` and `idc revoke`: one permission set, one principal, many accounts.

Parsing and printing only; reading, selecting, planning and applying live in
reconciler.apply.grant, which runs the plan through the same applier,
journal and lock as `idc apply` (so `idc rollback JOURNAL` undoes it).
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable

import click

from reconciler.apply.grant import (
    GrantRequest,
    Prepared,
    execute,
    inventory_of,
    prepare,
    summarize,
)
from reconciler.cli.apply import (
    confirm,
    finish,
    holding_lock,
    interrupted_apply,
    make_target,
    shown_path,
)
from reconciler.cli.context import AppContext, pass_app
from reconciler.cli.progress_bars import read_progress, write_progress
from reconciler.desired.filters.selection import selector_from
from reconciler.desired.settings import Settings, load_settings
from reconciler.errors import ApplyError, AwsError
from reconciler.model.operations import Op
from reconciler.plan.grant import unchanged_accounts
from reconciler.store.desired_edit import write_grant

MAX_BATCH = 15  # AWS: at most 15 outstanding asynchronous assignment requests


def _show(app: AppContext, prepared: Prepared) -> None:
    grant, plan = prepared.grant, prepared.plan
    for warning in (*prepared.selection.warnings, *plan.warnings):
        click.echo(f"warning: {warning}", err=True)
    verb = "assign" if grant.action == "assign" else "revoke"
    click.echo(
        f"{verb} {grant.permission_set} {'to' if verb == 'assign' else 'from'} "
        f"{grant.principal_type} {grant.principal}: {len(grant.accounts)} account(s) "
        f"selected by {grant.selected_by}"
    )
    changing = {c.key["account"] for c in plan.changes}
    skipped = "already assigned" if verb == "assign" else "not assigned"
    mark = "+" if verb == "assign" else "-"
    for account in sorted(grant.accounts):
        what = f"{mark} {verb}" if account in changing else f"= {skipped} (skipped)"
        click.echo(f"  {account}  {prepared.account_name(account):<24} {what}")
    left = len(unchanged_accounts(grant, plan))
    click.echo(f"Plan: {len(plan.changes)} to {verb}, {left} {skipped} (skipped).")


def _also(
    report: Callable[[Op, AwsError | None], None], advance: Callable[[], None]
) -> Callable[[Op, AwsError | None], None]:
    def both(op: Op, error: AwsError | None) -> None:
        report(op, error)
        advance()

    return both


def _prepare(
    app: AppContext, settings: Settings, request: GrantRequest, allow_deletes: bool
) -> Prepared:
    """The small live read and the plan, with a progress bar on a terminal."""
    with read_progress(app) as progress:
        return prepare(app.aws(), settings, request, allow_deletes=allow_deletes, progress=progress)


def _write(app: AppContext, prepared: Prepared, settings: Settings) -> None:
    """--write: the plan above, as an edit of desired/ instead of AWS calls."""
    grant, selector = prepared.grant, prepared.request.selector
    chosen = [selector.text] if selector.flag == "ACCOUNT" else [selector.flag, selector.text]
    command = shlex.join(["idc", grant.action, grant.permission_set, grant.principal, *chosen])
    edits = write_grant(app.repo, grant, inventory_of(prepared.scope, settings), command)
    if not edits:
        already = "grants" if grant.action == "assign" else "does not grant"
        click.echo(f"desired/ already {already} this; nothing written")
        return
    sign = "+" if grant.action == "assign" else "-"
    for edit in edits:
        click.echo(f"{shown_path(app, edit.path)}: {sign} {len(edit.accounts)} account(s)")
    app.say("next: `idc plan` shows the same plan; commit desired/ and open a pull request")


def _help(action: str) -> str:
    """assign's and revoke's --help: the same words, the other direction."""
    to = "to" if action == "assign" else "from"
    return f"""{action.capitalize()} PERMISSION_SET {to} PRINCIPAL in many accounts.

    The accounts come from exactly one selector: ACCOUNT (an id or name),
    --filter, --ou-filter, --account-pattern or --accounts. The plan is
    printed first; the change is journaled: undo it with `idc rollback JOURNAL`.
    --write puts the change into desired/ instead, for a pull request.

    \b
    Examples:
      idc {action} ReadOnly alice@example.com --ou-filter Root/Prod --dry-run
      idc {action} Admin Platform --filter 'tag:env=prod' --force
    """


def make_command(action: str) -> click.Command:
    @click.command(name=action, help=_help(action))
    @click.argument("permission_set")
    @click.argument("principal")
    @click.argument("account", required=False)
    @click.option(
        "--filter",
        "filter_expr",
        metavar="EXPR",
        help="Filter expression, e.g. '*' or 'tag:env=prod'.",
    )
    @click.option(
        "--ou-filter", metavar="PATH", help="OU path, recursive: Root/Prod or /Root/Prod."
    )
    @click.option("--account-pattern", metavar="REGEX", help="Account name regex (re.search).")
    @click.option(
        "--accounts", metavar="ID,ID", help="Explicit account ids (or names), separated by commas."
    )
    @click.option(
        "--principal-type",
        type=click.Choice(["USER", "GROUP"], case_sensitive=False),
        help="Default: whichever of user and group has the name.",
    )
    @click.option("--dry-run", is_flag=True, help="Show the plan; change nothing.")
    @click.option("--force", "--auto-approve", "force", is_flag=True, help="Do not ask (for CI).")
    @click.option(
        "--batch-size",
        type=click.IntRange(1, MAX_BATCH),
        default=10,
        show_default=True,
        help=f"Assignment requests in flight (AWS allows {MAX_BATCH}).",
    )
    @click.option(
        "--continue-on-error/--stop-on-error",
        default=True,
        show_default=True,
        help="Keep going past a failed account (report it), or stop at the first failure "
        "and roll back what was done.",
    )
    @click.option(
        "--allow-deletes", is_flag=True, help="Permit more deletes than safety.max_deletes."
    )
    @click.option(
        "--write",
        is_flag=True,
        help="Do not call AWS: write the change into desired/ (comments kept) for a pull request.",
    )
    @pass_app
    def command(
        app: AppContext,
        permission_set: str,
        principal: str,
        account: str | None,
        filter_expr: str | None,
        ou_filter: str | None,
        account_pattern: str | None,
        accounts: str | None,
        principal_type: str | None,
        dry_run: bool,
        force: bool,
        batch_size: int,
        continue_on_error: bool,
        allow_deletes: bool,
        write: bool,
    ) -> None:
        selector = selector_from(account, filter_expr, ou_filter, account_pattern, accounts)
        assert selector is not None
        request = GrantRequest(
            action,
            permission_set,
            principal,
            principal_type.upper() if principal_type else None,
            selector,
        )
        settings = load_settings(app.repo)
        if dry_run or write:
            prepared = _prepare(app, settings, request, allow_deletes)
            _show(app, prepared)
            if write and not dry_run:
                _write(app, prepared, settings)
            return
        with holding_lock(app, settings, action), interrupted_apply(app):
            prepared = _prepare(app, settings, request, allow_deletes)
            _show(app, prepared)
            if prepared.plan.empty:
                app.say("No changes: nothing to do.")
                return
            if not force:
                confirm(
                    action,
                    f"{action[:-1] if action.endswith('e') else action}ing",
                    "review with --dry-run",
                )
            target = make_target(app, prepared.scope.instance_arn, prepared.scope.identity_store_id)
            target.max_in_flight = batch_size
            target.stop_at_first_failure = not continue_on_error
            started = time.monotonic()
            writes = f"{action[:-1] if action.endswith('e') else action}ing"
            with write_progress(app, writes, len(prepared.plan.changes)) as advance:
                target.on_result = _also(target.on_result, advance)
                result = execute(target, prepared, continue_on_error=continue_on_error)
            summary = summarize(prepared, result, time.monotonic() - started)
            shown = shown_path(app, result.journal)
            for line in summary.lines(shown):
                click.echo(line, err=True)
            if result.ok or not continue_on_error or result.journal_error is not None:
                finish(app, result, rollback_on_failure=True)
                return
            raise ApplyError(
                f"{action} finished with {len(summary.failures)} failed account(s) (listed above); "
                f"{summary.succeeded} done and kept; retry the failed ones with "
                f"`idc apply --resume {shown}`",
                shown,
            )

    return command


command = make_command("assign")
