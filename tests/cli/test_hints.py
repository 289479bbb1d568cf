"""Suggested next commands repeat the global options the user gave, so a
copied hint acts on the same repository and the same (simulated) AWS."""

import shlex
from pathlib import Path

import pytest

from reconciler.cli.context import AppContext
from tests.conftest import IdcRunner


def test_command_line_carries_the_options_the_next_command_needs() -> None:
    app = AppContext(repo=Path("my org"), sim=True, region="eu-central-1")
    assert app.command_line("plan") == "idc --repo 'my org' --sim --region eu-central-1 plan"
    assert app.command_line("sim reset") == "idc --repo 'my org' sim reset"
    assert AppContext(repo=Path("."), profile="prod").command_line("plan") == (
        "idc --profile prod plan"
    )
    assert AppContext(repo=Path("."), profile="prod", sim=True).command_line("plan") == (
        "idc --sim plan"  # --sim does not use a profile
    )


def test_a_hint_naming_the_repository_or_spelling_options_is_kept() -> None:
    app = AppContext(repo=Path("org"), sim=True)
    assert app.hinted("run `idc init org`") == "run `idc --sim init org`"
    assert app.hinted("with `idc apply org/plan.json`") == (
        "with `idc --repo org --sim apply org/plan.json`"
    )
    assert app.hinted("the next `idc --sim` command") == "the next `idc --sim` command"


@pytest.mark.usefixtures("unpaced")  # hints, not timing
def test_progress_hints_repeat_repo_and_sim(idc: IdcRunner, tmp_path: Path) -> None:
    repo = tmp_path / "org"
    assert idc("--repo", str(repo), "--sim", "init", "--from-live").exit_code == 0
    plan = idc("--repo", str(repo), "--sim", "plan", "-o", str(repo / "plan.json"))
    assert plan.exit_code == 0, plan.output
    hint = f"`idc --repo {repo} --sim apply {repo / 'plan.json'}`"
    assert hint in plan.stderr
    empty = idc("--repo", str(repo), "--sim", "history", "list")
    assert f"(run `idc --repo {repo} --sim snapshot`)" in empty.stderr
    snapshot = idc("--repo", str(repo), "--sim", "snapshot")
    assert f"next: `idc --repo {repo} --sim history list` lists" in snapshot.stderr
    # the hint works when copied
    copied = shlex.split(hint.strip("`"))
    applied = idc(*copied[1:], "--auto-approve")
    assert applied.exit_code == 0, applied.output


def test_error_hints_repeat_repo_and_sim(idc: IdcRunner, tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text("instance: auto\n")
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 1
    assert f"(or `idc --repo {tmp_path} --sim init`)" in result.stderr
