"""`idc plan --against PLAN`: is the reviewed plan still what would be
applied? Exit 0 when a fresh plan has exactly its changes, 3 with the
differences when not, 1 (nothing changed) for a missing, corrupt or foreign
plan file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.sim import Simulator
from tests.cli.conftest import delete_group
from tests.conftest import IdcRunner, run_idc
from tests.store.conftest import make_git_repo


@pytest.fixture
def repo(tmp_path: Path, sim: Simulator) -> Path:
    """The demo organization adopted as desired state."""
    make_git_repo(tmp_path / "repo")
    result = run_idc("--repo", str(tmp_path / "repo"), "init", "--from-live")
    assert result.exit_code == 0, result.output
    return tmp_path / "repo"


@pytest.fixture
def reviewed(repo: Path, idc: IdcRunner) -> Path:
    """A pull request's plan: one assignment added in desired/."""
    result = idc("--repo", str(repo), "assign", "ReadOnly", "alice@example.com",
                 "--accounts", "444444444444", "--write")  # fmt: skip
    assert result.exit_code == 0, result.output
    path = repo / "reviewed.json"
    result = idc("--repo", str(repo), "plan", "-o", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_a_plan_that_still_holds(repo: Path, reviewed: Path, idc: IdcRunner) -> None:
    result = idc("--repo", str(repo), "plan", "--against", str(reviewed))
    assert result.exit_code == 0, result.output
    assert "the reviewed plan still holds" in result.stdout


def test_live_drift_after_review_is_shown_and_exits_3(
    repo: Path, reviewed: Path, sim: Simulator, idc: IdcRunner
) -> None:
    """After the review someone removed Auditors in the console: the fresh
    plan recreates it, which nobody reviewed."""
    delete_group(sim, "Auditors")
    result = idc("--repo", str(repo), "plan", "--against", str(reviewed))
    assert result.exit_code == 3, result.output
    assert "the reviewed plan no longer holds" in result.stdout
    assert "(planned now; never reviewed)" in result.stdout and "Auditors" in result.stdout


def test_bad_reviewed_plans_are_refused(repo: Path, reviewed: Path, idc: IdcRunner) -> None:
    missing = idc("--repo", str(repo), "plan", "--against", str(repo / "nope.json"))
    assert missing.exit_code == 1 and "no reviewed plan at" in missing.stderr
    corrupt = repo / "corrupt.json"
    corrupt.write_text(reviewed.read_text()[:100])
    result = idc("--repo", str(repo), "plan", "--against", str(corrupt))
    assert result.exit_code == 1 and "Traceback" not in result.stderr, result.output
    foreign = repo / "foreign.json"
    doc = json.loads(reviewed.read_text())
    foreign.write_text(
        json.dumps({**doc, "instance_arn": "arn:aws:sso:::instance/ssoins-1111222233334444"})
    )
    result = idc("--repo", str(repo), "plan", "--against", str(foreign))
    assert result.exit_code == 1 and "was made against instance" in result.stderr, result.output
