"""`idc apply` end to end: the embedded simulator, faults, stale plans, the lock."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reconciler.apply.lock import apply_lock
from reconciler.aws.reader import read_state
from reconciler.desired.loader import load_desired
from reconciler.desired.settings import load_settings
from reconciler.model import State
from reconciler.plan import build_plan
from reconciler.sim import FaultRule, Realism, Simulator
from tests.apply.simhelp import comparable, fast_session
from tests.conftest import IdcRunner

NEW_USER = """  - user_name: zed@example.com
    display_name: Zed New
    name: {given: Zed, family: New}
    emails: [{value: zed@example.com, type: work, primary: true}]
"""
NEW_ASSIGNMENTS = """  - permission_set: Developer
    accounts: ["555555555555", "666666666666"]
    users: [zed@example.com]
"""


def change_desired(repo: Path) -> None:
    """A user, a membership, a group edit, two assignments, a permission set edit."""
    (repo / "desired" / "users.yaml").write_text(
        (repo / "desired" / "users.yaml").read_text() + NEW_USER
    )
    groups = repo / "desired" / "groups.yaml"
    text = groups.read_text().replace("Product engineers", "Product engineering")
    groups.write_text(
        text.replace(
            "      - alice@example.com\n", "      - alice@example.com\n      - zed@example.com\n", 1
        )
    )
    dev = repo / "desired" / "assignments" / "Developer.yaml"
    dev.write_text(dev.read_text() + NEW_ASSIGNMENTS)
    ps = repo / "desired" / "permission_sets" / "Developer.yaml"
    ps.write_text(ps.read_text().replace("session_duration: PT4H", "session_duration: PT2H"))


@pytest.fixture
def repo(tmp_path: Path, idc: IdcRunner, sim: Simulator) -> Path:
    result = idc("--repo", str(tmp_path), "init", "--from-live")
    assert result.exit_code == 0, result.output
    change_desired(tmp_path)
    return tmp_path


def pending(repo: Path) -> list[str]:
    settings = load_settings(repo)
    plan = build_plan(load_desired(repo, settings), read_state(fast_session()), settings)
    return [c.key_text() for c in plan.changes]


def live() -> State:
    return comparable(read_state(fast_session()))


def journals(repo: Path) -> list[Path]:
    return sorted(p for p in (repo / "journal").glob("2*.jsonl"))


def test_apply_with_the_embedded_simulator_reaches_desired(tmp_path: Path, idc: IdcRunner) -> None:
    assert idc("--repo", str(tmp_path), "--sim", "init", "--from-live").exit_code == 0
    change_desired(tmp_path)
    result = idc("--repo", str(tmp_path), "--sim", "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    # the plan is shown exactly as `idc plan` renders it, warnings once
    assert "  + user zed@example.com" in result.stdout
    assert "Plan: 4 to add, 2 to change, 0 to destroy." in result.stdout
    assert "Apply complete: 11 operation(s) done" in result.stderr
    again = idc("--repo", str(tmp_path), "--sim", "apply", "--auto-approve")
    assert again.exit_code == 0 and "No changes" in again.stderr
    (journal,) = journals(tmp_path)
    header = json.loads(journal.read_text().splitlines()[0])
    assert header["kind"] == "apply" and header["instance_arn"].startswith("arn:aws:sso:::")
    assert header["caller"]["arn"] and len(header["plan_fingerprint"]) == 64
    audit = (tmp_path / "journal" / "audit.jsonl").read_text().splitlines()
    assert len(audit) == 11  # one per op, the account-less provision too


def test_without_a_terminal_apply_refuses_to_wait_for_confirmation(
    repo: Path, idc: IdcRunner
) -> None:
    before = live()
    result = idc("--repo", str(repo), "apply")
    assert result.exit_code == 1
    assert "pass --auto-approve" in result.stderr and "Traceback" not in result.output
    assert live() == before and not journals(repo)


def test_throttling_storms_and_transient_500s_are_ridden_out(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    fault = FaultRule("*", probability=0.1, code="InternalServerException", status=500)
    storm = Realism(
        rate_limits=True, sso_admin_tps=10, identitystore_tps=10, seed=7, faults=[fault]
    )
    sim.realism = storm
    result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 11 operation(s) done" in result.stderr
    # There was something to ride out: 500s answered and calls throttled,
    # each one an attempt the apply had to retry.
    assert fault.fired > 0 and storm.throttled > 0, (fault.fired, storm.throttled)
    sim.realism = Realism()
    assert pending(repo) == []


def test_a_permanent_failure_stops_and_rolls_back_automatically(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    before = live()
    reason = "Received a 404 status error: Assignment not found."
    sim.realism = Realism(
        faults=[
            FaultRule(
                "CreateAccountAssignment",
                resource="666666666666",
                permanent=True,
                async_failure=reason,
            )
        ]
    )
    result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert result.exit_code == 1
    assert reason in result.stderr and "666666666666" in result.stderr
    apply_journal, rollback_journal = journals(repo)
    assert f"journal: journal/{apply_journal.name}" in result.stderr
    assert "rolled back automatically" in result.stderr and "Traceback" not in result.output
    assert json.loads(rollback_journal.read_text().splitlines()[0])["parent"] == apply_journal.name
    sim.realism = Realism()
    assert live() == before


def test_no_rollback_on_failure_keeps_the_journal_for_resume(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    sim.realism = Realism(
        faults=[
            FaultRule(
                "CreateAccountAssignment",
                resource="666666666666",
                permanent=True,
                async_failure="quota exceeded",
            )
        ]
    )
    result = idc("--repo", str(repo), "apply", "--auto-approve", "--no-rollback-on-failure")
    assert result.exit_code == 1 and f"idc --repo {repo} apply --resume journal/" in result.stderr
    (journal,) = journals(repo)
    assert "zed@example.com" not in " ".join(pending(repo)).replace("USER:zed@example.com", "")
    sim.realism = Realism()
    resumed = idc("--repo", str(repo), "apply", "--resume", f"journal/{journal.name}")
    assert resumed.exit_code == 0, resumed.output
    assert pending(repo) == []
    assert "already done" in resumed.stderr


def test_a_stale_plan_file_is_refused_naming_what_changed(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    settings = load_settings(repo)
    plan = build_plan(load_desired(repo, settings), read_state(fast_session()), settings)
    plan_file = repo / "plan.json"
    plan_file.write_text(plan.dumps())
    store = sim.client("identitystore")
    group_id = next(
        g["GroupId"]
        for g in store.list_groups(IdentityStoreId=sim.identity_store_id)["Groups"]
        if g["DisplayName"] == "Developers"
    )
    store.update_group(
        IdentityStoreId=sim.identity_store_id,
        GroupId=group_id,
        Operations=[{"AttributePath": "description", "AttributeValue": "edited in the console"}],
    )
    before = live()
    result = idc("--repo", str(repo), "apply", str(plan_file))
    assert result.exit_code == 1
    assert "stale" in result.stderr and "group:Developers" in result.stderr
    assert f"`idc --repo {repo} plan`" in result.stderr  # the hint names the repository
    assert live() == before


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("instance_arn", "arn:aws:sso:::instance/ssoins-0123456789abcdef"),
        ("identity_store_id", "d-0123456789"),
    ],
)
def test_a_plan_file_made_against_another_instance_is_refused(
    repo: Path, idc: IdcRunner, sim: Simulator, field: str, other: str
) -> None:
    made = idc("--repo", str(repo), "plan", "-o", str(repo / "plan.json"))
    assert made.exit_code == 0, made.output
    data = json.loads((repo / "plan.json").read_text())
    mine = sim.instance_arn if field == "instance_arn" else sim.identity_store_id
    assert data[field] == mine  # the plan file records where it was made
    data[field] = other  # as if planned with another --profile or --region
    (repo / "plan.json").write_text(json.dumps(data))
    before = live()
    result = idc("--repo", str(repo), "apply", str(repo / "plan.json"))
    assert result.exit_code == 1
    assert other in result.stderr and mine in result.stderr
    assert "nothing was changed" in result.stderr and "stale" not in result.stderr
    assert "Traceback" not in result.output
    assert live() == before and not journals(repo)


def test_a_plan_file_from_before_instances_were_recorded_still_applies(
    repo: Path, idc: IdcRunner
) -> None:
    assert idc("--repo", str(repo), "plan", "-o", str(repo / "plan.json")).exit_code == 0
    data = json.loads((repo / "plan.json").read_text())
    del data["instance_arn"], data["identity_store_id"]
    (repo / "plan.json").write_text(json.dumps(data))
    result = idc("--repo", str(repo), "apply", str(repo / "plan.json"))
    assert result.exit_code == 0, result.output
    assert pending(repo) == []


def test_a_fresh_plan_file_applies_without_a_prompt(repo: Path, idc: IdcRunner) -> None:
    settings = load_settings(repo)
    plan = build_plan(load_desired(repo, settings), read_state(fast_session()), settings)
    (repo / "plan.json").write_text(plan.dumps())
    result = idc("--repo", str(repo), "apply", str(repo / "plan.json"))
    assert result.exit_code == 0, result.output
    assert pending(repo) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format_version": 1, "changes": [', "not an idc plan file (Expecting value"),
        ("[]", "not an idc plan file: document: expected a mapping, got a list"),
        ('{"format_version": 7}', "unsupported plan format_version 7; this idc writes 1"),
        (
            '{"format_version": 1, "fingerprint": "' + "0" * 64 + '", "summary": '
            '{"create": 1, "update": 0, "delete": 0}, "changes": [{"action": "create", '
            '"kind": "robot", "key": {"name": "r"}, "before": null, "after": {}}]}',
            "changes[0].kind: must be one of user, group, membership, permission_set, "
            'assignment; got "robot"',
        ),
    ],
)
def test_a_corrupt_plan_file_is_refused_before_anything_changes(
    repo: Path, idc: IdcRunner, content: str, expected: str
) -> None:
    before = live()
    (repo / "plan.json").write_text(content)
    result = idc("--repo", str(repo), "apply", str(repo / "plan.json"))
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.output and "unexpected" not in result.output
    assert live() == before and not journals(repo)


def test_a_held_lock_is_reported_with_its_holder(repo: Path, idc: IdcRunner) -> None:
    before = live()
    with apply_lock(repo, journal="20250101T000000000000Z-abcdef.jsonl"):
        result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert result.exit_code == 1
    assert f"pid {os.getpid()} of " in result.stderr
    assert "20250101T000000000000Z-abcdef.jsonl" in result.stderr
    assert live() == before
