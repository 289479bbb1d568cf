"""`idc journal list`: the applies, rollbacks and resumes of this repository.

The CLI only formats reconciler.store.journals: one row per journal, newest
first, with its status, what became of its operations, and what rolled back
or resumed what. `--format json` gives the same facts to scripts.
"""

from __future__ import annotations

import json

import click
from rich.table import Table

from reconciler.cli.context import AppContext, pass_app
from reconciler.cli.history import _print_table
from reconciler.store.journals import JournalEntry, list_journals


@click.group(invoke_without_command=True)
@click.pass_context
def command(ctx: click.Context) -> None:
    """The apply journals in journal/: list (default).

    \b
    Examples:
      idc journal list
      idc journal list --format json
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command, fmt="text")


@command.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format; json is for scripts.",
)
@pass_app
def list_command(app: AppContext, fmt: str) -> None:
    """Applies, rollbacks and resumes, newest first.

    For each journal: its time, kind, status (succeeded, failed,
    interrupted, in progress), what became of its operations, and what
    rolled back or resumed what.

    \b
    Examples:
      idc journal list
      idc rollback --last --dry-run
    """
    listing = list_journals(app.repo)
    if fmt == "json":
        entries = [e.to_json() for e in listing.entries]
        click.echo(json.dumps({"journals": entries, "skipped": list(listing.skipped)}, indent=2))
        return
    if listing.skipped:
        names = ", ".join(listing.skipped)
        app.say(f"note: skipped {len(listing.skipped)} file(s) that are not journals: {names}")
    if not listing.entries:
        app.say("no journals yet (`idc apply` writes one per run into journal/)")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for title in ("JOURNAL", "TIME", "KIND", "STATUS", "OPS", "RELATED"):
        table.add_column(title, no_wrap=title != "RELATED")
    for entry in listing.entries:
        table.add_row(
            entry.name, entry.time, entry.kind, entry.status, _ops(entry), _related(entry)
        )
    _print_table(app, table)


def _ops(entry: JournalEntry) -> str:
    """`10 (10 done)`, `6 (4 done, 1 failed, 1 not run)`."""
    fates = ", ".join(f"{n} {fate}" for fate, n in entry.fates.items())
    return f"{entry.ops} ({fates})" if fates else str(entry.ops)


def _related(entry: JournalEntry) -> str:
    parts = []
    if entry.parent:
        verb = "rolls back" if entry.kind == "rollback" else "resumes"
        parts.append(f"{verb} {entry.parent}")
    if entry.resumed_by:
        parts.append(f"resumed by {', '.join(entry.resumed_by)}")
    if entry.rolled_back_by:
        parts.append(f"rolled back by {', '.join(entry.rolled_back_by)}")
    return "; ".join(parts)
