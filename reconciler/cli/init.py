"""`idc init`: scaffold a GitOps repository; `--from-live` adopts an organization."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.context import AppContext, pass_app


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--from-live", is_flag=True, help="Write desired/ from the live organization.")
@click.option(
    "--scim",
    is_flag=True,
    help="Users, groups and memberships come from an IdP (SCIM): do not manage them.",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@pass_app
def command(
    app: AppContext, directory: Path | None, from_live: bool, scim: bool, force: bool
) -> None:
    """Scaffold a GitOps repo (idc.yaml, desired/, workflows).

    \b
    Examples:
      idc init
      idc --sim init --from-live
    """
    from reconciler.store.scaffold import adopt, scaffold

    if directory is None and app.repo_found:  # init the current directory, not a parent repo
        directory = Path(".")
    repo = directory or app.repo
    written = scaffold(repo, scim=scim, force=force)
    if from_live:
        from reconciler.aws.reader import read_state

        if directory is not None:
            app.repo = directory
        state = read_state(app.aws())
        written += adopt(repo, state, scim=scim, force=force)
        app.say(
            f"adopted {len(state.users)} users, {len(state.groups)} groups, "
            f"{len(state.permission_sets)} permission sets, "
            f"{len(state.assignments)} assignments into {repo / 'desired'}"
        )
    for path in written:
        app.say(f"  wrote {path.relative_to(repo) if path.is_relative_to(repo) else path}")
    app.say(f"initialised {repo}; next: `idc validate`, `idc snapshot`, `idc plan`")
