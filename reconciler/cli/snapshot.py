"""`idc snapshot`: live Identity Center -> state/ -> a git commit.

Every check that needs no AWS (is this a git repo, is the index clean, is the
tag free) runs before the read, so a mistake costs no API calls; the read
completes in memory before state/ is touched, so a failed read leaves state/
and git exactly as they were.
"""

from __future__ import annotations

import time

import click

from reconciler.aws.call_report import format_call_stats
from reconciler.aws.reader import read_state
from reconciler.cli.context import AppContext, pass_app
from reconciler.cli.progress_bars import read_progress
from reconciler.desired.settings import SETTINGS_FILE, load_settings
from reconciler.model import State
from reconciler.store.snapshotter import SnapshotResult, Snapshotter


def _instance(app: AppContext) -> str:
    """idc.yaml's instance when the repo has settings; else the only instance."""
    if (app.repo / SETTINGS_FILE).is_file():
        return load_settings(app.repo).instance
    return "auto"


def _counts(state: State) -> str:
    return ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in state.counts().items())


def summary_line(result: SnapshotResult, state: State) -> str:
    """One line: what changed, and where it went."""
    changes = result.diff.summary()
    if result.commit:
        where = f"committed {result.commit[:12]}"
    elif result.written:
        where = "state/ written, not committed"
    elif result.diff.empty:
        where = "unchanged, nothing to commit"
    else:
        where = "state/ already up to date, not committed"
    tag = f", tagged {result.tag}" if result.tag else ""
    return f"snapshot: {changes} ({_counts(state)}); {where}{tag}"


@click.command()
@click.option(
    "-m", "--message", metavar="MSG", help="Commit subject (default: the change summary)."
)
@click.option("--no-commit", is_flag=True, help="Only write state/; do not commit.")
@click.option("--tag", metavar="NAME", help="Also create the annotated git tag NAME.")
@pass_app
def command(app: AppContext, message: str | None, no_commit: bool, tag: str | None) -> None:
    """Read live Identity Center into state/; commit if it changed.

    Writes canonical YAML in the format of desired/: an unchanged
    organization gives identical files and no commit. The commit message
    summarises the changes per kind; `idc history` browses the snapshots.

    \b
    Examples:
      idc snapshot -m "weekly snapshot"
      idc snapshot --tag before-migration
    """
    snapshotter = Snapshotter(app.repo, commit=not no_commit, tag=tag, keys=app.field_keys())
    instance = _instance(app)
    session = app.aws()
    started = time.monotonic()
    with read_progress(app) as progress:
        state = read_state(session, instance=instance, progress=progress)
    elapsed = time.monotonic() - started
    app.say(f"read {session.stats.total_calls} API calls in {elapsed:.1f}s")
    if app.verbose:
        app.err.print(format_call_stats(session.stats), markup=False, soft_wrap=True)
    result = snapshotter.record(state, message, metrics=session.stats.metrics())
    click.echo(summary_line(result, state))
    if app.field_keys().made_data_key:
        app.say(
            "encrypted fields: a new data key is kept wrapped in state/manifest.yaml; for "
            "plaintext `git diff` with the key: "
            'git config diff.idc.textconv "idc decrypt --textconv"'
        )
    if result.commit:
        app.say("next: `idc history list` lists the snapshots, `idc plan` compares with live")
