"""`idc assign|revoke --write`: the change as an edit of desired/, comments
kept, whose `idc plan` equals the direct command's plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.apply.grant import GrantRequest, prepare
from reconciler.aws.clients import AwsSession
from reconciler.desired.filters.selection import selector_from
from reconciler.desired.settings import load_settings
from reconciler.sim import Simulator
from tests.conftest import IdcRunner, run_idc
from tests.store.conftest import make_git_repo

COMMENT = "# Read-only for the product teams (ticket OPS-42)\n"


@pytest.fixture
def repo(tmp_path: Path, sim: Simulator) -> Path:
    repo = tmp_path / "repo"
    make_git_repo(repo)
    result = run_idc("--repo", str(repo), "init", "--from-live")
    assert result.exit_code == 0, result.output
    readonly = repo / "desired" / "assignments" / "ReadOnly.yaml"
    lines = readonly.read_text().splitlines(keepends=True)
    lines.insert(2, "  " + COMMENT)  # a hand-written comment above the first rule
    readonly.write_text("".join(lines))
    return repo


def direct_plan(repo: Path, sim: Simulator, action: str, *args: str) -> set[tuple[str, str]]:
    ps, principal, flag, value = args
    selector = selector_from(
        **{{"--ou-filter": "ou_filter", "--accounts": "accounts"}[flag]: value}  # type: ignore[arg-type]
    )
    assert selector is not None
    request = GrantRequest(action, ps, principal, None, selector)
    plan = prepare(AwsSession(region=sim.region), load_settings(repo), request).plan
    return {(c.action, c.key_text()) for c in plan.changes}


def desired_plan(repo: Path, idc: IdcRunner) -> set[tuple[str, str]]:
    result = idc("--repo", str(repo), "plan", "--format", "json")
    assert result.exit_code in (0, 2), result.output
    changes = json.loads(result.stdout)["changes"]
    return {(c["action"], ":".join([c["kind"], *c["key"].values()])) for c in changes}


def test_assign_write_plans_what_assign_would(repo: Path, sim: Simulator, idc: IdcRunner) -> None:
    args = ("ReadOnly", "alice@example.com", "--ou-filter", "Root/Prod")
    expected = direct_plan(repo, sim, "assign", *args)
    assert len(expected) == 3
    readonly = repo / "desired" / "assignments" / "ReadOnly.yaml"
    before = readonly.read_text()
    result = idc("--repo", str(repo), "assign", *args, "--write")
    assert result.exit_code == 0, result.output
    assert "desired/assignments/ReadOnly.yaml: + 3 account(s)" in result.stdout
    after = readonly.read_text()
    assert after.startswith(before.rstrip("\n"))  # comments and rules as they were
    assert (
        COMMENT.strip() in after and "# idc assign ReadOnly alice@example.com --ou-filter" in after
    )
    assert desired_plan(repo, idc) == expected
    again = idc("--repo", str(repo), "assign", *args, "--write")
    assert "nothing written" in again.stdout and readonly.read_text() == after


def test_revoke_write_keeps_the_other_principals(
    repo: Path, sim: Simulator, idc: IdcRunner
) -> None:
    """Developers and a new user share one rule; revoking the user from one
    account leaves Developers' access there untouched."""
    readonly = repo / "desired" / "assignments" / "ReadOnly.yaml"
    text = readonly.read_text().replace(
        "    groups:\n      - Developers",
        "    groups:\n      - Developers\n    users:\n      - carol@example.com",
        1,
    )
    readonly.write_text(text)
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0  # live has carol too
    args = ("ReadOnly", "carol@example.com", "--accounts", "444444444445")
    expected = direct_plan(repo, sim, "revoke", *args)
    assert expected == {("delete", "assignment:ReadOnly:USER:carol@example.com:444444444445")}
    result = idc("--repo", str(repo), "revoke", *args, "--write")
    assert result.exit_code == 0, result.output
    assert desired_plan(repo, idc) == expected
    assert COMMENT.strip() in readonly.read_text()


def test_revoke_write_refuses_to_narrow_a_filter(repo: Path, idc: IdcRunner) -> None:
    readonly = repo / "desired" / "assignments" / "ReadOnly.yaml"
    readonly.write_text(
        readonly.read_text()
        + "  - permission_set: ReadOnly\n"
        + '    accounts: "ou:/Root/Dev"\n'
        + "    users:\n      - bob@example.com\n"
    )
    before = readonly.read_text()
    result = idc(
        "--repo", str(repo), "revoke", "ReadOnly", "bob@example.com", "--accounts", "555555555555",
        "--write",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "desired/assignments/ReadOnly.yaml:" in result.stderr
    assert 'grants by the filter "ou:/Root/Dev"' in result.stderr
    assert readonly.read_text() == before
