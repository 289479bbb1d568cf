"""`idc plan`: desired state vs live Identity Center, as an ordered plan.

Reads idc.yaml and desired/, reads only the live kinds the plan needs, and
renders one Plan as text (terminal), markdown (pull-request comment) or JSON
(the plan file), and records where it was made (instance, region, the
commit of desired/) for readers of the plan alone. `-o` also saves the plan
file for `idc apply PLAN`; `idc show PLAN` renders it again. `--only` keeps
the changes of some kinds (the vocabulary of `restore --only`). A plan
over safety.max_deletes is still rendered, so a pull-request comment shows
what it would delete, but not saved, and the command fails.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from reconciler.apply.plan_check import check_instance, load_plan, repository_digest
from reconciler.aws.reader import read_state
from reconciler.cli.context import AppContext, pass_app
from reconciler.desired.loader import load_desired
from reconciler.desired.settings import load_settings
from reconciler.errors import IdcError
from reconciler.fsutil import atomic_write_text
from reconciler.plan import Plan, TooManyDeletesError, build_plan
from reconciler.plan.compare import compare_plans
from reconciler.plan.only import only_kinds
from reconciler.plan.reads import kinds_to_read
from reconciler.render.formats import FORMAT_HELP, FORMATS, render_plan
from reconciler.render.grouping import summary_line
from reconciler.render.plan_compare import comparison_lines
from reconciler.store.git_repo import head_commit, knows_commit
from reconciler.store.restore import RESTORABLE_KINDS, parse_kinds
from reconciler.store.textconv import desired_opener

CHANGES_PENDING = 2  # Terraform's -detailed-exitcode
NO_LONGER_HOLDS = 3  # --against: the reviewed plan is not what would be applied now


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
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help=FORMAT_HELP,
)
@click.option(
    "--only",
    metavar="KINDS",
    help=f"Plan only these kinds, comma-separated: {', '.join(RESTORABLE_KINDS)}.",
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
@click.option(
    "--against",
    "against",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PLAN",
    help="Compare with this reviewed plan file: exit 0 when a fresh plan has exactly its "
    "changes, 3 (with the differences) when not.",
)
@pass_app
def command(
    app: AppContext,
    out_file: Path | None,
    against: Path | None,
    fmt: str,
    only: str | None,
    detailed_exitcode: bool,
    allow_deletes: bool,
    strict: bool,
) -> None:
    """Show what apply would change to make AWS match desired/.

    Changes are listed with the reason each is needed, in the order apply
    runs them. A plan with more deletions than safety.max_deletes is shown,
    not saved, and fails (exit 1) unless --allow-deletes.

    With --against, the fresh plan is compared with a reviewed plan file
    (the pull request's): refused when that file is missing, corrupt, or was
    made in another repository or against another instance; otherwise the
    comparison is printed instead of the plan (exit 0 or 3).

    \b
    Examples:
      idc plan -o plan.json --format markdown
      idc plan --detailed-exitcode
      idc plan --against reviewed/plan.json -o plan.json
    """
    reviewed = None if against is None else _reviewed(app, against)
    kinds = None if only is None else only_kinds(parse_kinds(only))
    settings = load_settings(app.repo)
    # bad input fails before any AWS call; values copied from an encrypted snapshot open
    desired = load_desired(app.repo, settings, open_value=desired_opener(app.field_keys()))
    digest, commit = repository_digest(app.repo), head_commit(app.repo)
    live = read_state(
        app.aws(),
        instance=settings.instance,
        kinds=kinds_to_read(desired, settings),
        stale=settings.manage.permission_sets,
    )
    if reviewed is not None and against is not None:
        check_instance(reviewed, live, against, doing="this repository plans against")
    try:
        plan = build_plan(
            desired, live, settings, allow_deletes=allow_deletes, strict=strict, only=kinds
        )
    except TooManyDeletesError as exc:  # shown for review, never saved
        click.echo(
            _render(app, replace(exc.plan, desired_digest=digest, desired_commit=commit), fmt),
            nl=False,
        )
        raise
    plan = replace(plan, desired_digest=digest, desired_commit=commit)
    if out_file is not None:
        try:
            atomic_write_text(out_file, plan.dumps())
        except OSError as exc:  # a path the user typed: say so, not "unexpected"
            raise IdcError(f"cannot save the plan to {out_file}: {exc.strerror or exc}") from None
        app.say(f"saved the plan to {out_file}; apply it with `idc apply {out_file}`")
    if reviewed is not None:
        _compare(reviewed, plan)
        return
    click.echo(_render(app, plan, fmt), nl=False)
    if detailed_exitcode and not plan.empty:
        app.drift = f"live state differs from desired/: {summary_line(plan)}"
        raise click.exceptions.Exit(CHANGES_PENDING)


def _render(app: AppContext, plan: Plan, fmt: str) -> str:
    return render_plan(plan, fmt, color=app.color and app.out.is_terminal)


def _reviewed(app: AppContext, path: Path) -> Plan:
    """The reviewed plan file, refused with the reason when it cannot be
    the plan of this repository: unreadable, corrupt, or from elsewhere."""
    if not path.is_file():
        raise IdcError(
            f"no reviewed plan at {path}: the pull request's plan job saves it "
            "(`idc plan -o plan.json`); nothing to compare with, nothing was changed"
        )
    reviewed = load_plan(path)
    if reviewed.desired_commit and knows_commit(app.repo, reviewed.desired_commit) is False:
        raise IdcError(
            f"plan {path} was made in another repository: its desired state is commit "
            f"{reviewed.desired_commit[:12]}, which this repository does not have; "
            "nothing was changed"
        )
    return reviewed


def _compare(reviewed: Plan, fresh: Plan) -> None:
    comparison = compare_plans(reviewed, fresh)
    for line in comparison_lines(comparison, fresh):
        click.echo(line)
    if not comparison.holds:
        raise click.exceptions.Exit(NO_LONGER_HOLDS)
