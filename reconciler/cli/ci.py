"""`idc ci`: the GitHub steps of the plan, apply and snapshot workflows.

Formatting only: reconciler.ci talks to GitHub (through `gh`), and
reconciler.store.runs keeps the run records.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from reconciler.ci import run_url_from_env
from reconciler.ci.comments import footer, notice_comment, sticky_comment
from reconciler.ci.drift_issue import report_drift
from reconciler.ci.gh import GitHub
from reconciler.ci.reviewed_plan import fetch_reviewed_plan
from reconciler.cli.context import AppContext, pass_app
from reconciler.errors import IdcError
from reconciler.store.runs import RESULTS, record_run

NO_DRIFT, DRIFT = 0, 2  # `idc plan --detailed-exitcode`
STARTED_ENV = "IDC_RUN_STARTED"


@click.group("ci")
def command() -> None:
    """GitHub workflow steps: plan comment, drift.

    The plan comment, the reviewed plan of a merged pull request, the drift
    issue and the run records of the workflows `idc init` writes. Run
    inside GitHub Actions (GITHUB_REPOSITORY and GH_TOKEN set, `gh` on PATH).

    \b
    Examples:
      idc ci comment --pr 42 --body-file plan.md
      idc ci drift --exit-code 2 --body-file drift.md
    """


def _read_body(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        raise IdcError(f"cannot read {path}: {exc.strerror or exc}") from None


def _output(**values: object) -> None:
    """Step outputs for later steps (GITHUB_OUTPUT), when run by Actions."""
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.writelines(f"{k}={v}\n" for k, v in values.items())


_body = click.option(
    "--body-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Markdown of `idc plan --format markdown`.",
)
_run_url = click.option("--run-url", default=None, help="Link to the run (default: this run).")


@command.command("comment")
@click.option("--pr", type=int, required=True, help="Pull request number.")
@_body
@_run_url
@click.option("--artifact-url", default="", help="Link to the uploaded plan artifact.")
@click.option(
    "--notice-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Post a new comment starting with this markdown.",
)
@pass_app
def comment_command(
    app: AppContext,
    pr: int,
    body_file: Path,
    run_url: str | None,
    artifact_url: str,
    notice_file: Path | None,
) -> None:
    """Post or edit the pull request's plan comment.

    The comment is found by the hidden marker the markdown plan starts with.
    With --notice-file, a new comment is posted instead (a merged pull request
    whose reviewed plan no longer holds), leaving the reviewed one as it was.

    \b
    Examples:
      idc ci comment --pr 42 --body-file plan.md
      idc ci comment --pr 42 --body-file plan.md --notice-file notice.md
    """
    body = _read_body(body_file)
    if not body.strip():
        app.say(f"{body_file} is empty (the plan failed before it rendered); nothing posted")
        return
    tail = footer(run_url if run_url is not None else run_url_from_env(), artifact_url)
    gh = GitHub()
    if notice_file is not None:
        posted = notice_comment(gh, pr, _read_body(notice_file), body, tail)
    else:
        posted = sticky_comment(gh, pr, body, tail)
    app.say(f"{posted.action} the plan comment on pull request #{pr}: {posted.url}")


@command.command("reviewed-plan")
@click.option("--commit", required=True, help="The commit pushed to the default branch.")
@click.option(
    "--dir",
    "dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reviewed"),
    show_default=True,
    help="Where to put the reviewed plan.",
)
@pass_app
def reviewed_plan_command(app: AppContext, commit: str, dest: Path) -> None:
    """Fetch the reviewed plan of a merged pull request.

    The pull request is the one --commit merged. Sets the step outputs pr,
    head and run; refuses (exit 1) when the commit merged no pull request or
    its plan run or artifact is missing.

    \b
    Examples:
      idc ci reviewed-plan --commit "$GITHUB_SHA" --dir reviewed
    """
    reviewed = fetch_reviewed_plan(GitHub(), commit, dest)
    _output(pr=reviewed.pr, head=reviewed.head, run=reviewed.run_id)
    app.say(
        f"fetched the plan reviewed on pull request #{reviewed.pr} (head {reviewed.head[:12]}, "
        f"run {reviewed.run_id}) to {reviewed.path}"
    )


@command.command("drift")
@click.option(
    "--exit-code",
    type=int,
    required=True,
    help="`idc plan --detailed-exitcode`'s: 0 no drift, 2 drift.",
)
@_body
@_run_url
@pass_app
def drift_command(app: AppContext, exit_code: int, body_file: Path, run_url: str | None) -> None:
    """Open, update or close the one issue labelled idc-drift.

    \b
    Examples:
      idc ci drift --exit-code "$CODE" --body-file drift.md
    """
    if exit_code not in (NO_DRIFT, DRIFT):
        raise IdcError(
            f"the plan ended with exit code {exit_code}, so whether live state drifted is not "
            "known; the drift issue is left as it is"
        )
    body = _read_body(body_file) if exit_code == DRIFT else ""
    tail = footer(run_url if run_url is not None else run_url_from_env(), artifact="")
    report = report_drift(GitHub(), exit_code == DRIFT, body, tail)
    if report.action == "none":
        app.say("no drift, and no drift issue open")
    else:
        app.say(f"{report.action} drift issue #{report.number}: {report.url}")


@command.command("record-run")
@click.option("--job", required=True, help="The job's name: plan, apply, snapshot...")
@click.option("--result", required=True, type=click.Choice(RESULTS), help="How the run ended.")
@click.option(
    "--started",
    type=float,
    default=None,
    help=f"Start, seconds since the epoch (default: ${STARTED_ENV}).",
)
@_run_url
@pass_app
def record_run_command(
    app: AppContext, job: str, result: str, started: float | None, run_url: str | None
) -> None:
    """Append this run to journal/runs.jsonl.

    `idc history stats` shows each job's success rate from these records.

    \b
    Examples:
      idc ci record-run --job snapshot --result "${{ job.status }}"
    """
    finished = time.time()
    if started is None:
        given = os.environ.get(STARTED_ENV, "")
        try:
            started = float(given) if given else finished
        except ValueError:
            raise IdcError(f"{STARTED_ENV}={given!r} is not seconds since the epoch") from None
    url = run_url if run_url is not None else run_url_from_env()
    record = record_run(app.repo, job, result, started=started, finished=finished, url=url)
    app.say(f"recorded run: {record.job} {record.result} in {record.seconds} s")
