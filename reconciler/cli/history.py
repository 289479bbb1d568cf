"""`idc history`: git history as the version browser of Identity Center.

`list` and `stats` read only manifests; `show`, `diff` and `verify` read whole
snapshots straight from git objects (no checkout, the working tree is never
touched). Text goes to a terminal; `--format json` gives the same facts to
scripts on stdout.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from reconciler.cli.context import AppContext, pass_app
from reconciler.desired.yaml_io import dump_yaml
from reconciler.model import State, codec
from reconciler.store.history import History, HistoryEntry
from reconciler.store.manifest import verify_snapshot
from reconciler.store.semantic_diff import DIFF_KINDS, SIGN, KeyChange, StateDiff, diff_states

COUNT_KINDS = ("users", "groups", "memberships", "permission_sets", "assignments", "accounts")
_STYLE = {"added": "green", "removed": "red", "changed": "yellow"}


def _format_option(*choices: str) -> Any:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format; json is for scripts.",
    )


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False))


def _console(app: AppContext) -> Console:
    console = app.out
    if not console.is_terminal:  # piped or captured: never wrap a line
        console.width = 1000
    return console


def _print_table(app: AppContext, table: Table) -> None:
    """A table without the trailing padding rich adds to fill the width."""
    console = _console(app)
    with console.capture() as captured:
        console.print(table)
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


@click.group(invoke_without_command=True)
@click.pass_context
def command(ctx: click.Context) -> None:
    """Browse snapshots: list (default), show, diff, verify, stats.

    REV is any git revision (HEAD~2, a tag, a sha). Where REV is optional it
    defaults to the working tree's state/ (else HEAD).

    \b
    Examples:
      idc history
      idc history diff HEAD~1 --kind assignments
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command)


# --- list / stats -------------------------------------------------------------


@command.command("list")
@click.option("-n", "--max-count", type=click.IntRange(min=1), help="Only the newest N.")
@_format_option("text", "json")
@pass_app
def list_command(app: AppContext, max_count: int | None, fmt: str) -> None:
    """Snapshot commits, newest first: revision, time, counts, summary.

    \b
    Examples:
      idc history list -n 10
      idc history list --format json
    """
    entries = History(app.repo).entries(max_count)
    if fmt == "json":
        _echo_json([e.to_json() for e in entries])
        return
    if not entries:
        app.say("no snapshots committed yet (run `idc snapshot`)")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for title in ("REV", "TIME", *[k.upper().replace("_", " ") for k in COUNT_KINDS], "SUMMARY"):
        table.add_column(title, no_wrap=title != "SUMMARY")
    for entry in entries:
        rev = entry.rev + (f" ({', '.join(entry.tags)})" if entry.tags else "")
        counts = [str(entry.counts.get(k, "?")) for k in COUNT_KINDS]
        table.add_row(rev, entry.time, *counts, entry.summary)
    _print_table(app, table)


@command.command("stats")
@_format_option("text", "json")
@pass_app
def stats_command(app: AppContext, fmt: str) -> None:
    """Counts per kind over time, with the net change.

    One row per snapshot commit, oldest first.

    \b
    Examples:
      idc history stats
      idc history stats --format json
    """
    entries = [e for e in reversed(History(app.repo).entries()) if e.counts]
    trend = _trend(entries)
    if fmt == "json":
        series = [{"rev": e.rev, "time": e.time, "counts": e.counts} for e in entries]
        _echo_json({"snapshots": len(entries), "series": series, "trend": trend})
        return
    if not entries:
        app.say("no snapshots committed yet (run `idc snapshot`)")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for title in ("TIME", "REV", *[k.upper().replace("_", " ") for k in COUNT_KINDS]):
        table.add_column(title, no_wrap=True, justify="left")
    for entry in entries:
        table.add_row(entry.time, entry.rev, *[str(entry.counts.get(k, "")) for k in COUNT_KINDS])
    _print_table(app, table)
    console = _console(app)
    for kind, t in trend.items():
        console.print(
            f"{kind}: {t['first']} → {t['last']} ({t['change']:+d}), "
            f"min {t['min']}, max {t['max']}",
            markup=False,
        )


def _trend(entries: list[HistoryEntry]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for kind in COUNT_KINDS:
        values = [e.counts[kind] for e in entries if kind in e.counts]
        if values:
            out[kind] = {
                "first": values[0],
                "last": values[-1],
                "change": values[-1] - values[0],
                "min": min(values),
                "max": max(values),
            }
    return out


# --- show -----------------------------------------------------------------------


def state_documents(state: State, kind: str | None = None) -> dict[str, Any]:
    """The state as snapshot-format documents, all kinds or one."""
    members: dict[str, list[str]] = {}
    for m in state.sorted_memberships():
        members.setdefault(m.group, []).append(m.user)
    docs: dict[str, Any] = {
        "users": [codec.user_to_doc(u) for u in state.sorted_users()],
        "groups": [codec.group_to_doc(g, members.get(g.name, ())) for g in state.sorted_groups()],
        "memberships": [{"group": m.group, "user": m.user} for m in state.sorted_memberships()],
        "permission_sets": [codec.permission_set_to_doc(p) for p in state.sorted_permission_sets()],
        "assignments": codec.assignment_rules(state.assignments),
        "accounts": [codec.account_to_doc(a) for a in state.sorted_accounts()],
        "org_units": [
            codec.org_unit_to_doc(o) for o in sorted(state.org_units.values(), key=lambda o: o.path)
        ],
    }
    if kind is not None:
        return {kind: docs[kind]}
    del docs["memberships"]  # already in groups' members
    return docs


@command.command("show")
@click.argument("rev", required=False)
@click.option(
    "--kind",
    type=click.Choice(DIFF_KINDS),
    metavar="KIND",
    help=f"Only this kind: {', '.join(DIFF_KINDS)}.",
)
@_format_option("yaml", "json")
@pass_app
def show_command(app: AppContext, rev: str | None, kind: str | None, fmt: str) -> None:
    """The state at REV as YAML (the snapshot format) or JSON.

    \b
    Examples:
      idc history show HEAD~1 --kind permission_sets
      idc history show v1 --format json
    """
    snapshot = History(app.repo).snapshot(rev)
    state, manifest = snapshot.read()
    docs = state_documents(state, kind)
    if fmt == "json":
        _echo_json({"rev": snapshot.label, "time": manifest.time, **docs})
        return
    click.echo(dump_yaml(docs, f"# {snapshot.label}, read {manifest.time}"), nl=False)


# --- diff -----------------------------------------------------------------------


def _value(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)


def diff_lines(diff: StateDiff) -> list[tuple[str, str | None]]:
    """(line, style) pairs: per kind, each key, attribute changes under it."""
    lines: list[tuple[str, str | None]] = []
    for kind in diff.counts():
        lines.append(("", None))
        lines.append((kind, "bold"))
        for change in diff.of_kind(kind):
            lines.append((f"  {SIGN[change.action]} {change.key}", _STYLE[change.action]))
            lines += [(f"      {line}", None) for line in _attribute_lines(change)]
    return lines


def _attribute_lines(change: KeyChange) -> list[str]:
    out = []
    for attr in change.attributes:
        if attr.before is None:
            out.append(f"{attr.path}: + {_value(attr.after)}")
        elif attr.after is None:
            out.append(f"{attr.path}: − {_value(attr.before)}")
        else:
            out.append(f"{attr.path}: {_value(attr.before)} → {_value(attr.after)}")
    return out


@command.command("diff")
@click.argument("rev")
@click.argument("other", required=False)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(DIFF_KINDS),
    metavar="KIND",
    help=f"Only this kind (repeatable): {', '.join(DIFF_KINDS)}.",
)
@_format_option("text", "json")
@pass_app
def diff_command(
    app: AppContext, rev: str, other: str | None, kinds: tuple[str, ...], fmt: str
) -> None:
    """What changed from REV to OTHER, down to the attribute.

    OTHER defaults to the working tree's state/ (else HEAD); changes are
    listed by kind and key.

    \b
    Examples:
      idc history diff HEAD~1
      idc history diff v1 v2 --kind assignments --format json
    """
    history = History(app.repo)
    old, new = history.snapshot(rev), history.snapshot(other)
    diff = diff_states(old.read()[0], new.read()[0], kinds or DIFF_KINDS)
    if fmt == "json":
        _echo_json({"from": old.label, "to": new.label, **diff.to_json()})
        return
    console = _console(app)
    console.print(f"{old.label} → {new.label}: {diff.summary()}", markup=False)
    for line, style in diff_lines(diff):
        console.print(Text(line, style=style or ""))


# --- verify ---------------------------------------------------------------------


@command.command("verify")
@click.argument("rev", required=False)
@_format_option("text", "json")
@pass_app
def verify_command(app: AppContext, rev: str | None, fmt: str) -> None:
    """Check a snapshot's files against the sha256 in its manifest.

    Finds edited, corrupted, missing and unlisted files (exit 1).

    \b
    Examples:
      idc history verify
      idc history verify HEAD~3 --format json
    """
    snapshot = History(app.repo).snapshot(rev)
    problems = verify_snapshot(snapshot.files, snapshot.origin)
    checked = len(snapshot.files) - 1
    if fmt == "json":
        _echo_json(
            {
                "rev": snapshot.label,
                "ok": not problems,
                "files": checked,
                "problems": [{"path": p.path, "problem": p.problem} for p in problems],
            }
        )
        if problems:
            raise click.exceptions.Exit(1)
        return
    if problems:
        noun = "file does" if len(problems) == 1 else "files do"
        click.echo(
            f"error: {snapshot.label}: {len(problems)} {noun} not match the manifest "
            "(edited by hand or corrupted; `idc snapshot` writes a fresh one):",
            err=True,
        )
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"{snapshot.label}: ok, {checked} files match the manifest")
