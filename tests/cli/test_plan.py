"""`idc plan` end to end: the example repositories against the simulator's
seeded demo organization."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from reconciler.desired.schema import load_schema
from tests.conftest import ROOT, IdcRunner

EXAMPLES = ROOT / "examples"


def example(tmp_path: Path, name: str) -> Path:
    repo = tmp_path / name
    shutil.copytree(EXAMPLES / name, repo)
    return repo


def keys(plan: dict[str, Any], action: str) -> list[str]:
    return [
        f"{c['kind']}:" + ":".join(c["key"].values())
        for c in plan["changes"]
        if c["action"] == action
    ]


def test_multi_account_example_grants_auditors_by_filter(idc: IdcRunner, tmp_path: Path) -> None:
    repo = example(tmp_path, "multi-account")
    result = idc("--repo", str(repo), "--sim", "plan", "--format", "json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    Draft202012Validator(load_schema("plan")).validate(plan)
    # `tag:env=prod and not tag:tier=sandbox`: the six prod accounts, in order
    assert keys(plan, "create") == [
        f"assignment:ReadOnly:GROUP:Auditors:{account}"
        for account in (
            "222222222222", "222222222223", "333333333333",
            "444444444444", "444444444445", "444444444446",
        )
    ]  # fmt: skip
    assert plan["summary"] == {"create": 6, "update": 0, "delete": 0}
    assert all(c["reason"].startswith("granted by desired/security.yaml:") for c in plan["changes"])


def test_basic_example_hits_max_deletes_then_plans_with_allow_deletes(
    idc: IdcRunner, tmp_path: Path
) -> None:
    repo = example(tmp_path, "basic")
    out = tmp_path / "plan.json"
    refused = idc("--repo", str(repo), "--sim", "plan", "--format", "markdown", "-o", str(out))
    assert refused.exit_code == 1
    assert "error: the plan deletes 47 resources, more than safety.max_deletes (25)" in (
        refused.stderr
    )
    assert "--allow-deletes" in refused.stderr
    assert "Traceback" not in refused.output
    # the pull-request comment still shows what would be deleted, and why it is refused
    comment = refused.stdout.splitlines()
    assert comment[1] == "### idc plan: 2 to add, 1 to change, 47 to destroy."
    assert comment[3].startswith("instance `arn:aws:sso:::instance/ssoins-")  # the header
    assert comment[5].startswith("> ⛔ **This plan cannot be applied:** the plan deletes 47")
    assert "- 🔴 delete `Developer`: not in desired state; permission sets are managed" in (
        "\n".join(comment)
    )
    assert not out.exists()  # a plan that cannot be applied is never saved

    result = idc("--repo", str(repo), "--sim", "--no-color", "plan", "--allow-deletes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == "Plan: 2 to add, 1 to change, 47 to destroy."
    assert any(line.startswith("  ~ user alice@example.com  # name, nick_name") for line in lines)
    assert any(
        line.startswith("  + assignment ReadOnly to GROUP Platform in 444444444445")
        for line in lines
    )
    assert any(line.startswith("  - permission_set Developer") for line in lines)
    # protect: BreakGlass keeps its assignments, and so its group and user
    assert not any("BreakGlass" in line for line in lines if line.startswith("  - "))
    assert any(
        line.startswith("Warning: skipped 10 changes protected by safety.protect") for line in lines
    )
    assert any(
        "skipped 3 changes needed by a protected resource: delete group:BreakGlass" in line
        for line in lines
    )


def test_scim_example_matches_demo_and_detailed_exitcode_is_0(
    idc: IdcRunner, tmp_path: Path
) -> None:
    repo = example(tmp_path, "scim")
    result = idc("--repo", str(repo), "--sim", "plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No changes.")
    assert "# user: not managed (manage.users: false)" in result.stdout


def test_detailed_exitcode_2_and_plan_file_saved(idc: IdcRunner, tmp_path: Path) -> None:
    repo = example(tmp_path, "multi-account")
    out = tmp_path / "plans" / "plan.json"
    result = idc(
        "--repo", str(repo), "--sim", "plan", "--detailed-exitcode", "-o", str(out),
        "--format", "markdown",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.stdout.splitlines()[1].startswith(
        "### idc plan: 6 to add, 0 to change, 0 to destroy."
    )
    saved = json.loads(out.read_text())
    assert saved["summary"] == {"create": 6, "update": 0, "delete": 0}
    assert len(saved["fingerprint"]) == 64
    assert not list(out.parent.glob(".*.tmp"))  # atomic write leaves no temp file


def test_unknown_scim_group_is_a_located_error(idc: IdcRunner, tmp_path: Path) -> None:
    repo = example(tmp_path, "scim")
    rules = repo / "desired" / "assignments.yaml"
    rules.write_text(
        rules.read_text()
        + '  - permission_set: ReadOnly\n    groups: [Contractors]\n    accounts: "*"\n'
    )
    line = rules.read_text().splitlines().index("    groups: [Contractors]") + 1
    result = idc("--repo", str(repo), "--sim", "plan")
    assert result.exit_code == 1
    assert f"desired/assignments.yaml:{line}:" in result.stderr
    assert 'group "Contractors" is not in AWS; with manage.groups: false' in result.stderr
    assert "Traceback" not in result.output


def test_plan_is_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    repo = example(tmp_path, "basic")
    outputs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-c", "from reconciler.cli.main import main; main()",
             "--repo", str(repo), "--sim", "plan", "--allow-deletes", "--format", "json"],
            capture_output=True, text=True, env=env, check=False, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads(outputs[0])["summary"]["delete"] == 47


def test_plan_notes_what_filters_leave_out_by_the_settings(idc: IdcRunner, tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text(
        "instance: auto\nmanage: {users: false, groups: false, memberships: false}\n"
    )
    (tmp_path / "desired").mkdir()
    (tmp_path / "desired" / "a.yaml").write_text(
        "assignments:\n"
        "  - permission_set: AdministratorAccess\n"
        "    groups: [Platform]\n"
        '    accounts: "*"\n'
    )
    result = idc("--repo", str(tmp_path), "--sim", "plan", "--allow-deletes", "--format", "json")
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert (
        "assignment: account filters: 1 suspended account left out "
        "(accounts.include_suspended: false)" in notes
    )
    text = idc("--repo", str(tmp_path), "--sim", "plan", "--allow-deletes")
    assert (
        "assignment: account filters: the management account left out "
        "(accounts.include_management: false)" in text.stdout
    )
