"""`idc decrypt FILE`: a snapshot file with its encrypted fields in clear.

With --textconv it is git's diff driver for state/ (`idc init` writes the
.gitattributes line; the README's "Encryption" says how to enable it), and a
file that cannot be decrypted is printed as it is with a one-line warning,
so `git diff` keeps working for someone without the key.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.context import AppContext, pass_app
from reconciler.errors import IdcError
from reconciler.store.textconv import decrypted_text


@click.command("decrypt")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--textconv",
    is_flag=True,
    help="As git's textconv: print a file that cannot be decrypted as it is (warning on stderr).",
)
@pass_app
def command(app: AppContext, file: Path, textconv: bool) -> None:
    """Print FILE of state/ with its encrypted values decrypted.

    The key is encryption.key of idc.yaml; which fields are encrypted and
    their wrapped data key come from the snapshot in state/ (else HEAD's).
    A file with no encrypted value is printed unchanged.

    \b
    Examples:
      idc decrypt state/users.yaml
      git config diff.idc.textconv "idc decrypt --textconv"
    """
    data = file.read_bytes()
    try:
        out = decrypted_text(data, str(file), app.field_keys())
    except IdcError as exc:
        if not textconv:
            raise
        click.echo(f"idc decrypt: {exc}; shown encrypted", err=True)
        out = data
    click.echo(out, nl=False)
