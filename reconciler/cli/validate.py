"""`idc validate`: schema and semantic checks of idc.yaml and desired/, offline.

Runs without AWS so it fits a pre-commit hook or the first CI step; every
problem is printed as `file:line:col: message` in one run (exit 1).
"""

from __future__ import annotations

import json

import click

from reconciler.cli.context import AppContext, pass_app
from reconciler.desired.loader import desired_files, load_desired
from reconciler.desired.settings import load_settings
from reconciler.desired.types import Desired
from reconciler.errors import InputError


def summary(desired: Desired, files: int) -> dict[str, int]:
    """Counts per kind, as declared (assignment rules, not expanded assignments)."""
    return {
        "files": files,
        "users": len(desired.users),
        "groups": len(desired.groups),
        "memberships": len(desired.memberships),
        "permission_sets": len(desired.permission_sets),
        "assignment_rules": len(desired.rules),
    }


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: {valid, counts, diagnostics} on stdout, for CI annotations.",
)
@pass_app
def command(app: AppContext, fmt: str) -> None:
    """Check idc.yaml and desired/ against the schemas and each other

    Reports every problem as FILE:LINE:COL: MESSAGE (exit 1); needs no AWS access.
    """
    try:
        settings = load_settings(app.repo)
        desired = load_desired(app.repo, settings)
    except InputError as exc:
        if fmt == "json":
            click.echo(json.dumps(_report(False, None, exc.diagnostics), indent=2))
        raise
    counts = summary(desired, len(desired_files(app.repo)))
    if fmt == "json":
        click.echo(json.dumps(_report(True, counts, desired.warnings), indent=2))
        return
    for warning in desired.warnings if not app.quiet else ():
        click.echo(str(warning), err=True)
    parts = ", ".join(_count(n, k) for k, n in counts.items() if k != "files")
    click.echo(f"valid: {parts} in {_count(counts['files'], 'files')}")


def _count(n: int, plural_key: str) -> str:
    word = plural_key.replace("_", " ")
    return f"{n} {word if n != 1 else word[:-1]}"


def _report(valid: bool, counts: dict[str, int] | None, diagnostics: object) -> dict[str, object]:
    return {
        "valid": valid,
        "counts": counts,
        "diagnostics": [
            {
                "path": d.path,
                "line": d.line,
                "column": d.column,
                "severity": d.severity,
                "message": d.message,
            }
            for d in diagnostics  # type: ignore[attr-defined]
        ],
    }
