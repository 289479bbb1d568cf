"""`idc iam-policy apply`: apply, its resume checks and rollback of a plan
touching every kind stay within the apply policy and use all of it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reconciler.apply.ops import ops_from_plan
from reconciler.aws.clients import AwsSession
from reconciler.aws.iam_policy import RESTORE_READS, WRITES, action
from reconciler.aws.reader import read_state
from reconciler.aws.writer import Writer
from reconciler.desired.loader import load_desired
from reconciler.desired.settings import load_settings
from reconciler.plan import build_plan
from reconciler.sim import Realism, Simulator
from tests.cli.iam_policy_help import Recorder, assert_allowed, needed, policy, recording
from tests.conftest import IdcRunner
from tests.store.conftest import make_git_repo

LOCK = "s3://idc-locks/prod/apply.lock"


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    return recording(monkeypatch)


# --- apply and rollback of a plan touching every kind -------------------------------

_yaml = YAML(typ="safe", pure=True)  # ruamel's own YAML 1.2 parser, as idc reads YAML

OPS_PS = {
    "name": "Ops",
    "description": "Operations on call",
    "session_duration": "PT3H",
    "relay_state": "https://console.aws.amazon.com/ec2/",
    "managed_policies": ["arn:aws:iam::aws:policy/job-function/SystemAdministrator"],
    "customer_managed_policies": [{"name": "OpsExtras", "path": "/ops/"}],
    "inline_policy": {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}],
    },
    "permissions_boundary": {"managed_policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"},
    "tags": {"team": "ops"},
}


def edit(path: Path, change: Callable[[Any], None]) -> None:
    doc = _yaml.load(path.read_text())
    change(doc)
    out = io.StringIO()
    _yaml.dump(doc, out)
    path.write_text(out.getvalue())


def touch_every_kind(repo: Path) -> None:
    """Create, update and delete users, groups, memberships, permission sets
    (every attribute) and assignments; edit assigned permission sets."""
    desired = repo / "desired"

    def users(doc: Any) -> None:
        doc["users"] = [u for u in doc["users"] if u["user_name"] != "frank@example.com"]
        doc["users"][0]["display_name"] = "Alice S."
        doc["users"].append(
            {
                "user_name": "zed@example.com",
                "display_name": "Zed New",
                "name": {"given": "Zed", "family": "New"},
                "emails": [{"value": "zed@example.com", "type": "work", "primary": True}],
            }
        )

    def groups(doc: Any) -> None:
        kept = [g for g in doc["groups"] if g["name"] != "Payments"]
        for group in kept:
            group["members"] = [m for m in group.get("members", []) if m != "frank@example.com"]
            if group["name"] == "Developers":
                group["description"] = "Product engineering"
                group["members"].append("zed@example.com")
            if group["name"] == "Platform":
                group["members"].remove("bob@example.com")
        kept.append({"name": "Ops", "description": "On call", "members": ["zed@example.com"]})
        doc["groups"] = kept

    edit(desired / "users.yaml", users)
    edit(desired / "groups.yaml", groups)
    for path in (desired / "assignments").glob("*.yaml"):

        def drop(doc: Any) -> None:
            for rule in doc["assignments"]:
                for key in ("users", "groups"):
                    gone = ("frank@example.com", "Payments")
                    rule[key] = [p for p in rule.get(key, []) if p not in gone]
            doc["assignments"] = [r for r in doc["assignments"] if r["users"] or r["groups"]]

        edit(path, drop)

    def developer(doc: Any) -> None:
        ps = doc["permission_sets"][0]
        del ps["inline_policy"]
        ps["managed_policies"] = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
        ps["customer_managed_policies"] = [{"name": "DeveloperMore", "path": "/"}]
        ps["permissions_boundary"] = {
            "managed_policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"
        }
        ps["session_duration"], ps["relay_state"] = "PT2H", "https://console.aws.amazon.com/s3/"
        ps["tags"] = {"owner": "dev"}

    def security_audit(doc: Any) -> None:
        ps = doc["permission_sets"][0]
        del ps["permissions_boundary"]
        ps["inline_policy"] = OPS_PS["inline_policy"]

    edit(desired / "permission_sets" / "Developer.yaml", developer)
    edit(desired / "permission_sets" / "SecurityAudit.yaml", security_audit)
    (desired / "permission_sets" / "Billing.yaml").unlink()
    (desired / "assignments" / "Billing.yaml").unlink()
    (desired / "permission_sets" / "Ops.yaml").write_text(json.dumps({"permission_sets": [OPS_PS]}))
    (desired / "assignments" / "Ops.yaml").write_text(
        json.dumps(
            {
                "assignments": [
                    {"permission_set": "Ops", "accounts": ["555555555555"], "groups": ["Ops"]},
                    {
                        "permission_set": "Developer",
                        "accounts": ["666666666666"],
                        "users": ["zed@example.com"],
                    },
                ]
            }
        )
    )
    settings = repo / "idc.yaml"
    settings.write_text(settings.read_text() + f"lock:\n  s3: {LOCK}\n")


@pytest.mark.usefixtures("unpaced")  # which calls, not how fast
def test_apply_and_rollback_call_only_what_the_apply_policy_allows(
    tmp_path: Path, idc: IdcRunner, sim: Simulator, recorder: Recorder
) -> None:
    repo = str(tmp_path)
    assert idc("--repo", repo, "init", "--from-live").exit_code == 0
    touch_every_kind(tmp_path)
    sim.client("s3").create_bucket(
        Bucket="idc-locks", CreateBucketConfiguration={"LocationConstraint": sim.region}
    )
    # a lock left by a killed run, its lease run out: apply reads and takes it over
    sim.client("s3").put_object(
        Bucket="idc-locks",
        Key="prod/apply.lock",
        Body=json.dumps({"pid": 1, "host": "gone", "expires_at": "2020-01-01T00:00:00.000000Z"}),
    )
    plan_policy = policy(idc, "iam-policy", "plan")
    # the lock comes from idc.yaml without --s3-lock
    apply_policy = policy(idc, "--repo", repo, "iam-policy", "apply")
    assert {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"} <= apply_policy
    recorder.take()

    planned = idc("--repo", repo, "plan", "-o", str(tmp_path / "plan.json"), "--allow-deletes")
    assert planned.exit_code == 0, planned.output
    read_calls = recorder.take()
    assert_allowed(read_calls, plan_policy, "plan")
    settings = load_settings(tmp_path)
    plan = build_plan(
        load_desired(tmp_path, settings), read_state(AwsSession()), settings, allow_deletes=True
    )
    recorder.take()

    sim.realism = Realism(async_delay=0.05)  # assignments and provisioning poll their status

    applied = idc("--repo", repo, "apply", str(tmp_path / "plan.json"), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "took over the S3 lock" in applied.stderr
    apply_calls = recorder.take()
    assert_allowed(apply_calls, apply_policy, "apply")
    # the scenario exercised every write the policy grants, the lock too
    writes = {action(service, op) for service, ops in WRITES.items() for op in ops}
    assert writes <= needed(apply_calls), sorted(writes - needed(apply_calls))
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} <= apply_calls

    sim.realism = Realism()  # status polling is covered; rollback need not wait
    # resume and rollback first ask whether each op's effect is live (not
    # all are: deleting Developer's last assignment in an account de-provisions it)
    writer = Writer(AwsSession(), sim.instance_arn, sim.identity_store_id)
    live = [writer.is_applied(op) for op, _ in ops_from_plan(plan)]
    assert live.count(True) > len(live) // 2
    checked = recorder.take()
    assert_allowed(checked, apply_policy, "apply --resume")

    journal = sorted((tmp_path / "journal").glob("2*.jsonl"))[-1]
    undone = idc("--repo", repo, "rollback", str(journal), "--auto-approve")
    assert undone.exit_code == 0, undone.output
    undo_calls = recorder.take()
    assert_allowed(undo_calls, apply_policy, "rollback")
    # least privilege: every action apply adds to the plan's (which
    # test_iam_policy.py checks exactly) is used by apply, its checks or
    # rollback, or by restore's check (the test below)
    unused = apply_policy - plan_policy - needed(apply_calls | checked | undo_calls)
    unused -= restore_reads()
    assert not unused, sorted(unused)


def restore_reads() -> set[str]:
    return {action(service, op) for service, ops in RESTORE_READS.items() for op in ops}


def test_restore_check_calls_only_what_the_apply_policy_allows(
    tmp_path: Path, idc: IdcRunner, sim: Simulator, recorder: Recorder
) -> None:
    make_git_repo(tmp_path)
    repo = str(tmp_path)
    assert idc("--repo", repo, "init", "--from-live").exit_code == 0
    assert idc("--repo", repo, "snapshot", "--tag", "A").exit_code == 0
    apply_policy = policy(idc, "--repo", repo, "iam-policy", "apply")
    recorder.take()
    checked = idc("--repo", repo, "restore", "A", "--check")
    assert checked.exit_code == 0, checked.output
    calls = recorder.take()
    assert_allowed(calls, apply_policy, "restore --check")
    assert restore_reads() <= needed(calls)


def test_a_failure_notice_is_allowed_by_the_notify_statement(
    tmp_path: Path, idc: IdcRunner, sim: Simulator, recorder: Recorder
) -> None:
    topic = sim.client("sns").create_topic(Name="idc-alerts")["TopicArn"]
    # --notify with an SNS ARN is the default for --sns-topic
    snapshot_policy = policy(idc, "--notify", topic, "iam-policy", "snapshot")
    assert "sns:Publish" in snapshot_policy
    recorder.take()
    failed = idc("--repo", str(tmp_path / "no-repo"), "--notify", topic, "snapshot")
    assert failed.exit_code == 1
    calls = recorder.take()
    assert "sns:Publish" in calls
    assert_allowed(calls, snapshot_policy, "snapshot")
