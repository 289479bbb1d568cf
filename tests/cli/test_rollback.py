"""`idc rollback`: dry run, exact undo, nothing left to undo the second time."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from reconciler.sim import Simulator
from tests.cli.test_apply import journals, live, pending, repo  # noqa: F401 (fixtures)
from tests.conftest import IdcRunner


def test_dry_run_lists_the_undo_and_changes_nothing(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    applied = live()
    result = idc("--repo", str(repo), "rollback", journal.name, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    # shown like a plan: the undo of each change, values before -> after
    assert "  - assignment Developer to USER zed@example.com in 666666666666  # undo" in lines
    assert "  - user zed@example.com  # undo" in lines
    update = lines.index("  ~ permission_set Developer  # undo")
    assert lines[update + 1].startswith("      ~ session_duration = ")
    assert lines[update + 1].endswith('-> "PT8H"') or '"PT' in lines[update + 1]
    # re-provisioning follows the restored permission set
    assert any(line.startswith("      then re-provision to ") for line in lines[update:])
    assert live() == applied and journals(repo) == [journal]


def test_rollback_restores_and_a_second_one_has_nothing_left(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    before = live()
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    result = idc("--repo", str(repo), "rollback", f"journal/{journal.name}", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Rollback complete: 11 operation(s) undone" in result.stderr
    assert live() == before
    assert len(pending(repo)) == 6  # the reviewed change is pending again
    rollback_journal = journals(repo)[-1]
    header = json.loads(rollback_journal.read_text().splitlines()[0])
    assert header["kind"] == "rollback" and header["parent"] == journal.name
    again = idc("--repo", str(repo), "rollback", journal.name, "--dry-run")
    assert again.exit_code == 0 and "Nothing to undo" in again.stderr


def test_an_unknown_journal_is_a_clear_error(tmp_path: Path, idc: IdcRunner) -> None:
    result = idc("--repo", str(tmp_path), "rollback", "nope.jsonl")
    assert result.exit_code == 1
    assert "no journal nope.jsonl" in result.stderr and "Traceback" not in result.output


def _delete_by_hand(simulator: Simulator, permission_set: str, user: str, account: str) -> None:
    """What an operator does in the console: remove one assignment the apply made."""
    sso, store = simulator.client("sso-admin"), simulator.client("identitystore")
    arns = sso.list_permission_sets(InstanceArn=simulator.instance_arn)["PermissionSets"]
    arn = next(
        a
        for a in arns
        if sso.describe_permission_set(InstanceArn=simulator.instance_arn, PermissionSetArn=a)[
            "PermissionSet"
        ]["Name"]
        == permission_set
    )
    user_id = store.get_user_id(
        IdentityStoreId=simulator.identity_store_id,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": user}
        },
    )["UserId"]
    sso.delete_account_assignment(
        InstanceArn=simulator.instance_arn,
        TargetId=account,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=arn,
        PrincipalType="USER",
        PrincipalId=user_id,
    )


def test_rollback_after_part_was_reverted_by_hand_completes_exactly(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    before = live()
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    applied = live()
    _delete_by_hand(sim, "Developer", "zed@example.com", "666666666666")

    result = idc("--repo", str(repo), "rollback", journal.name, "--auto-approve")

    assert result.exit_code == 0, result.output
    assert (
        "already undone in live state (reverted by hand?): create_assignment Developer "
        "USER:zed@example.com 666666666666" in result.stderr
    )
    assert "10 operation(s) undone; 1 already undone, left alone" in result.stderr
    assert live() == before
    # Undoing the rollback brings back what the rollback undid, and only that:
    # the assignment removed by hand was not the rollback's to restore.
    rollback_journal = journals(repo)[-1]
    again = idc("--repo", str(repo), "rollback", rollback_journal.name, "--auto-approve")
    assert again.exit_code == 0, again.output
    redone = live()
    removed = applied.assignments - redone.assignments
    assert [(a.permission_set, a.principal, a.account) for a in removed] == [
        ("Developer", "zed@example.com", "666666666666")
    ]
    assert replace(redone, assignments=applied.assignments) == applied
