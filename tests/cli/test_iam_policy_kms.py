"""`idc iam-policy` with a KMS encryption key: kms:GenerateDataKey and
kms:Decrypt on that one key, for every job, from --kms-key or idc.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.aws.iam_policy import PolicyOptions, allowed_actions, policy_document
from tests.conftest import IdcRunner

ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    ("ref", "resource", "alias"),
    [
        (ARN, ARN, None),
        ("1234abcd", "arn:aws:kms:*:*:key/1234abcd", None),
        ("alias/idc", "arn:aws:kms:*:*:key/*", "alias/idc"),
        ("arn:aws:kms:eu-west-1:123456789012:alias/idc", "arn:aws:kms:*:*:key/*", "alias/idc"),
    ],
)
def test_kms_statement_is_scoped_to_the_key(ref: str, resource: str, alias: str | None) -> None:
    for job in ("snapshot", "plan", "apply"):
        document = policy_document(job, PolicyOptions(kms_key=ref))
        (statement,) = [s for s in document["Statement"] if s["Sid"] == "EncryptionKey"]
        assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
        assert statement["Resource"] == resource
        if alias:
            assert statement["Condition"] == {
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}
            }
        else:
            assert "Condition" not in statement
    assert not any(a.startswith("kms:") for a in allowed_actions(policy_document("plan")))


def test_cli_takes_the_key_from_idc_yaml_or_the_option(tmp_path: Path, idc: IdcRunner) -> None:
    (tmp_path / "idc.yaml").write_text(f"encryption:\n  key: kms:{ARN}\n")
    from_settings = idc("--repo", str(tmp_path), "iam-policy", "plan")
    assert from_settings.exit_code == 0, from_settings.output
    by_sid = {s["Sid"]: s for s in json.loads(from_settings.stdout)["Statement"]}
    assert by_sid["EncryptionKey"]["Resource"] == ARN
    text = idc("iam-policy", "snapshot", "--kms-key", "kms:alias/x", "--format", "text")
    assert text.exit_code == 0 and "EncryptionKey: kms:GenerateDataKey" in text.stdout
    (tmp_path / "idc.yaml").write_text("encryption:\n  key: env:IDC_KEY\n")
    local = idc("--repo", str(tmp_path), "iam-policy", "apply")
    assert local.exit_code == 0 and "kms:" not in local.stdout
