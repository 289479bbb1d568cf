"""Stale provisioning: a permission set edited while an account's role still
holds the old version is shown by `idc plan` and repaired by `idc apply`,
including accounts that got the permission set between plan and apply, and
a rollback re-provisions every account the permission set is in by then.

"Stale" is what AWS reports: the account is listed by
ListAccountsForProvisionedPermissionSet with ProvisioningStatus
LATEST_PERMISSION_SET_NOT_PROVISIONED. The out-of-band changes below are made
through the simulator's sso-admin API, as a person in the console would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.apply.journal import read_journal
from reconciler.sim import Simulator
from tests.cli.test_apply import journals
from tests.conftest import IdcRunner

# Provisioning, not timing: `idc` here does not pace itself to 20 TPS.
pytestmark = pytest.mark.usefixtures("unpaced")

NEW_ACCOUNT = "333333333333"  # Developer is not provisioned there in the demo
DEVELOPER_ACCOUNTS = ["444444444446", "555555555555", "555555555556", "666666666666"]
AUDITORS_RULE = f"""  - permission_set: Developer
    accounts: ["{NEW_ACCOUNT}"]
    groups: [Auditors]
"""


@pytest.fixture
def repo(tmp_path: Path, idc: IdcRunner, sim: Simulator) -> Path:
    """A repository that matches live state exactly."""
    result = idc("--repo", str(tmp_path), "init", "--from-live")
    assert result.exit_code == 0, result.output
    assert "No changes" in plan_text(idc, tmp_path)
    return tmp_path


def plan_text(idc: IdcRunner, repo: Path) -> str:
    result = idc("--repo", str(repo), "--no-color", "plan")
    assert result.exit_code == 0, result.output
    return result.stdout


def developer_arn(sim: Simulator) -> str:
    sso = sim.client("sso-admin")
    for arn in sso.list_permission_sets(InstanceArn=sim.instance_arn)["PermissionSets"]:
        ps = sso.describe_permission_set(InstanceArn=sim.instance_arn, PermissionSetArn=arn)
        if ps["PermissionSet"]["Name"] == "Developer":
            return str(arn)
    raise AssertionError("no Developer permission set")


def accounts(sim: Simulator, status: str | None = None) -> list[str]:
    """Accounts Developer is provisioned to (with `status`: only those)."""
    extra = {"ProvisioningStatus": status} if status else {}
    return sorted(
        sim.client("sso-admin").list_accounts_for_provisioned_permission_set(
            InstanceArn=sim.instance_arn, PermissionSetArn=developer_arn(sim), **extra
        )["AccountIds"]
    )


def stale(sim: Simulator) -> list[str]:
    return accounts(sim, "LATEST_PERMISSION_SET_NOT_PROVISIONED")


def assign_auditors_out_of_band(sim: Simulator) -> None:
    """Someone assigns Developer to the Auditors group in a new account (AWS
    provisions the permission set there as it is at that moment)."""
    groups = sim.client("identitystore").list_groups(IdentityStoreId=sim.identity_store_id)
    (group,) = [g["GroupId"] for g in groups["Groups"] if g["DisplayName"] == "Auditors"]
    sim.client("sso-admin").create_account_assignment(
        InstanceArn=sim.instance_arn,
        TargetId=NEW_ACCOUNT,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=developer_arn(sim),
        PrincipalType="GROUP",
        PrincipalId=group,
    )
    assert NEW_ACCOUNT in accounts(sim) and not stale(sim)


def update_out_of_band(sim: Simulator, duration: str) -> None:
    """UpdatePermissionSet by hand, without ProvisionPermissionSet."""
    sim.client("sso-admin").update_permission_set(
        InstanceArn=sim.instance_arn, PermissionSetArn=developer_arn(sim), SessionDuration=duration
    )


def set_duration(repo: Path, duration: str) -> None:
    ps = repo / "desired" / "permission_sets" / "Developer.yaml"
    text = ps.read_text()
    assert "session_duration: PT4H" in text
    ps.write_text(text.replace("session_duration: PT4H", f"session_duration: {duration}"))


def commit_auditors_rule(repo: Path) -> None:
    dev = repo / "desired" / "assignments" / "Developer.yaml"
    dev.write_text(dev.read_text() + AUDITORS_RULE)


def test_an_account_assigned_between_plan_and_apply_is_re_provisioned(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    set_duration(repo, "PT2H")
    made = idc("--repo", str(repo), "plan", "-o", str(repo / "plan.json"))
    assert made.exit_code == 0, made.output
    (change,) = json.loads((repo / "plan.json").read_text())["changes"]
    assert change["reprovision"] == DEVELOPER_ACCOUNTS  # what the plan knew
    assign_auditors_out_of_band(sim)  # before apply, at the old version

    result = idc("--repo", str(repo), "apply", str(repo / "plan.json"))
    assert result.exit_code == 0, result.output
    # Every account Developer is in holds the new version, the new one too.
    assert accounts(sim) == sorted([*DEVELOPER_ACCOUNTS, NEW_ACCOUNT])
    assert stale(sim) == []
    commit_auditors_rule(repo)  # the assigner's change lands in git
    assert "No changes" in plan_text(idc, repo)


def test_plan_shows_the_stale_account_an_apply_left_behind_and_apply_repairs_it(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    """The issue's end state, made by hand: Developer was updated and
    re-provisioned only where a plan knew it was, after it had been assigned
    in a new account; that account's role keeps the old version."""
    assign_auditors_out_of_band(sim)
    commit_auditors_rule(repo)
    update_out_of_band(sim, "PT2H")
    set_duration(repo, "PT2H")
    sso = sim.client("sso-admin")
    for account in DEVELOPER_ACCOUNTS:
        sso.provision_permission_set(
            InstanceArn=sim.instance_arn,
            PermissionSetArn=developer_arn(sim),
            TargetType="AWS_ACCOUNT",
            TargetId=account,
        )
    assert stale(sim) == [NEW_ACCOUNT]

    lines = [line.rstrip() for line in plan_text(idc, repo).splitlines()]
    head = lines.index(f"  ~ permission_set Developer  # re-provision: stale in {NEW_ACCOUNT}")
    # the account is named beside its id, as in every plan
    assert lines[head + 1] == f"      then re-provision to {NEW_ACCOUNT} (shared-network)"
    assert not any("session_duration" in line for line in lines)  # no attribute changes
    shown = idc("--repo", str(repo), "plan", "--format", "json")
    (change,) = json.loads(shown.stdout)["changes"]
    assert change["action"] == "update" and change["before"] == change["after"]
    assert change["reprovision"] == [NEW_ACCOUNT]

    result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert stale(sim) == []
    assert "No changes" in plan_text(idc, repo)


def test_an_edit_made_by_hand_without_re_provisioning_is_planned_and_repaired(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    update_out_of_band(sim, "PT2H")  # desired gets the same edit: only the roles lag
    set_duration(repo, "PT2H")
    assert stale(sim) == DEVELOPER_ACCOUNTS

    text = plan_text(idc, repo)
    reason = "re-provision: stale in " + ", ".join(DEVELOPER_ACCOUNTS)
    assert f"  ~ permission_set Developer  # {reason}" in text
    (reprovision,) = [line for line in text.splitlines() if "then re-provision to " in line]
    shown = [part.split(" (")[0] for part in reprovision.split(" to ", 1)[1].split(", ")]
    assert shown == DEVELOPER_ACCOUNTS

    result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert stale(sim) == []
    assert "No changes" in plan_text(idc, repo)
    # Nothing to undo but provisioning: the journal holds no update.
    (journal,) = journals(repo)
    assert {op.name for op, _ in read_journal(journal).header.pairs} == {"provision_permission_set"}


def test_rollback_re_provisions_every_account_including_one_assigned_after_the_apply(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    set_duration(repo, "PT2H")
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    assign_auditors_out_of_band(sim)  # after the apply, at the new version

    result = idc("--repo", str(repo), "rollback", journal.name, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert accounts(sim) == sorted([*DEVELOPER_ACCOUNTS, NEW_ACCOUNT])
    assert stale(sim) == []  # the restored version everywhere, the new account too
