"""The `idc` entry point: global options, command registry, and the single
place errors are turned into `error: ...` and an exit code."""

from __future__ import annotations

import importlib
import os
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
    "show": "show",
    "journal": "journal",
    "decrypt": "decrypt",
    "assign": "assign",
    "revoke": "revoke",
    "export": "export",
    "import": "import_backup",
    "prune": "prune",
    "ci": "ci",
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


def _check_region(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--region is held to the rule of `region:` in idc.yaml, before any AWS call."""
    from reconciler.desired.settings import region_problem

    problem = value is not None and region_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return value


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="idc")
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    show_default="the nearest directory holding idc.yaml, from here up",
    help="The GitOps repository (holds idc.yaml).",
)
@click.option("--profile", envvar="AWS_PROFILE", help="AWS profile to use.")
@click.option(
    "--region",
    callback=_check_region,
    help="AWS region (else idc.yaml, else the AWS default chain).",
)
@click.option(
    "--role-arn",
    metavar="ARN",
    envvar="IDC_ROLE_ARN",
    help="Assume this IAM role for every AWS call (else aws.role_arn in idc.yaml).",
)
@click.option("--external-id", metavar="ID", help="External id for --role-arn.")
@click.option("--sim", is_flag=True, help="Run against the embedded simulator, not AWS.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and requested output.")
@click.option("-v", "--verbose", count=True, help="More detail; tracebacks on errors.")
@click.option("--no-color", is_flag=True, envvar="NO_COLOR", help="Plain output.")
@click.option(
    "--notify",
    metavar="URL",
    envvar="IDC_NOTIFY",
    help="Webhook, Slack URL or SNS ARN told of failures (instead of notify: in idc.yaml; "
    "'' for none; an empty $IDC_NOTIFY counts as unset).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    repo: Path | None,
    profile: str | None,
    region: str | None,
    role_arn: str | None,
    external_id: str | None,
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
        role_arn=role_arn,
        external_id=external_id,
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
    except BrokenPipeError:  # `idc ... | head`: the reader has all it wanted
        _stdout_gone()
        code = 1
    except OSError as exc:
        failure, code = _report(_file_error(exc) or exc, verbose, unexpected=not exc.filename), 1
    except KeyboardInterrupt:
        failure = "interrupted"
        click.echo(f"error: {failure}", err=True)
        code = 1
    except Exception as exc:  # an unexpected bug still gets a one-line report
        translated = _from_botocore(exc)
        if translated is not None:
            failure, code = _report(translated, verbose, hinted=app.hinted if app else str), 1
        else:
            failure, code = _report(exc, verbose, unexpected=True), 1
    if app is not None and (code == 1 or app.drift):
        from reconciler.cli.notify import notify_failure

        if code == 1:
            notify_failure(app, argv, failure)
        else:
            notify_failure(app, argv, app.drift, event="drift")
    return code if isinstance(code, int) else 0


def _file_error(exc: OSError) -> IdcError | None:
    """A file the system would not read or write (a missing directory, a
    full disk, no permission): the user's to fix, named with the reason."""
    if not exc.filename:
        return None
    where = f"{exc.filename} -> {exc.filename2}" if exc.filename2 else str(exc.filename)
    error = IdcError(f"{where}: {exc.strerror or exc}")
    error.__cause__ = exc  # -v shows where it happened
    return error


def _stdout_gone() -> None:
    """Nobody reads stdout any more: send what is still buffered to /dev/null,
    so the interpreter's last flush does not fail on the closed pipe too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (tests capture stdout)
        pass


def _from_botocore(exc: Exception) -> IdcError | None:
    """A botocore failure that escaped every `aws_call`, as reconciler.aws
    translates them (a missing region or profile, expired credentials...);
    None for anything else. botocore is imported only when one is seen."""
    if not type(exc).__module__.startswith("botocore"):
        return None
    from reconciler.aws.errors import as_idc_error

    return as_idc_error(exc)


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
