"""The compatibility check before a restore's first write (`--check` alone,
and before every restore): every problem is listed together, exit 1, and
the target is not touched.

The target is a fresh in-process simulator (`idc` without `--sim` talks to
it) holding only an organization built from snapshot A's, altered so that
the backup no longer fits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from reconciler.model import State
from reconciler.sim import Simulator
from reconciler.sim.seed import seed_organization
from reconciler.store.history import History
from reconciler.store.snapshotter import Snapshotter
from tests.cli.iam_policy_help import recording
from tests.cli.test_restore import repo
from tests.conftest import run_idc

__all__ = ["repo"]

WRITES = ("Create", "Delete", "Put", "Attach", "Detach", "Update", "Provision")


@pytest.fixture
def target() -> Iterator[Simulator]:
    with Simulator() as sim:
        yield sim


def writes(sim: Simulator) -> list[str]:
    return [call for call in sim.calls if call.split(".")[-1].startswith(WRITES)]


def test_every_incompatibility_is_listed_together_and_nothing_is_touched(
    repo: Path, target: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = History(repo).snapshot("A").read()[0]
    used = sorted({x.account for x in a.assignments} - {target.account_id})
    gone, closed = used[0], used[1]
    accounts = {k: v for k, v in a.accounts.items() if k != gone}
    accounts[closed] = replace(accounts[closed], status="SUSPENDED")
    seed_organization(target, replace(a, accounts=accounts))
    settings = repo / "idc.yaml"
    text = settings.read_text()
    for kind in ("users", "groups", "memberships"):
        assert f"  {kind}: true" in text
        text = text.replace(f"  {kind}: true", f"  {kind}: false", 1)
    settings.write_text(text)
    monkeypatch.setattr("reconciler.store.restore_check.MAX_MANAGED_POLICIES", 1)
    target.reset_calls()

    for extra in (("--check",), ("--auto-approve",)):
        result = run_idc("--repo", str(repo), "restore", "A", *extra)
        assert result.exit_code == 1, result.output
        err = result.stderr
        assert "the target cannot hold A (" in err and "nothing was changed" in err
        assert f"account {gone} is not in the target organization;" in err
        assert f"account {closed} (" in err and "is SUSPENDED, not ACTIVE" in err
        assert "managed policies; at most 1 fit one permission set" in err
        assert "user(s) the backup refers to are not in the target's identity store" in err
        assert "group(s) the backup refers to are not in the target's identity store" in err
        assert "Traceback" not in err and "Plan:" not in result.stdout
    assert writes(target) == []


def test_check_passes_on_the_live_organization_it_came_from(repo: Path) -> None:
    result = run_idc("--repo", str(repo), "--sim", "restore", "A", "--check")
    assert result.exit_code == 0, result.output
    assert "the target can hold users, groups, memberships, permission_sets, assignments" in (
        result.stdout
    )


GONE_POLICY = "arn:aws:iam::aws:policy/NoSuchPolicy"


def test_a_managed_policy_aws_does_not_have_is_refused_with_the_others(
    repo: Path, target: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup naming an AWS managed policy the target's IAM does not know
    (retired since, say), as attachment and as boundary; listed with an
    account that is gone, nothing written."""
    a = record_gone_policy(repo)
    used = sorted({x.account for x in a.assignments} - {target.account_id})
    accounts = {k: v for k, v in a.accounts.items() if k != used[0]}
    seed_organization(target, replace(a, accounts=accounts))
    target.reset_calls()
    recorder = recording(monkeypatch)

    for extra in (("--check",), ("--auto-approve",)):
        result = run_idc("--repo", str(repo), "restore", "C", *extra)
        assert result.exit_code == 1, result.output
        err = result.stderr
        assert "the target cannot hold C (" in err and ": 2 problem(s)" in err, err
        assert (
            f"AWS managed policy {GONE_POLICY} does not exist; permission set(s) "
            "Developer, SecurityAudit attach it" in err
        )
        assert f"account {used[0]} is not in the target organization;" in err
        # the policies that do exist are not named
        assert "PowerUserAccess" not in err and "Traceback" not in err
    assert writes(target) == []
    assert "iam:GetPolicy" in recorder.take()  # asked IAM, not a list in idc


def test_a_test_restore_lists_missing_managed_policies_before_restoring(repo: Path) -> None:
    """`--test` checks AWS managed policies as a real restore does: every
    missing one listed up front, not a failure at the first attach."""
    record_gone_policy(repo)
    result = run_idc("--repo", str(repo), "restore", "C", "--test")
    assert result.exit_code == 1, result.output
    err = result.stderr
    assert "the target cannot hold C (" in err and ": 1 problem(s), nothing was changed" in err
    assert (
        f"AWS managed policy {GONE_POLICY} does not exist; permission set(s) "
        "Developer, SecurityAudit attach it" in err
    )
    assert "restorable" not in result.stdout and "Traceback" not in err


def record_gone_policy(repo: Path) -> State:
    """Snapshot A with GONE_POLICY attached to Developer and as SecurityAudit's
    boundary, committed as C; returns A."""
    a = History(repo).snapshot("A").read()[0]
    developer = a.permission_sets["Developer"]
    audit = a.permission_sets["SecurityAudit"]
    assert audit.permissions_boundary is not None
    permission_sets = dict(a.permission_sets)
    permission_sets["Developer"] = replace(
        developer, managed_policies=tuple(sorted((*developer.managed_policies, GONE_POLICY)))
    )
    permission_sets["SecurityAudit"] = replace(
        audit,
        permissions_boundary=replace(audit.permissions_boundary, managed_policy_arn=GONE_POLICY),
    )
    Snapshotter(repo, tag="C").record(replace(a, permission_sets=permission_sets), "C")
    return a
