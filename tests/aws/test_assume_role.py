"""Acting as another role: assumed at the first call, renewed by botocore."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from reconciler.aws.clients import AwsSession
from reconciler.sim import Simulator, sts
from reconciler.sim.embedded import embedded_simulator
from tests.conftest import IdcResult, IdcRunner

ROLE = "arn:aws:iam::123456789012:role/idc-apply"


def test_an_assumed_role_session_calls_aws_as_that_role() -> None:
    with Simulator():
        boto3.client("iam").create_role(
            RoleName="idc-apply", AssumeRolePolicyDocument=trust(external_id="ext-1")
        )
        session = AwsSession(role_arn=ROLE, external_id="ext-1")
        identity = session.caller_identity()
        assert identity["arn"] == "arn:aws:sts::123456789012:assumed-role/idc-apply/idc"
        assert session.client("sso-admin").list_instances()["Instances"] is not None
        # the credentials are botocore's refreshable kind, not a one-shot copy
        credentials = session.client("sts")._request_signer._credentials
        assert credentials.method == "assume-role" and hasattr(credentials, "refresh_needed")


@pytest.mark.usefixtures("unpaced")  # roles, not timing
def test_every_command_can_act_as_a_role_from_the_option_or_idc_yaml(
    tmp_path: Path, idc: IdcRunner
) -> None:
    assert idc("--repo", str(tmp_path), "--sim", "init", "--from-live").exit_code == 0
    by_option = idc("--repo", str(tmp_path), "--sim", "--role-arn", ROLE, "plan")
    assert by_option.exit_code == 0, by_output(by_option)
    settings = tmp_path / "idc.yaml"
    settings.write_text(settings.read_text() + f"aws:\n  role_arn: {ROLE}\n  external_id: x1\n")
    assert idc("--repo", str(tmp_path), "validate").exit_code == 0
    assert idc("--repo", str(tmp_path), "--sim", "plan").exit_code == 0
    (tmp_path / "desired" / "groups.yaml").write_text(
        (tmp_path / "desired" / "groups.yaml").read_text().replace("Payments squad", "Payments")
    )
    applied = idc("--repo", str(tmp_path), "--sim", "apply", "--auto-approve")
    assert applied.exit_code == 0, by_output(applied)
    (journal,) = sorted((tmp_path / "journal").glob("2*.jsonl"))
    caller = json.loads(journal.read_text().splitlines()[0])["caller"]["arn"]
    assert caller == "arn:aws:sts::123456789012:assumed-role/idc-apply/idc"  # journaled as the role
    settings.write_text(settings.read_text().replace(ROLE, "not-a-role"))
    bad = idc("--repo", str(tmp_path), "validate")
    assert bad.exit_code == 1 and "idc.yaml:" in bad.stderr and "role_arn" in bad.stderr


def by_output(result: IdcResult) -> str:
    return result.output


def trust(external_id: str | None = None) -> str:
    """The simulated account may assume the role (with this external id)."""
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "sts:AssumeRole",
    }
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_a_role_aws_would_not_let_idc_assume_is_one_line_naming_it_and_why(
    tmp_path: Path, idc: IdcRunner
) -> None:
    """AWS refuses AssumeRole of a role that does not exist, or whose trust
    policy's sts:ExternalId condition fails, and so does the simulator; idc
    says so in one line naming the role and AWS's reason, without a
    traceback, before writing anything."""
    with embedded_simulator(tmp_path / ".idc" / "sim"):  # saved for the commands below
        sts.add_role("partner", trust(external_id="idc-7f3a"))
    partner = "arn:aws:iam::123456789012:role/partner"
    for arn, extra in (
        ("arn:aws:iam::123456789012:role/Missing", []),
        (partner, ["--external-id", "wrong-id"]),
        (partner, []),
    ):
        result = idc(
            "--repo", str(tmp_path), "--sim", "--role-arn", arn, *extra, "snapshot", "--no-commit"
        )
        assert result.exit_code == 1, result.output
        assert result.stderr.strip() == (
            f"error: cannot assume {arn} (sts:AssumeRole): AccessDenied: User: "
            "arn:aws:sts::123456789012:user/moto is not authorized to perform: "
            f"sts:AssumeRole on resource: {arn}"
        ), result.stderr
        assert not (tmp_path / "state").exists()
    right = ["--role-arn", partner, "--external-id", "idc-7f3a"]
    result = idc("--repo", str(tmp_path), "--sim", *right, "snapshot", "--no-commit")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "state" / "users.yaml").is_file()
