"""`idc init`: scaffold a GitOps repository; `--from-live` adopts an organization.

It says what it wrote and what it kept, so re-running it (to add what is
missing after an upgrade) is safe and readable, and ends with the next
commands to run, spelled with this run's global options.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.cli.context import AppContext, pass_app

if TYPE_CHECKING:
    from reconciler.model import State


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--from-live", is_flag=True, help="Write desired/ from the live organization.")
@click.option(
    "--scim",
    is_flag=True,
    help="Users, groups and memberships come from an IdP (SCIM): do not manage them.",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--standalone",
    is_flag=True,
    help="Write workflows holding every step, instead of calling idc's reusable ones.",
)
@click.option(
    "--workflows-from",
    metavar="OWNER/REPO@REF",
    callback=lambda _ctx, _param, value: _workflow_source(value),
    help="The reusable workflows to call (default: idc's, at this release's tag).",
)
@pass_app
def command(
    app: AppContext,
    directory: Path | None,
    from_live: bool,
    scim: bool,
    force: bool,
    standalone: bool,
    workflows_from: str | None,
) -> None:
    """Scaffold a GitOps repo (idc.yaml, desired/, workflows).

    Inside an existing git repository, DIRECTORY becomes a folder of it (no
    nested .git) and the workflows go to its .github/workflows, set to run
    in DIRECTORY. Existing files are kept unless --force; a .gitignore gets
    only the entries it lacks.

    The workflows call idc's reusable workflows at a pinned ref (upgrading
    is changing it); --standalone writes every step into them instead. Both
    install idc from the repository variable IDC_PIP_SPEC when set (a pip
    requirement), else this release.

    \b
    Examples:
      idc init
      idc --sim init --from-live
      idc init --standalone
    """
    from reconciler.store.scaffold import (
        TEXTCONV_CONFIG,
        WORKFLOWS_SOURCE,
        adopt,
        remove_untouched_starter,
        scaffold,
    )

    if standalone and workflows_from:
        raise click.UsageError("--standalone writes every step; it calls no --workflows-from")
    source = None if standalone else workflows_from or WORKFLOWS_SOURCE

    if directory is None and app.repo_found:  # init the current directory, not a parent repo
        directory = Path(".")
    if directory is not None:
        app.repo = directory  # the hints below, and --from-live's simulator, use it
    repo = app.repo
    done = scaffold(repo, scim=scim, force=force, starter=not from_live, workflows_from=source)
    written = list(done.written)
    if from_live:
        from reconciler.aws.reader import read_state

        state = read_state(app.aws())
        adopted = adopt(repo, state, scim=scim, force=force)
        written += adopted
        removed = remove_untouched_starter(repo)
        app.say(f"adopted into {repo / 'desired'}: {_adopted(state, scim)}")
        if removed is not None:
            app.say(f"  removed {_shown(removed, repo)} (the starter file; desired/ has files now)")
    if done.created_git:
        app.say(f"  created a git repository in {repo}")
    elif done.git_root != repo.resolve():
        app.say(f"  using the git repository at {done.git_root}; workflows run in {repo}")
    for path in written:
        app.say(f"  wrote {_shown(path, repo)}")
    if done.ignored:
        app.say(f"  appended {', '.join(done.ignored)} to {_shown(repo / '.gitignore', repo)}")
    if done.attributes_appended:
        app.say(f"  appended the idc diff driver to {_shown(repo / '.gitattributes', repo)}")
    if _encrypts_fields(repo):
        app.say(
            f"  encrypted fields: for plaintext `git diff` with the key, run `{TEXTCONV_CONFIG}`"
        )
    if done.kept:
        kept = ", ".join(_shown(path, repo) for path in done.kept)
        app.say(f"  kept {kept} (they exist; --force overwrites them)")
    app.say(f"initialised {repo}; next: `idc validate`, `idc snapshot`, `idc plan`")


def _workflow_source(value: str | None) -> str | None:
    """`owner/repo@ref`, as GitHub's `uses:` takes a workflow of another repository."""
    if value is not None and not re.fullmatch(r"[\w.-]+/[\w.-]+@[\w./-]+", value):
        raise click.BadParameter(
            f"{value!r} is not OWNER/REPO@REF (e.g. my-org/idc@v0.1.0)",
            param_hint="'--workflows-from'",
        )
    return value


def _encrypts_fields(repo: Path) -> bool:
    """Whether idc.yaml (kept from an earlier init) lists encryption.fields."""
    from reconciler.desired.settings import load_settings
    from reconciler.errors import IdcError

    try:
        return bool(load_settings(repo).encryption_fields)
    except IdcError:
        return False  # `idc validate` reports a bad idc.yaml


def _adopted(state: State, scim: bool) -> str:
    """What adoption wrote, by kind: with --scim, identities are not written."""
    parts = (
        []
        if scim
        else [
            f"{len(state.users)} users",
            f"{len(state.groups)} groups",
            f"{len(state.memberships)} memberships",
        ]
    )
    parts += [
        f"{len(state.permission_sets)} permission sets",
        f"{len(state.assignments)} assignments",
    ]
    skipped = " (users, groups and memberships are the IdP's: not written)" if scim else ""
    return ", ".join(parts) + skipped


def _shown(path: Path, repo: Path) -> str:
    """A path as the user can find it: relative to the repository when inside it."""
    resolved, root = path.resolve(), repo.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)
