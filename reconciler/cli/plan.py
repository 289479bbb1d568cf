"""`idc plan`: desired state vs live Identity Center, as an ordered plan.

Reads idc.yaml and desired/, reads only the live kinds the plan needs, and
renders one Plan as text (terminal), markdown (pull-request comment) or JSON
(the plan file). `-o` also saves the plan file for `idc apply PLAN`. A plan
over safety.max_deletes is still rendered, so a pull-request comment shows
what it would delete, but not saved, and the command fails.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from reconciler.apply.plan_check import repository_digest
from reconciler.aws.reader import read_state
from reconciler.cli.context import AppContext, pass_app
from reconciler.desired.loader import load_desired
from reconciler.desired.settings import load_settings
from reconciler.fsutil import atomic_write_text
from reconciler.plan import Plan, TooManyDeletesError, build_plan
from reconciler.plan.reads import kinds_to_read
from reconciler.render.json import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text

CHANGES_PENDING = 2  # Terraform's -detailed-exitcode


@click.command()
@click.option(
    "-o",
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PLAN",
    help="Also save the JSON plan file here (atomically), for `idc apply PLAN`.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for terminals, markdown for a pull-request comment, json = the plan file.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when changes are pending (0: none, 1: error).",
)
@click.option(
    "--allow-deletes",
    is_flag=True,
    help="Allow more deletions than safety.max_deletes in idc.yaml.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Treat findings such as a filter matching no account as errors.",
)
@pass_app
def command(
    app: AppContext,
    out_file: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    allow_deletes: bool,
    strict: bool,
) -> None:
    """Show what apply would change to make AWS match desired/.

    Changes are listed with the reason each is needed, in the order apply
    runs them. A plan with more deletions than safety.max_deletes is shown,
    not saved, and fails (exit 1) unless --allow-deletes.

    \b
    Examples:
      idc plan -o plan.json --format markdown
      idc plan --detailed-exitcode
    """
    settings = load_settings(app.repo)
    desired = load_desired(app.repo, settings)  # bad input fails before any AWS call
    digest = repository_digest(app.repo)
    live = read_state(
        app.aws(),
        instance=settings.instance,
        kinds=kinds_to_read(desired, settings),
        stale=settings.manage.permission_sets,
    )
    try:
        plan = build_plan(desired, live, settings, allow_deletes=allow_deletes, strict=strict)
    except TooManyDeletesError as exc:  # shown for review, never saved
        click.echo(_render(app, replace(exc.plan, desired_digest=digest), fmt), nl=False)
        raise
    plan = replace(plan, desired_digest=digest)
    if out_file is not None:
        atomic_write_text(out_file, plan.dumps())
        app.say(f"saved the plan to {out_file}; apply it with `idc apply {out_file}`")
    click.echo(_render(app, plan, fmt), nl=False)
    if detailed_exitcode and not plan.empty:
        raise click.exceptions.Exit(CHANGES_PENDING)


def _render(app: AppContext, plan: Plan, fmt: str) -> str:
    if fmt == "json":
        return render_json(plan)
    if fmt == "markdown":
        return render_markdown(plan)
    color = app.color and app.out.is_terminal
    return render_text(plan, color=color)
