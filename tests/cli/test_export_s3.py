"""Backups in S3 through the simulator: parallel targets with one failing,
server-side encryption, multipart uploads, and an encrypted S3 backup
restored into the simulator equal to its source."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from reconciler.aws.clients import AwsSession
from reconciler.aws.s3_objects import S3Objects, ServerSideEncryption
from reconciler.sim import Simulator
from reconciler.sim.embedded import embedded_simulator
from tests.cli.conftest import delete_group
from tests.cli.iam_policy_help import assert_allowed, policy, recording
from tests.cli.test_export import export, snapshot_repo
from tests.cli.test_export_encrypted import KEY_VAR, new_key, set_key
from tests.conftest import IdcRunner, run_idc
from tests.store.conftest import make_git_repo

BUCKET = "idc-backups"


@pytest.fixture
def repo(tmp_path: Path, sim: Simulator) -> Path:
    sim.client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": sim.region}
    )
    return snapshot_repo(tmp_path / "repo")


def keys(sim: Simulator, prefix: str = "") -> list[str]:
    listed = sim.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", ()))


def test_two_targets_one_missing_bucket(repo: Path, sim: Simulator, tmp_path: Path) -> None:
    code, out, err = export(
        repo, "--to", f"s3://{BUCKET}/prod", "--to", "s3://no-such-bucket/x", "--sse", "AES256"
    )
    assert code == 1, out + err
    assert "failed  s3://no-such-bucket/x: ListObjectsV2 on s3://no-such-bucket/x/ failed" in out
    assert "the bucket does not exist" in out and "1 of 2 target(s) failed" in err
    stored = keys(sim, "prod/")
    (name,) = {k.split("/")[1] for k in stored}
    assert f"ok      s3://{BUCKET}/prod/{name}\n" in out
    assert f"prod/{name}/manifest.json" in stored and f"prod/{name}/state/users.yaml" in stored
    head = sim.client("s3").head_object(Bucket=BUCKET, Key=f"prod/{name}/state/users.yaml")
    assert head["ServerSideEncryption"] == "AES256"


def test_encrypted_s3_backup_restores_into_the_simulator(
    repo: Path, sim: Simulator, idc: IdcRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VAR, new_key())
    set_key(repo, f"env:{KEY_VAR}")
    code, out, err = export(repo, "--to", f"s3://{BUCKET}/idc", "--encrypt")
    assert code == 0, out + err
    (name,) = {k.split("/")[1] for k in keys(sim, "idc/")}
    source = f"s3://{BUCKET}/idc/{name}"
    # Live drifts from the backup: a group deleted, with its memberships
    # and assignments.
    delete_group(sim, "Auditors")

    result = idc("--repo", str(repo), "restore", source, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Auditors" in result.output
    result = idc("--repo", str(repo), "snapshot", "-m", "after restore")
    assert result.exit_code == 0, result.output
    result = idc("--repo", str(repo), "history", "diff", source, "HEAD")
    assert result.exit_code == 0 and result.stdout.rstrip().endswith("no changes"), result.output


def test_large_files_go_up_in_parts(sim: Simulator, tmp_path: Path) -> None:
    sim.client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": sim.region}
    )
    big = tmp_path / "big"
    big.write_bytes(b"x" * (17 * 1024 * 1024))
    objects = S3Objects(AwsSession(region=sim.region), BUCKET)
    objects.upload(big, "b/big", ServerSideEncryption())
    etag = sim.client("s3").head_object(Bucket=BUCKET, Key="b/big")["ETag"]
    assert etag.strip('"').endswith("-3")  # a multipart upload of three parts
    out = io.BytesIO()
    objects.download("b/big", out)
    assert out.getvalue() == big.read_bytes()


def test_every_backup_call_is_in_the_iam_policy(
    repo: Path, sim: Simulator, idc: IdcRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Export, import and prune against S3 (multipart uploads: see below),
    recorded call by call, all allowed by `idc iam-policy snapshot --backups`;
    the plan role may read backups but never write them."""
    recorder = recording(monkeypatch)
    code, out, err = export(repo, "--to", f"s3://{BUCKET}/idc")
    assert code == 0, out + err
    written = recorder.take()
    (name,) = {k.split("/")[1] for k in keys(sim, "idc/")}
    result = idc("--repo", str(repo), "import", f"s3://{BUCKET}/idc/{name}")
    assert result.exit_code == 0, result.output
    result = idc("--repo", str(repo), "prune", "--target", f"s3://{BUCKET}/idc", "--keep-last", "1")
    assert result.exit_code == 0, result.output
    calls = written | recorder.take()
    assert {"s3:PutObject", "s3:ListObjectsV2", "s3:GetObject"} <= calls, calls
    args = ("--repo", str(repo), "iam-policy")
    allowed = policy(idc, *args, "snapshot", "--backups", f"s3://{BUCKET}/idc")
    assert_allowed(calls, allowed, "export/import/prune")
    plan = policy(idc, *args, "plan", "--backups", f"s3://{BUCKET}/idc")
    assert "s3:GetObject" in plan and "s3:PutObject" not in plan and "s3:DeleteObject" not in plan


def test_the_embedded_simulator_keeps_s3_between_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`idc --sim`: an encrypted backup exported to the simulator's S3 by one
    command is test-restored by the next, into a simulator of its own."""
    repo = tmp_path / "repo"
    make_git_repo(repo)
    monkeypatch.setenv(KEY_VAR, new_key())
    (repo / "idc.yaml").write_text(f"encryption:\n  key: env:{KEY_VAR}\n")
    with embedded_simulator(repo / ".idc" / "sim") as sim:
        sim.client("s3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": sim.region}
        )
    sim_idc = ("--repo", str(repo), "--sim")
    assert run_idc(*sim_idc, "snapshot").exit_code == 0
    result = run_idc(*sim_idc, "export", "--to", f"s3://{BUCKET}/idc", "--encrypt")
    assert result.exit_code == 0, result.output
    (source,) = re.findall(r"ok +(s3://\S+)", result.stdout)
    result = run_idc(*sim_idc, "restore", source, "--test")
    assert result.exit_code == 0, result.output
    assert "restorable: 8 users, 6 groups, 11 memberships" in result.stdout
