"""`idc validate`: schema and semantic checks of idc.yaml and desired/, offline.

Runs without AWS so it fits a pre-commit hook or the first CI step; every
problem is printed as `file:line:col: message` in one run (exit 1).

`safety.protect` patterns are checked for kind and key shape always; whether
each matches a resource is checked against desired state and the snapshot
in state/ when the repository has one (validate never reads AWS, so without
a snapshot it cannot tell a typo from a resource that only exists live;
`idc plan` checks against live state).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler.cli.context import AppContext, pass_app
from reconciler.desired.loader import DESIRED_DIR, desired_files, load_desired
from reconciler.desired.settings import Settings, load_settings
from reconciler.desired.types import Desired
from reconciler.errors import Diagnostic, IdcError, InputError
from reconciler.plan.protect import check_protect
from reconciler.store.manifest import read_snapshot
from reconciler.store.snapshotter import STATE_DIR_NAME
from reconciler.store.state_dir import read_state_dir


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
    """Check idc.yaml and desired/ offline, without AWS access.

    Checks both against the schemas and against each other, and reports
    every problem as FILE:LINE:COL: MESSAGE (exit 1). A safety.protect
    pattern must name a kind and have the shape of its key; with a snapshot
    in state/, it must also match something in desired/ or that snapshot
    (`idc plan` checks it against AWS).

    \b
    Examples:
      idc validate
      idc --repo examples/multi-account validate --format json
    """
    try:
        desired = _check(app.repo)
    except InputError as exc:
        if fmt == "json":
            click.echo(json.dumps(_report(False, None, exc.diagnostics), indent=2))
        raise
    counts = summary(desired, len(desired_files(app.repo)))
    if fmt == "json":
        click.echo(json.dumps(_report(True, counts, desired.warnings), indent=2))
        return
    for warning in desired.warnings if not app.quiet else ():
        click.echo(app.hinted(str(warning)), err=True)
    parts = ", ".join(_count(n, k) for k, n in counts.items() if k != "files")
    click.echo(f"valid: {parts} in {_count(counts['files'], 'files')}")


def _check(repo: Path) -> Desired:
    """The desired state, or every problem of idc.yaml and desired/ in one
    InputError: a broken idc.yaml does not hide the problems of desired/
    (only the checks that need its settings are skipped)."""
    problems: list[Diagnostic] = []
    settings: Settings | None = None
    desired: Desired | None = None
    try:
        settings = load_settings(repo)
    except InputError as exc:
        problems.extend(exc.diagnostics)
    if settings is None and not (repo / DESIRED_DIR).is_dir():
        raise InputError(problems)  # not an idc repository: one message says so
    try:
        desired = load_desired(repo, settings)
    except InputError as exc:
        problems.extend(exc.diagnostics)
    if settings is not None:
        problems.extend(protect_problems(repo, settings, desired))
    if desired is None or any(d.severity == "error" for d in problems):
        raise InputError([*(desired.warnings if desired else ()), *problems])
    return desired


def protect_problems(
    repo: Path, settings: Settings, desired: Desired | None = None
) -> list[Diagnostic]:
    """safety.protect problems found offline: kind and shape, and (with
    desired state and a readable snapshot in state/) patterns matching nothing."""
    if not settings.safety.protect:
        return []
    files = read_state_dir(repo / STATE_DIR_NAME) if desired is not None else {}
    if not files:
        return check_protect(settings)
    try:
        snapshot, manifest = read_snapshot(files, STATE_DIR_NAME)
    except IdcError:  # a broken (or undecryptable) snapshot is for `idc history` to report
        return check_protect(settings)
    return check_protect(
        settings,
        desired,
        (snapshot,),
        searched=f"desired/ or the snapshot in {STATE_DIR_NAME}/ of {manifest.time}",
        hint="if it was created since, `idc snapshot` records it",
    )


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
