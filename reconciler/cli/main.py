"""The `idc` entry point: global options, command registry, and the single
place errors are turned into `error: ...` and an exit code."""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import click

from reconciler import __version__
from reconciler.cli.context import AppContext
from reconciler.errors import IdcError

# verb -> module under reconciler.cli exposing `command`; one module per verb.
COMMANDS: dict[str, str] = {
    "plan": "plan",
    "accounts": "accounts",
    "init": "init",
    "validate": "validate",
    "demo": "demo",
    "sim": "sim",
    "apply": "apply",
    "rollback": "rollback",
    "snapshot": "snapshot",
    "history": "history",
    "restore": "restore",
    "iam-policy": "iam_policy",
    "unlock": "unlock",
}


class LazyGroup(click.Group):
    """Imports a verb's module only when that verb runs (fast `idc --help` too)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        command: click.Command = importlib.import_module(f"reconciler.cli.{module}").command
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="idc")
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    show_default="the nearest directory holding idc.yaml, from here up",
    help="The GitOps repository (holds idc.yaml).",
)
@click.option("--profile", envvar="AWS_PROFILE", help="AWS profile to use.")
@click.option("--region", help="AWS region (else idc.yaml, else the AWS default chain).")
@click.option("--sim", is_flag=True, help="Run against the embedded simulator, not AWS.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and requested output.")
@click.option("-v", "--verbose", count=True, help="More detail; tracebacks on errors.")
@click.option("--no-color", is_flag=True, envvar="NO_COLOR", help="Plain output.")
@click.option("--notify", metavar="URL", help="Webhook, Slack URL or SNS ARN told of failures.")
@click.pass_context
def cli(
    ctx: click.Context,
    repo: Path | None,
    profile: str | None,
    region: str | None,
    sim: bool,
    quiet: bool,
    verbose: int,
    no_color: bool,
    notify: str | None,
) -> None:
    """idc: GitOps for AWS IAM Identity Center.

    Keep users, groups, memberships, permission sets and account assignments
    as YAML in git; snapshot, plan, apply and roll back. Every command takes
    the options below before its name; `idc COMMAND --help` describes it.

    \b
    Examples:
      idc --sim plan
      idc --repo infra/idc --region eu-west-1 snapshot
    """
    found = None
    if repo is None:
        from reconciler.desired.settings import find_repo

        found = find_repo(Path("."))
    app = AppContext(
        repo=repo or found or Path("."),
        repo_found=found is not None and found != Path("."),
        profile=profile,
        region=region,
        sim=sim,
        quiet=quiet,
        verbose=verbose,
        color=not no_color,
        notify=notify,
    )
    ctx.obj = app
    ctx.call_on_close(app.stack.close)


def main() -> None:
    sys.exit(run(sys.argv[1:]))


def run(argv: list[str]) -> int:
    """Run the CLI and return the exit code: 0 ok, 1 any error, 2 changes pending."""
    verbose = any(a == "--verbose" or (a.startswith("-v") and set(a[1:]) == {"v"}) for a in argv)
    app: AppContext | None = None
    failure = ""
    try:
        with cli.make_context("idc", list(argv)) as ctx:
            try:
                cli.invoke(ctx)
            finally:
                app = ctx.obj
        code = 0
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.exceptions.Abort:
        failure = "aborted"
        click.echo(f"error: {failure}", err=True)
        code = 1
    except click.ClickException as exc:
        exc.show()
        failure, code = exc.format_message(), 1
    except IdcError as exc:  # the commands it suggests carry this run's --repo/--sim
        failure, code = _report(exc, verbose, hinted=app.hinted if app else str), 1
    except KeyboardInterrupt:
        failure = "interrupted"
        click.echo(f"error: {failure}", err=True)
        code = 1
    except Exception as exc:  # an unexpected bug still gets a one-line report
        failure, code = _report(exc, verbose, unexpected=True), 1
    if code == 1 and app is not None and app.notify:
        from reconciler.cli.notify import notify_failure

        notify_failure(app, argv, failure)
    return code if isinstance(code, int) else 0


def _report(
    exc: BaseException,
    verbose: bool,
    unexpected: bool = False,
    hinted: Callable[[str], str] = str,
) -> str:
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    text = hinted(str(exc) or type(exc).__name__)
    if unexpected:
        text = f"unexpected {type(exc).__name__}: {text} (run with -v for a traceback)"
    lines = text.splitlines() or [text]
    if len(lines) > 1:
        click.echo(f"error: {len(lines)} problems", err=True)
        for line in lines:
            click.echo(line, err=True)
    else:
        click.echo(f"error: {lines[0]}", err=True)
    return text
