"""`idc export`: a snapshot copied out of git, to directories and S3.

Formatting only: reconciler.store.export stages, encrypts and writes the
backup; this module parses the options and prints each target's result.
"""

from __future__ import annotations

import json

import click

from reconciler.aws.s3_objects import SSE_MODES, ServerSideEncryption
from reconciler.cli.context import AppContext, pass_app
from reconciler.desired.settings import load_settings
from reconciler.errors import IdcError
from reconciler.store.backup_manifest import FORMATS
from reconciler.store.export import ExportRequest, ExportResult, export_backup


@click.command("export")
@click.option(
    "--rev", default="HEAD", show_default=True, help="The snapshot to export (a commit or tag)."
)
@click.option(
    "--to",
    "targets",
    multiple=True,
    required=True,
    metavar="DIR|s3://BUCKET/PREFIX",
    help="Where to write the backup (repeatable: all targets are written in parallel).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="yaml",
    show_default=True,
    help="yaml or json: the whole snapshot, restorable; csv: users, groups, memberships "
    "and assignments tables for auditors.",
)
@click.option(
    "--encrypt",
    is_flag=True,
    help="Encrypt every file (AES-256-GCM) under encryption.key of idc.yaml.",
)
@click.option(
    "--sse", type=click.Choice(SSE_MODES), help="S3 server-side encryption of the objects."
)
@click.option("--sse-kms-key-id", metavar="KEY", help="The KMS key for --sse aws:kms.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@pass_app
def command(
    app: AppContext,
    rev: str,
    targets: tuple[str, ...],
    fmt: str,
    encrypt: bool,
    sse: str | None,
    sse_kms_key_id: str | None,
    as_json: bool,
) -> None:
    """Copy a snapshot to backup folders (DIR, S3).

    Exports the snapshot at --rev as a backup folder to every --to.

    The folder is named by UTC time and revision and holds the files and a
    manifest.json (sha256 and size of each, written last: a folder without
    it is an interrupted export, never a backup). A target that fails does
    not stop the others; the exit status is 1 if any failed. Restore a
    yaml or json backup with `idc restore FOLDER`, check it with
    `idc import FOLDER`.

    \b
    Examples:
      idc export --to /backups/idc
      idc export --rev v1 --to s3://my-backups/idc --sse aws:kms --encrypt
      idc export --format csv --to ./audit
    """
    settings = load_settings(app.repo)
    request = ExportRequest(
        targets=targets,
        rev=rev,
        format=fmt,
        encrypt=encrypt,
        sse=ServerSideEncryption(sse, sse_kms_key_id),
    )
    result = export_backup(
        app.repo,
        request,
        settings,
        session=app.aws,
        field_keys=app.field_keys(),
        backup_key=app.backup_key,
    )
    for warning in result.warnings:
        app.say(f"warning: {warning}")
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        _print(app, result)
    failed = [t for t in result.targets if not t.ok]
    if failed:
        raise IdcError(f"{len(failed)} of {len(result.targets)} target(s) failed; see above")


def _print(app: AppContext, result: ExportResult) -> None:
    manifest = result.manifest
    encrypted = ", encrypted" if manifest.encryption else ""
    click.echo(
        f"Backup {result.name}: {len(manifest.files)} files, {manifest.total_bytes:,} bytes "
        f"({manifest.format}{encrypted}) from {manifest.revision[:12]}"
    )
    for target in result.targets:
        if target.ok:
            click.echo(f"  ok      {target.where}")
        else:
            click.echo(f"  failed  {target.url}: {target.error}")
        if target.warning:
            app.say(f"warning: {target.warning}")
