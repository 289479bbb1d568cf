"""`idc prune`: retention over exported backups and snapshot tags.

Formatting only: reconciler.store.prune decides and removes.
"""

from __future__ import annotations

import json

import click

from reconciler.cli.context import AppContext, pass_app
from reconciler.errors import IdcError
from reconciler.store.prune import PruneReport, prune
from reconciler.store.retention import KeepPolicy


@click.command("prune")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="DIR|s3://BUCKET/PREFIX",
    help="A backup target of `idc export --to` (repeatable).",
)
@click.option("--tags", metavar="GLOB", help="Snapshot tags to prune, e.g. 'nightly-*'.")
@click.option("--keep-last", type=click.IntRange(min=0), default=0, help="Keep the N newest.")
@click.option(
    "--keep-daily",
    type=click.IntRange(min=0),
    default=0,
    help="Keep the newest of each of the last D days.",
)
@click.option(
    "--keep-weekly",
    type=click.IntRange(min=0),
    default=0,
    help="Keep the newest of each of the last W ISO weeks.",
)
@click.option(
    "--keep-monthly",
    type=click.IntRange(min=0),
    default=0,
    help="Keep the newest of each of the last M months.",
)
@click.option(
    "--dry-run", is_flag=True, help="Show what would be kept and removed; remove nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the decisions as JSON on stdout.")
@pass_app
def command(
    app: AppContext,
    targets: tuple[str, ...],
    tags: str | None,
    keep_last: int,
    keep_daily: int,
    keep_weekly: int,
    keep_monthly: int,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Delete old backups by a retention policy.

    A backup is kept when any --keep rule keeps it (days, weeks and months
    in UTC; each rule keeps the newest backup of its period). Exported
    backups are dated by their folder name, snapshot tags by when their
    snapshot was read. Interrupted exports and folders idc did not write
    are left alone.

    prune never rewrites git history: it deletes tags, and every snapshot
    commit stays in the history of its branch. Push the deletions with
    `git push --delete origin TAG` if the tags were pushed.

    \b
    Examples:
      idc prune --target s3://my-backups/idc --keep-daily 7 --keep-weekly 4 --dry-run
      idc prune --tags 'nightly-*' --keep-last 10 --keep-monthly 12
    """
    policy = KeepPolicy(last=keep_last, daily=keep_daily, weekly=keep_weekly, monthly=keep_monthly)
    reports, warnings = prune(
        app.repo, policy, targets=targets, tags=tags, session=app.aws, dry_run=dry_run
    )
    if as_json:
        click.echo(
            json.dumps({"dry_run": dry_run, "sources": [r.to_json() for r in reports]}, indent=2)
        )
    else:
        for report in reports:
            _print(report, dry_run)
    for warning in warnings:
        app.say(f"warning: {warning}")
    failed = [r for r in reports if not r.ok]
    if failed:
        raise IdcError("; ".join(f"{r.source}: {r.error}" for r in failed))


def _print(report: PruneReport, dry_run: bool) -> None:
    gone = "would remove" if dry_run else "removed"
    kept = [d for d in report.decisions if d.keep]
    dropped = [d for d in report.decisions if not d.keep]
    click.echo(f"{report.source}: keep {len(kept)}, {gone} {len(dropped)}")
    for decision in report.decisions:
        if decision.keep:
            click.echo(f"  keep    {decision.candidate.name}  ({', '.join(decision.reasons)})")
        else:
            click.echo(f"  {'remove' if dry_run else 'removed':<8}{decision.candidate.name}")
    for name in report.left_alone:
        click.echo(f"  left    {name}  (not a complete idc backup)")
