"""`idc import SRC`: check an exported backup, and record it in git.

Formatting only: reconciler.store.backup_import verifies and records.
"""

from __future__ import annotations

import click

from reconciler.cli.context import AppContext, pass_app
from reconciler.store.backup_import import import_backup


@click.command("import")
@click.argument("src", metavar="SRC")
@click.option(
    "--commit",
    is_flag=True,
    help='Write the backup to state/ and commit it as a snapshot ("imported from SRC").',
)
@pass_app
def command(app: AppContext, src: str, commit: bool) -> None:
    """Verify an exported backup; --commit keeps it.

    Verifies the exported backup SRC; with --commit, makes it a snapshot.

    SRC is one backup's folder or s3://BUCKET/PREFIX/BACKUP. Its manifest,
    the sha256 and size of every file, the decryption of an encrypted
    backup and every file's schema are checked before anything is written;
    any failure names the file and writes nothing. Without --commit
    nothing is written at all.

    \b
    Examples:
      idc import /backups/idc/20261203T061500Z-1a2b3c4d5e6f
      idc import s3://my-backups/idc/20261203T061500Z-1a2b3c4d5e6f --commit
    """
    result = import_backup(app.repo, app.backups(), src, app.field_keys(), commit=commit)
    manifest = result.backup.manifest
    counts = ", ".join(f"{n} {kind}" for kind, n in result.state.counts().items())
    click.echo(
        f"{result.backup.where}: verified, {len(manifest.files)} files "
        f"(snapshot {manifest.revision[:12]}, read {result.snapshot_time}): {counts}"
    )
    if result.recorded is not None:
        if result.recorded.commit:
            click.echo(
                f"Committed as {result.recorded.commit[:12]}: imported from {result.backup.where}"
            )
        else:
            click.echo("state/ already holds this snapshot: nothing to commit")
    if result.warning:
        app.say(f"warning: {result.warning}")
