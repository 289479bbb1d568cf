"""`idc show PLAN`: a saved plan file rendered again, as `idc plan` showed it.

The plan file (`idc plan -o`) is the source of every rendering, as in
Terraform's `show`: a pipeline saves one plan, posts it as markdown for
review and applies exactly that file. The file is checked as `idc apply`
checks it (schema, digests, summary), so what is shown is what would run;
neither AWS nor the repository is read.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.apply.plan_check import load_plan
from reconciler.cli.context import AppContext, pass_app
from reconciler.render.formats import FORMAT_HELP, FORMATS, render_plan


@click.command()
@click.argument("plan_file", metavar="PLAN", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help=FORMAT_HELP,
)
@pass_app
def command(app: AppContext, plan_file: Path, fmt: str) -> None:
    """Render a plan file saved by `idc plan -o PLAN`.

    The file is checked as `idc apply PLAN` checks it first; a file edited
    since it was written is refused. Nothing is read from AWS.

    \b
    Examples:
      idc show plan.json
      idc show plan.json --format markdown > comment.md
    """
    plan = load_plan(plan_file)
    click.echo(render_plan(plan, fmt, color=app.color and app.out.is_terminal), nl=False)
