"""`idc accounts`: the live Organizations inventory and filter previews.

Before putting `accounts: "ou:/Root/Prod and not tag:tier=sandbox"` in a pull
request, a user wants to see exactly which accounts it selects, against the
same inventory and the same eligibility rules (idc.yaml `accounts:`) the plan
will use. A bad expression is shown with a caret under the offending column.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table

from reconciler.aws.reader import read_state
from reconciler.cli.context import AppContext, pass_app
from reconciler.desired.filters import (
    FilterError,
    Inventory,
    check,
    describe_left_out,
    expand,
    left_out,
    parse,
)
from reconciler.desired.filters.selection import Selector, select, selector_from
from reconciler.desired.settings import SETTINGS_FILE, Settings, load_settings
from reconciler.model.accounts import Account


def _settings(app: AppContext) -> Settings:
    """idc.yaml when the repo has one; previews also work outside a repo."""
    if (app.repo / SETTINGS_FILE).is_file():
        return load_settings(app.repo)
    return Settings()


def _row(account: Account, inventory: Inventory) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "status": account.status,
        "ou": account.ou_path,
        "tags": dict(account.tags),
        "excluded": inventory.excluded_reason(account.id) or None,
    }


def _table(rows: list[dict[str, Any]]) -> Table:
    """Accounts filters cannot select (suspended, management) are dimmed."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for title in ("ID", "NAME", "STATUS", "OU"):
        table.add_column(title, no_wrap=True)
    table.add_column("TAGS", overflow="fold")
    for row in rows:
        tags = ", ".join(f"{k}={v}" for k, v in row["tags"].items())
        style = "dim" if row["excluded"] else None
        table.add_row(row["id"], row["name"], row["status"], row["ou"], tags, style=style)
    return table


@click.command()
@click.option(
    "--filter",
    "expression",
    metavar="EXPR",
    help='Filter expression, e.g. "ou:/Root/Prod and not tag:tier=sandbox"; '
    "default: list every account.",
)
@click.option(
    "--ou-filter", metavar="PATH", help="OU path, recursive: Root/Prod or /Root/Prod (as assign)."
)
@click.option(
    "--account-pattern", metavar="REGEX", help="Account name regex, re.search (as assign)."
)
@click.option(
    "--accounts",
    "account_list",
    metavar="ID,ID",
    help="Explicit account ids (or names), separated by commas (as assign).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: {filter, count, accounts, left_out, warnings} on stdout.",
)
@click.option(
    "--include-suspended",
    is_flag=True,
    help="Let filters select suspended accounts (idc.yaml accounts.include_suspended).",
)
@click.option(
    "--include-management",
    is_flag=True,
    help="Let filters select the management account (idc.yaml accounts.include_management).",
)
@pass_app
def command(
    app: AppContext,
    expression: str | None,
    ou_filter: str | None,
    account_pattern: str | None,
    account_list: str | None,
    fmt: str,
    include_suspended: bool,
    include_management: bool,
) -> None:
    """List the accounts, or preview which ones a filter selects.

    Filters: *, ACCOUNT_ID, name:GLOB, name~REGEX, tag:KEY=GLOB, tag:KEY,
    ou:/Root/PATH, ou:OU_ID, combined with and, or, not and parentheses.
    Quote values holding spaces or parentheses: tag:"cost center"="R&D".
    In OU paths a / inside an OU name is written %2F (and % as %25):
    ou:/Root/Prod%2FLegacy is the OU named "Prod/Legacy".

    --ou-filter, --account-pattern and --accounts select exactly as they do
    for `idc assign` and `idc revoke`, so the preview is what those would do.

    \b
    Examples:
      idc accounts --filter 'ou:/Root/Prod and not tag:tier=sandbox'
      idc accounts --ou-filter Root/Prod
      idc --sim accounts --format json
    """
    selector = None
    if (ou_filter, account_pattern, account_list) != (None, None, None):
        # assign's selectors (and its one-selector rule, --filter included);
        # malformed input fails here, before any AWS call
        selector = selector_from(
            None, expression, ou_filter, account_pattern, account_list, required=False
        )
    elif expression is not None:
        _parse_or_exit(expression)  # fail before any AWS call
    settings = _settings(app)
    state = read_state(app.aws(), instance=settings.instance, kinds=frozenset({"account"}))
    inventory = Inventory.from_state(
        state,
        include_suspended=include_suspended or settings.accounts.include_suspended,
        include_management=include_management or settings.accounts.include_management,
    )
    warnings: list[str] = []
    dropped: dict[str, frozenset[str]] = {}
    if selector is not None:
        expression = selector.describe()  # json `filter` and the summary name it
        selected, warnings, dropped = _selected(selector, inventory)
    elif expression is None:
        selected = list(inventory.accounts)
    else:
        try:
            selected = sorted(expand(expression, inventory))
        except FilterError as exc:
            _fail(exc.with_text(expression))
        warnings = [str(issue) for issue in check(expression, inventory)]
        dropped = left_out(expression, inventory)
    accounts = sorted(
        (inventory.accounts[i] for i in selected), key=lambda a: (a.ou_path, a.name, a.id)
    )
    rows = [_row(account, inventory) for account in accounts]
    if fmt == "json":
        document = {"filter": expression, "count": len(rows), "accounts": rows}
        left = {reason: sorted(ids) for reason, ids in dropped.items()}
        click.echo(json.dumps({**document, "left_out": left, "warnings": warnings}, indent=2))
        return
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if rows:
        console = app.out
        if not console.is_terminal:  # piped or captured: never wrap a row
            console.width = 1000
        console.print(_table(rows))
    shown = expression if selector or expression is None else str(parse(expression))
    click.echo(_summary(rows, shown, dropped))


def _selected(
    selector: Selector, inventory: Inventory
) -> tuple[list[str], list[str], dict[str, frozenset[str]]]:
    """The ids, warnings and left-out accounts of one of assign's selectors;
    IdcError ("no accounts match ...") exactly where assign would stop."""
    selection = select(selector, inventory)
    dropped = left_out(selector.expression, inventory) if selector.expression else {}
    return sorted(selection.ids), list(selection.warnings), dropped


def _summary(
    rows: list[dict[str, Any]], shown: str | None, dropped: dict[str, frozenset[str]]
) -> str:
    noun = "account" if len(rows) == 1 else "accounts"
    if shown is not None:
        verb = "matches" if len(rows) == 1 else "match"
        left = "".join(f"; {phrase}" for phrase in describe_left_out(dropped, flags=True))
        return f"{len(rows)} {noun} {verb} {shown!r}{left}"
    excluded = [f"{r['id']} ({r['excluded']})" for r in rows if r["excluded"]]
    if not excluded:
        return f"{len(rows)} {noun}"
    return f"{len(rows)} {noun}; filters skip these unless named by id: {', '.join(excluded)}"


def _parse_or_exit(expression: str) -> None:
    try:
        parse(expression)
    except FilterError as exc:
        _fail(exc)


def _fail(exc: FilterError) -> None:
    click.echo(f"error: {exc}", err=True)
    raise click.exceptions.Exit(1)
