"""`idc rollback JOURNAL`: undo an apply exactly, from its journal and live state.

The journal holds every operation's inverse with the prior values it needs.
Before undoing, every operation is judged against live state
(reconciler.apply.undo): only what the change did and is still live is
undone, and anything changed since the apply is listed and refused unless
--force. Like apply, the undo is shown first and confirmed on a terminal,
and honours safety.protect and safety.max_deletes. The rollback is journaled
like any apply and names its parent, so an interrupted rollback is finished
by running this command again (or `idc apply --resume` on its own journal).
"""

from __future__ import annotations

import click

from reconciler.apply.conclude import what_stopped
from reconciler.apply.journal import JOURNAL_DIR, read_journal, resolve_journal
from reconciler.apply.runner import RunInterrupted, rollback, undo_plan
from reconciler.apply.undo import UndoPlan
from reconciler.cli.apply import (
    confirm,
    holding_lock,
    make_target,
    say,
    show_plan,
    shown_path,
)
from reconciler.cli.context import AppContext, pass_app
from reconciler.errors import ApplyError
from reconciler.store.journals import last_to_roll_back


@click.command()
@click.argument("journal", required=False)
@click.option(
    "--last",
    is_flag=True,
    help="Roll back the newest apply not already rolled back (see `idc journal list`).",
)
@click.option("--dry-run", is_flag=True, help="Only show what would be undone, before -> after.")
@click.option("--auto-approve", is_flag=True, help="Roll back without asking (for CI).")
@click.option(
    "--force",
    is_flag=True,
    help="Also undo resources changed since the apply (their later change is lost).",
)
@click.option("--allow-deletes", is_flag=True, help="Permit more deletes than safety.max_deletes.")
@pass_app
def command(
    app: AppContext,
    journal: str | None,
    last: bool,
    dry_run: bool,
    auto_approve: bool,
    force: bool,
    allow_deletes: bool,
) -> None:
    """Undo an apply from its journal (journal/<time>-<id>.jsonl).

    Undoes, newest first, every operation the apply (and its resumes) carried
    out that is still in effect; operations AWS refused are left alone, ones a
    crash left in doubt are checked against live state. Resources changed
    since the apply are listed and the rollback refuses unless --force. The
    undo is shown and confirmed like a plan (--auto-approve in CI). The
    rollback writes its own journal.

    \b
    Examples:
      idc rollback journal/20260102T030405123456Z-ab12cd.jsonl --dry-run
      idc rollback 20260102T0304 --auto-approve
      idc rollback --last --dry-run
    """
    from reconciler.desired.settings import load_settings

    if (journal is None) == (not last):
        raise click.UsageError("name a JOURNAL or pass --last (not both)")
    if journal is None:
        path = last_to_roll_back(app.repo)
        say(app, f"--last: rolling back {shown_path(app, path)}, the newest apply not rolled back")
    else:
        path = resolve_journal(app.repo / JOURNAL_DIR, journal)
    header = read_journal(path).header
    settings = load_settings(app.repo)
    shown = shown_path(app, path)
    with holding_lock(app, settings, "rollback"):
        target = make_target(app, header.instance_arn, header.identity_store_id)
        plan = undo_plan(target, path, force=force)
        if not plan.steps and not plan.drifted:
            say(app, _nothing_to_undo(app, plan, shown))
            return
        show_plan(app, plan.as_plan())
        if dry_run:
            if plan.drifted and not force:
                say(app, "a rollback would refuse: resources changed since the apply (--force)")
            return
        if not auto_approve:
            confirm("roll back", "rolling back", f"review with `idc rollback {shown} --dry-run`")
        try:
            result = rollback(
                target, path, settings=settings, force=force, allow_deletes=allow_deletes, plan=plan
            )
        except RunInterrupted as exc:
            head = f"rollback stopped: {exc.reason}" if exc.reason else "rollback interrupted"
            raise ApplyError(
                f"{head}; finish it with `idc rollback {shown}` again",
                shown_path(app, exc.journal),
                undo_hint=False,
            ) from None
    undo_shown = shown_path(app, result.journal)
    if not result.ok:
        raise ApplyError(
            f"rollback of {shown} {what_stopped(result)}; "
            f"finish with `idc rollback {shown}` again once the cause is fixed",
            undo_shown,
            undo_hint=False,
        )
    for op in plan.already:
        say(app, f"  already undone in live state (reverted by hand?): {op.describe()}")
    for _, op, _ in result.outcome.already:
        say(app, f"  found in effect when AWS refused it (reverted by hand?): {op.describe()}")
    undone = len(result.outcome.done) - len(result.outcome.already)
    note = f"; {len(plan.already)} already undone, left alone" if plan.already else ""
    say(app, f"Rollback complete: {undone} operation(s) undone{note}. Journal: {undo_shown}")


def _nothing_to_undo(app: AppContext, plan: UndoPlan, shown: str) -> str:
    """Why there is nothing to undo, naming the rollback that undid it, if any."""
    if plan.already and plan.rollbacks:
        last = shown_path(app, plan.rollbacks[-1].path)
        return (
            f"Nothing to undo for {shown}: its changes are already undone in live state "
            f"({len(plan.already)} operation(s); rolled back by {last})."
        )
    if plan.already:
        return (
            f"Nothing to undo for {shown}: live state already shows its "
            f"{len(plan.already)} operation(s) undone."
        )
    return f"Nothing to undo for {shown}: none of its operations took effect."
