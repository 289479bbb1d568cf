"""Encrypted fields with a KMS key (the simulator's KMS): one data key made
once and kept wrapped in the manifest, KMS Decrypt on later runs, every KMS
call covered by `idc iam-policy`, and a different KMS key refused by name."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from reconciler.sim.embedded import embedded_simulator
from reconciler.store.state_dir import read_state_dir
from tests.cli.iam_policy_help import assert_allowed, policy, recording
from tests.conftest import run_idc
from tests.store.conftest import make_git_repo


def idc_in(repo: Path, *args: str) -> tuple[int, str, str]:
    result = run_idc("--repo", str(repo), "--sim", *args)
    return result.exit_code, result.stdout, result.stderr


def test_kms_fields_round_trip_and_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    make_git_repo(repo)
    with embedded_simulator(repo / ".idc" / "sim") as sim:
        kms = sim.client("kms")
        first = kms.create_key()["KeyMetadata"]["KeyId"]
        other = kms.create_key()["KeyMetadata"]["Arn"]
        kms.create_alias(AliasName="alias/idc-fields", TargetKeyId=first)
    (repo / "idc.yaml").write_text(
        "encryption:\n  key: kms:alias/idc-fields\n  fields: [user_name, emails]\n"
    )
    recorder = recording(monkeypatch)
    code, out, err = idc_in(repo, "snapshot")
    assert code == 0, out + err
    first_calls = recorder.take()
    assert "kms:GenerateDataKey" in first_calls
    files = read_state_dir(repo / "state")
    assert b"@example.com" not in b"".join(files.values())
    assert b"wrapped_data_key: " in files["manifest.yaml"]

    code, out, err = idc_in(repo, "snapshot")
    assert code == 0 and "nothing to commit" in out, out + err
    again = recorder.take()
    assert "kms:Decrypt" in again and "kms:GenerateDataKey" not in again  # the key is reused
    assert read_state_dir(repo / "state") == files
    assert len(list(git.Repo(repo).iter_commits())) == 1
    allowed = policy(run_idc, "--repo", str(repo), "iam-policy", "snapshot")
    assert_allowed(first_calls | again, allowed, "snapshot")

    code, out, err = idc_in(repo, "history", "show", "HEAD", "--format", "yaml")
    assert code == 0 and "alice@example.com" in out and "enc:v1:" not in out, out + err

    (repo / "idc.yaml").write_text(f"encryption:\n  key: kms:{other}\n  fields: [emails]\n")
    code, out, err = idc_in(repo, "history", "show", "HEAD")
    assert code == 1
    (line,) = err.strip().splitlines()
    assert "cannot decrypt with kms:" in line and "IncorrectKeyException" in line, err
