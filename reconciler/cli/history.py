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

from reconciler.cli.context import AppContext, pass_app
from reconciler.desired.yaml_io import dump_yaml
from reconciler.model import State, codec
from reconciler.plan.wording import ARROW
from reconciler.render.state_diff import state_diff_lines
from reconciler.store.history import History, HistoryEntry
from reconciler.store.manifest import verify_snapshot
from reconciler.store.runs import load_runs, success_rates
from reconciler.store.semantic_diff import DIFF_KINDS, diff_states

COUNT_KINDS = ("users", "groups", "memberships", "permission_sets", "assignments", "accounts")


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


def _list_options(f: Any) -> Any:
    """`list`'s options, also accepted by `idc history` itself (list is the default)."""
    f = _format_option("text", "json")(f)
    return click.option("-n", "--max-count", type=click.IntRange(min=1), help="Only the newest N.")(
        f
    )


@click.group(invoke_without_command=True)
@_list_options
@click.pass_context
def command(ctx: click.Context, max_count: int | None, fmt: str) -> None:
    """Browse snapshots: list (default), show, diff, verify, stats.

    REV is any git revision (HEAD~2, a tag, a sha). Where REV is optional it
    defaults to the working tree's state/ (else HEAD). `idc history -n 5`
    is `idc history list -n 5`.

    \b
    Examples:
      idc history -n 5
      idc history diff HEAD~1 --kind assignments
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command, max_count=max_count, fmt=fmt)
    elif max_count is not None or fmt != "text":
        raise click.UsageError(
            f"-n/--format before `{ctx.invoked_subcommand}` belong to `list`; "
            f"put them after it: idc history {ctx.invoked_subcommand} ... --format ..."
        )


# --- list / stats -------------------------------------------------------------


@command.command("list")
@_list_options
@pass_app
def list_command(app: AppContext, max_count: int | None, fmt: str) -> None:
    """Snapshot commits, newest first: revision, time, counts, summary.

    \b
    Examples:
      idc history list -n 10
      idc history list --format json
    """
    entries = History(app.repo, app.field_keys()).entries(max_count)
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
    """Counts per kind over time, each run's cost, and CI success rates.

    One row per snapshot commit, oldest first: the counts, then the API
    calls, throttled attempts and seconds of the run that read it; then the
    trends, and the success rate of each job recorded in journal/runs.jsonl
    by the workflows (`idc ci record-run`).

    \b
    Examples:
      idc history stats
      idc history stats --format json
    """
    entries = [e for e in reversed(History(app.repo, app.field_keys()).entries()) if e.counts]
    trend = _trend(entries)
    runs = success_rates(load_runs(app.repo))
    if fmt == "json":
        series = [
            {"rev": e.rev, "time": e.time, "counts": e.counts, "metrics": e.metrics}
            for e in entries
        ]
        _echo_json({"snapshots": len(entries), "series": series, "trend": trend, "runs": runs})
        return
    _print_runs(app, runs)
    if not entries:
        app.say("no snapshots committed yet (run `idc snapshot`)")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    kinds = [k.upper().replace("_", " ") for k in COUNT_KINDS]
    for title in ("TIME", "REV", *kinds, "CALLS", "THROTTLED", "SECONDS"):
        table.add_column(title, no_wrap=True, justify="left")
    for entry in entries:
        run = entry.metrics
        calls = sum(run.get("api_calls", {}).values()) if run else ""
        cost = [str(calls), str(run.get("throttled", "")), str(run.get("seconds", ""))]
        table.add_row(
            entry.time, entry.rev, *[str(entry.counts.get(k, "")) for k in COUNT_KINDS], *cost
        )
    _print_table(app, table)
    console = _console(app)
    for kind, t in trend.items():
        console.print(
            f"{kind}: {t['first']} → {t['last']} ({t['change']:+d}), "
            f"min {t['min']}, max {t['max']}",
            markup=False,
        )


def _print_runs(app: AppContext, runs: dict[str, dict[str, Any]]) -> None:
    if not runs:
        return
    console = _console(app)
    for job, r in sorted(runs.items()):
        console.print(
            f"{job} runs: {r['succeeded']} of {r['runs']} succeeded ({r['rate']:.0%}), "
            f"{r['mean_seconds']} s on average; last {r['last']['result']} at {r['last']['time']}",
            markup=False,
        )


def _run_cost(entry: HistoryEntry) -> dict[str, int]:
    """The metrics of the run that read a snapshot, as trend series."""
    run = entry.metrics or {}
    cost = {"api calls": sum(run.get("api_calls", {}).values())} if run.get("api_calls") else {}
    if "seconds" in run:
        cost["seconds"] = round(run["seconds"])
    return cost


def _trend(entries: list[HistoryEntry]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    costs = [_run_cost(e) for e in entries]
    for kind in (*COUNT_KINDS, "api calls", "seconds"):
        values = [e.counts[kind] for e in entries if kind in e.counts] or [
            c[kind] for c in costs if kind in c
        ]
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


def state_documents(state: State, kinds: tuple[str, ...] = ()) -> dict[str, Any]:
    """The state as snapshot-format documents, all kinds or only `kinds`."""
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
    if kinds:
        return {k: docs[k] for k in DIFF_KINDS if k in kinds}
    del docs["memberships"]  # already in groups' members
    return docs


@command.command("show")
@click.argument("rev", required=False)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(DIFF_KINDS),
    metavar="KIND",
    help=f"Only this kind (repeat for more): {', '.join(DIFF_KINDS)}.",
)
@_format_option("yaml", "json")
@pass_app
def show_command(app: AppContext, rev: str | None, kinds: tuple[str, ...], fmt: str) -> None:
    """The state at REV as YAML (the snapshot format) or JSON.

    \b
    Examples:
      idc history show HEAD~1 --kind permission_sets
      idc history show v1 --kind users --kind groups --format json
    """
    snapshot = History(app.repo, app.field_keys(), app.backups().snapshot).snapshot(rev)
    state, manifest = snapshot.read()
    docs = state_documents(state, kinds)
    if fmt == "json":
        _echo_json({"rev": snapshot.label, "time": manifest.time, **docs})
        return
    click.echo(dump_yaml(docs, f"# {snapshot.label}, read {manifest.time}"), nl=False)


# --- diff -----------------------------------------------------------------------


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
    listed by kind and key. Either may be an exported backup (its folder or
    s3:// URL), verified before it is compared.

    \b
    Examples:
      idc history diff HEAD~1
      idc history diff v1 v2 --kind assignments --format json
      idc history diff HEAD s3://my-backups/idc/20261203T061500Z-1a2b3c4d5e6f
    """
    history = History(app.repo, app.field_keys(), app.backups().snapshot)
    old, new = history.snapshot(rev), history.snapshot(other)
    diff = diff_states(old.read()[0], new.read()[0], kinds or DIFF_KINDS)
    if fmt == "json":
        _echo_json({"from": old.label, "to": new.label, **diff.to_json()})
        return
    console = _console(app)
    console.print(f"{old.label} {ARROW} {new.label}: {diff.summary()}", markup=False)
    for line in state_diff_lines(diff):
        console.print(line)


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
    snapshot = History(app.repo, app.field_keys()).snapshot(rev)
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
