"""`idc rollback JOURNAL`: undo an apply exactly, from its journal alone.

The journal holds every operation's inverse with the prior values it needs,
so undoing reads nothing but live state for intents a crash left in doubt.
The rollback is journaled like any apply and names its parent, so an
interrupted rollback is finished by running this command again (or by
`idc apply --resume` on the rollback's own journal).
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.apply.journal import JOURNAL_DIR, read_journal, resolve_journal
from reconciler.apply.runner import RunInterrupted, rollback, undo_plan
from reconciler.cli.apply import holding_lock, make_target, say, shown_path
from reconciler.cli.context import AppContext, pass_app
from reconciler.errors import IdcError


@click.command()
@click.argument("journal")
@click.option("--dry-run", is_flag=True, help="Only list what would be undone.")
@pass_app
def command(app: AppContext, journal: str, dry_run: bool) -> None:
    """Undo an apply from its journal (journal/<time>-<id>.jsonl).

    Applies the inverse of every operation the apply (and its resumes)
    carried out, newest first; intents a crash left in doubt are checked
    against live state. The rollback writes its own journal.
    """
    from reconciler.desired.settings import load_settings

    path: Path = resolve_journal(app.repo / JOURNAL_DIR, journal)
    header = read_journal(path).header
    if dry_run:
        target = make_target(app, header.instance_arn, header.identity_store_id)
        _, undo = undo_plan(target, path)
        if not undo:
            say(app, f"Nothing to undo for {shown_path(app, path)}.")
            return
        app.out.print(f"Would undo {len(undo)} operation(s) of {shown_path(app, path)}:")
        for _, inverse, _ in undo:
            app.out.print(f"  {inverse.describe()}", markup=False)
        return
    settings = load_settings(app.repo)
    with holding_lock(app, settings.lock_s3):
        target = make_target(app, header.instance_arn, header.identity_store_id)
        try:
            result = rollback(target, path)
        except RunInterrupted as exc:
            raise IdcError(
                f"rollback interrupted (rollback journal {shown_path(app, exc.journal)}); "
                f"finish it with `idc rollback {shown_path(app, path)}` again"
            ) from None
    shown = shown_path(app, result.journal)
    failure = result.first_failure
    if failure is not None:
        op, error = failure
        raise IdcError(
            f"rollback of {shown_path(app, path)} stopped at {op.describe()}: {error} "
            f"(rollback journal: {shown}; finish with `idc rollback {shown_path(app, path)}` "
            "again once the cause is fixed)"
        )
    already = result.outcome.already
    for _, op, _ in already:
        say(app, f"  already in effect (reverted by hand?): {op.describe()}")
    note = f", {len(already)} of them already in live state" if already else ""
    say(
        app,
        f"Rollback complete: {len(result.outcome.done)} operation(s) undone{note}. "
        f"Journal: {shown}",
    )
