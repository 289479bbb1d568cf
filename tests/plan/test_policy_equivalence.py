"""Inline policies are compared as IAM reads them: a rewriting that means the
same policy plans nothing, a real change updates and re-provisions."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.desired.settings import Settings
from reconciler.desired.types import Desired
from reconciler.model import Account, PermissionSet, State, policy_identity
from reconciler.plan import build_plan
from tests.conftest import IdcRunner

ACCOUNTS = [Account("111111111111", "a"), Account("222222222222", "b")]

ACTIONS = ["s3:GetObject", "s3:ListBucket", "iam:CreateUser", "ec2:Describe*", "kms:Decrypt"]
RESOURCES = ["*", "arn:aws:s3:::Bucket", "arn:aws:s3:::bucket/*", "arn:aws:iam::*:user/X"]
statements = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3, unique=True),
        "Resource": st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2, unique=True),
    },
    optional={
        "Sid": st.sampled_from(["A", "B", "Deny1"]),
        "Condition": st.just({"StringEquals": {"aws:PrincipalTag/team": ["x", "y"]}}),
    },
)
policies = st.fixed_dictionaries(
    {"Version": st.just("2012-10-17"), "Statement": st.lists(statements, min_size=1, max_size=4)}
)


@st.composite
def rewritings(draw: st.DrawFn, policy: dict[str, Any]) -> dict[str, Any]:
    """`policy` spelled another way IAM reads the same."""
    out = copy.deepcopy(policy)
    rewritten = []
    for statement in draw(st.permutations(out["Statement"])):
        for name in ("Action", "Resource"):
            values = list(draw(st.permutations(statement[name])))
            if name == "Action":
                values = [
                    draw(st.sampled_from([v, v.upper(), v.lower(), v.title()])) for v in values
                ]
                values += draw(st.lists(st.sampled_from(values), max_size=1))  # a repeat
            if len(values) == 1 and draw(st.booleans()):
                statement[name] = values[0]  # "x" == ["x"]
            else:
                statement[name] = values
        if "Condition" in statement and draw(st.booleans()):
            statement["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": ["y", "x"]}}
        keys = draw(st.permutations(list(statement)))
        rewritten.append({k: statement[k] for k in keys})
    out["Statement"] = rewritten
    if len(rewritten) == 1 and draw(st.booleans()):
        out["Statement"] = rewritten[0]  # one Statement object == a list of one
    return out


def plan_for(desired_policy: Any, live_policy: Any, description: str = "d") -> Any:
    live_ps = PermissionSet.build("Ops", description="d", inline_policy=live_policy)
    want = PermissionSet.build("Ops", description=description, inline_policy=desired_policy)
    live = State.build(
        permission_sets=[live_ps],
        accounts=ACCOUNTS,
        provisioned={"Ops": [a.id for a in ACCOUNTS]},
    )
    desired = Desired(permission_sets={"Ops": want}, declared=frozenset({"permission_sets"}))
    return build_plan(desired, live, Settings(), allow_deletes=True)


@given(st.data())
def test_equivalent_rewritings_compare_equal_and_plan_nothing(data: st.DataObject) -> None:
    policy = data.draw(policies)
    other = data.draw(rewritings(policy))
    assert policy_identity(other) == policy_identity(policy)
    assert PermissionSet.build("Ops", inline_policy=other) == PermissionSet.build(
        "Ops", inline_policy=policy
    )
    assert plan_for(other, policy).changes == ()


@given(st.data())
def test_a_real_change_is_one_update_that_reprovisions(data: st.DataObject) -> None:
    policy = data.draw(policies)
    changed = data.draw(rewritings(policy))
    statements_ = changed["Statement"]
    first = statements_ if isinstance(statements_, dict) else statements_[0]
    first["Effect"] = "Deny" if first["Effect"] == "Allow" else "Allow"
    assert policy_identity(changed) != policy_identity(policy)
    (change,) = plan_for(changed, policy).changes
    assert (change.action, change.kind) == ("update", "permission_set")
    assert change.reason.startswith("inline_policy differs")
    assert change.reprovision == ("111111111111", "222222222222")


def test_resource_arns_stay_case_sensitive() -> None:
    one = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::Bucket"}],
    }
    other = copy.deepcopy(one)
    other["Statement"][0]["Resource"] = "arn:aws:s3:::bucket"
    assert policy_identity(one) != policy_identity(other)
    assert plan_for(other, one).changes != ()


def test_another_field_changed_leaves_a_reformatted_policy_alone() -> None:
    """Only the description differs in meaning: the update names only it."""
    live = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}],
    }
    desired = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "S3:getobject", "Resource": "*"},
    }
    (change,) = plan_for(desired, live, description="new").changes
    assert change.reason.startswith("description differs")
    assert "inline_policy" not in change.reason


DEVELOPER_POLICY = """\
    inline_policy:
      Version: '2012-10-17'
      Statement:
        Sid: DenyIamUsers
        Resource: ['*']
        Effect: Deny
        Action: [IAM:createaccesskey, iam:CreateUser, iam:CreateUser]
"""


def _rewrite_developer(repo: Path, policy_yaml: str, description: str | None = None) -> None:
    """Replace the inline policy `idc init --from-live` wrote (and maybe the
    description) in desired/permission_sets/Developer.yaml."""
    path = repo / "desired" / "permission_sets" / "Developer.yaml"
    text = path.read_text()
    start, end = text.index("    inline_policy:\n"), text.index("    managed_policies:")
    text = text[:start] + policy_yaml + text[end:]
    if description:
        text = re.sub(r"(?m)^    description: .*$", f"    description: {description}", text)
    path.write_text(text)


@pytest.mark.usefixtures("unpaced")  # policy comparison, not timing
def test_cli_plan_ignores_a_reformatted_policy_and_apply_leaves_it(
    idc: IdcRunner, tmp_path: Path
) -> None:
    repo = str(tmp_path)
    assert idc("--repo", repo, "--sim", "init", "--from-live").exit_code == 0
    _rewrite_developer(tmp_path, DEVELOPER_POLICY)
    plan = idc("--repo", repo, "--sim", "plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "Plan: 0 to add, 0 to change, 0 to destroy." in plan.stdout

    _rewrite_developer(tmp_path, DEVELOPER_POLICY, description="Build and run, no IAM users")
    plan = idc("--repo", repo, "--sim", "plan")
    assert "~ description" in plan.stdout and "inline_policy" not in plan.stdout, plan.stdout
    applied = idc("--repo", repo, "--sim", "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert (
        "PutInlinePolicyToPermissionSet" not in (tmp_path / "journal" / "audit.jsonl").read_text()
    )
