"""`idc iam-policy`: each job's real AWS calls are exactly what its policy allows.

The jobs run through the CLI against the in-process simulator while every
client-side API call is recorded (CallStats.record_call, the same counter
`-v` reports). Each recorded call is mapped to its IAM action and must be
allowed by the document `idc iam-policy JOB` prints; for the read jobs the
union over both read strategies must equal the policy (nothing unused), and
test_iam_policy_apply.py does the same for apply and rollback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from reconciler.aws import read_assignments, read_groups, read_provisioning
from reconciler.aws.iam_policy import (
    IAM_PREFIX,
    PolicyOptions,
    allowed_actions,
    policy_document,
)
from reconciler.sim import Simulator
from tests.cli.iam_policy_help import Recorder, assert_allowed, needed, policy, recording
from tests.conftest import IdcRunner

LOCK = "s3://idc-locks/prod/apply.lock"
READ_VERBS = ("List", "Describe", "Get")
SERVICE_OF_PREFIX = {prefix: service for service, prefix in IAM_PREFIX.items()}


# --- the documents' shape ------------------------------------------------------

ALL_OPTIONS = PolicyOptions(
    s3_lock=("b", "k"),
    sns_topic="arn:aws:sns:eu-west-1:123456789012:t",
    management_account=True,
)


@pytest.mark.parametrize("job", ["snapshot", "plan", "apply"])
def test_every_action_is_a_real_operation_and_no_wildcard(job: str) -> None:
    botocore_session = botocore.session.get_session()
    document = policy_document(job, ALL_OPTIONS)
    assert document["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in document["Statement"]]
    assert len(sids) == len(set(sids)) and all(sid.isalnum() for sid in sids)
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow" and statement["Action"]
        assert statement["Action"] == sorted(set(statement["Action"]))
        for name in statement["Action"]:
            prefix, operation = name.split(":")
            model = botocore_session.get_service_model(SERVICE_OF_PREFIX[prefix])
            assert operation in model.operation_names, name
    assert allowed_actions(document) == {a for s in document["Statement"] for a in s["Action"]}


def test_read_jobs_never_mutate_and_options_are_scoped() -> None:
    snapshot = allowed_actions(policy_document("snapshot", ALL_OPTIONS))
    plan = allowed_actions(policy_document("plan", ALL_OPTIONS))
    assert snapshot == plan
    reads = {a for a in plan if a != "sns:Publish"}
    assert all(a.split(":")[1].startswith(READ_VERBS) for a in reads), sorted(reads)
    apply = policy_document("apply", ALL_OPTIONS)
    assert reads < allowed_actions(apply)
    by_sid = {s["Sid"]: s for s in apply["Statement"]}
    assert by_sid["ApplyLockObject"]["Resource"] == "arn:aws:s3:::b/k"
    assert by_sid["NotifyFailures"]["Resource"] == ALL_OPTIONS.sns_topic
    assert "iam:CreateRole" in by_sid["ManagementAccountReservedSsoRoles"]["Action"]
    for sid in ("ApplyLockObject", "NotifyFailures", "ManagementAccountReservedSsoRoles"):
        assert by_sid[sid]["Resource"] != "*"
    # restore's check reads AWS managed policies, nothing else of IAM
    assert by_sid["RestoreCheckAwsManagedPolicies"]["Resource"] == "arn:aws:iam::aws:policy/*"
    plain = allowed_actions(policy_document("apply"))
    assert {a for a in plain if a.startswith(("iam:", "s3:", "sns:"))} == {"iam:GetPolicy"}


def test_cli_text_explains_and_ends_with_the_json(idc: IdcRunner) -> None:
    result = idc("iam-policy", "plan", "--format", "text")
    assert result.exit_code == 0, result.output
    assert "can never change Identity Center" in result.stdout
    _about, _, document = result.stdout.partition("\n\n")
    assert json.loads(document) == policy_document("plan")
    refused = idc("iam-policy", "snapshot", "--s3-lock", LOCK)
    assert refused.exit_code == 1 and "only concerns apply" in refused.stderr
    bad = idc("iam-policy", "apply", "--sns-topic", "https://hooks.example.com/x")
    assert bad.exit_code == 1 and "not an SNS topic ARN" in bad.stderr


# --- the real jobs against the simulator ------------------------------------------


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    return recording(monkeypatch)


def other_strategies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every read strategy flipped to the one the demo organization does not choose."""
    choose_assignments = read_assignments.choose_assignment_strategy
    choose_memberships = read_groups.membership_strategy
    choose_provisioning = read_provisioning.choose_provisioning_strategy

    def assignments(*args: Any) -> read_assignments.AssignmentStrategy:
        chosen = choose_assignments(*args)
        other = "per-pair" if chosen.name == "per-principal" else "per-principal"
        return read_assignments.AssignmentStrategy(other, 0, 0)

    def memberships(*args: Any) -> str:
        return "per-user" if choose_memberships(*args) == "per-group" else "per-group"

    def provisioning(*args: Any) -> tuple[str, dict[str, float]]:
        chosen, _ = choose_provisioning(*args)
        return ("per-account" if chosen == "per-permission-set" else "per-permission-set"), {}

    monkeypatch.setattr(read_assignments, "choose_assignment_strategy", assignments)
    monkeypatch.setattr(read_groups, "membership_strategy", memberships)
    monkeypatch.setattr(read_provisioning, "choose_provisioning_strategy", provisioning)


@pytest.mark.usefixtures("unpaced")  # which calls, not how fast
def test_snapshot_and_plan_read_exactly_what_their_policy_allows(
    tmp_path: Path,
    idc: IdcRunner,
    sim: Simulator,
    recorder: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = str(tmp_path)
    assert idc("--repo", repo, "init", "--from-live").exit_code == 0
    snapshot_policy = policy(idc, "iam-policy", "snapshot")
    plan_policy = policy(idc, "iam-policy", "plan")
    recorder.take()
    assert idc("--repo", repo, "snapshot", "-m", "one").exit_code == 0
    snapshot_calls = recorder.take()
    assert idc("--repo", repo, "plan").exit_code == 0
    plan_calls = recorder.take()
    with monkeypatch.context() as patch:
        other_strategies(patch)
        assert idc("--repo", repo, "snapshot", "-m", "two").exit_code == 0
        snapshot_calls |= recorder.take()
        assert idc("--repo", repo, "plan").exit_code == 0
        plan_calls |= recorder.take()
    assert_allowed(snapshot_calls, snapshot_policy, "snapshot")
    assert_allowed(plan_calls, plan_policy, "plan")
    # least privilege: every granted action is used by one strategy or the other
    assert needed(snapshot_calls) == snapshot_policy
    assert needed(plan_calls) == plan_policy
