"""`idc unlock`: who holds the apply locks, and removing a stale S3 lock.

The local lock is an OS lock that ends with its process, so there is never
one to remove; it is shown so that a refused apply in this clone can be
explained. The S3 lock object outlives a killed run until its lease runs
out; this removes it sooner, after confirmation, and only if it is still
the very version shown (a conditional delete), so a lock renewed or taken by
a live apply in the meantime is never removed by mistake.
"""

from __future__ import annotations

import sys

import click

from reconciler.cli.context import AppContext, pass_app
from reconciler.errors import IdcError


@click.command()
@click.option(
    "--auto-approve", is_flag=True, help="Remove the S3 lock shown without asking (for CI)."
)
@click.option("--dry-run", is_flag=True, help="Only show who holds the locks.")
@pass_app
def command(app: AppContext, auto_approve: bool, dry_run: bool) -> None:
    """Show who holds the apply locks; remove a stale S3 lock.

    The S3 lock (lock.s3) is removed after confirmation, and only if it is
    still the version shown.

    Remove it only when its holder is known to be dead (a killed CI run, a
    closed laptop): an apply still running loses its lock and stops before
    its next write. An expired lease is taken over by the next apply anyway.

    \b
    Examples:
      idc unlock --dry-run
      idc unlock --auto-approve
    """
    from reconciler.apply.lock import lock_status, remove_s3_lock
    from reconciler.aws.s3_lock import S3LockStore
    from reconciler.desired.settings import load_settings

    settings = load_settings(app.repo)
    store = S3LockStore(app.aws(), settings.lock_s3) if settings.lock_s3 else None
    status = lock_status(app.repo, store)
    if status.local_held:
        who = status.local.describe() if status.local else "a process not yet recorded"
        click.echo(f"local lock {status.local_path}: held by {who}")
        click.echo("  (an OS lock: it is released when that process ends; nothing to remove)")
    else:
        click.echo(f"local lock {status.local_path}: free")
    if store is None:
        click.echo("S3 lock: none configured (lock.s3 in idc.yaml)")
        return
    if status.s3 is None:
        click.echo(f"S3 lock {status.s3_url}: free")
        return
    click.echo(f"S3 lock {status.s3_url}: held by {status.s3.describe(status.now)}")
    if dry_run:
        return
    if not auto_approve:
        if not sys.stdin.isatty():
            raise IdcError(
                "not unlocking: confirmation needs a terminal (stdin is not one); "
                "pass --auto-approve"
            )
        if not click.confirm("Remove this S3 lock?", default=False, err=True):
            raise IdcError("unlock cancelled; the S3 lock is unchanged")
    remove_s3_lock(store, status.s3)
    app.say(f"Removed the S3 lock {status.s3_url}.")
