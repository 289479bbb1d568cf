"""The local apply lock and the S3 lock object."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from reconciler.apply.lock import FileLock, LockHeldError, apply_lock
from reconciler.aws.clients import AwsSession
from reconciler.aws.s3_lock import S3Lock, S3LockHeldError


def test_a_second_lock_is_refused_naming_the_holder(tmp_path: Path) -> None:
    first = FileLock(tmp_path)
    first.acquire("20250101T000000Z-abc123.jsonl")
    with pytest.raises(LockHeldError) as caught:
        FileLock(tmp_path).acquire()
    message = str(caught.value)
    assert f"pid {os.getpid()}" in message and "20250101T000000Z-abc123.jsonl" in message
    first.release()
    FileLock(tmp_path).acquire()  # free again


def test_a_lock_left_by_a_dead_process_is_taken_over_with_a_warning(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    lock = FileLock(tmp_path)
    lock.path.parent.mkdir(parents=True)
    import socket

    holder = {
        "host": socket.gethostname(),
        "pid": int(dead.stdout),
        "user": "ci",
        "time": "2025-01-01T00:00:00Z",
        "journal": "",
    }
    lock.path.write_text(json.dumps(holder))
    warnings: list[str] = []
    with apply_lock(tmp_path, warn=warnings.append) as me:
        assert me.pid == os.getpid()
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()
    assert len(warnings) == 1 and f"pid {int(dead.stdout)}" in warnings[0]
    assert not lock.path.exists()


def test_a_lock_from_another_host_is_never_taken_over(tmp_path: Path) -> None:
    lock = FileLock(tmp_path)
    lock.path.parent.mkdir(parents=True)
    lock.path.write_text(json.dumps({"host": "runner-7", "pid": 1, "user": "ci", "time": "t"}))
    with pytest.raises(LockHeldError, match="on runner-7"):
        lock.acquire()


@mock_aws
def test_s3_lock_is_exclusive_and_names_its_holder() -> None:
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="idc-locks", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    session = AwsSession(region="eu-west-1")
    first = S3Lock(session, "s3://idc-locks/prod/apply.lock")
    first.acquire({"host": "runner-1", "pid": 42, "user": "ci", "time": "t", "journal": "j1"})
    second = S3Lock(session, "s3://idc-locks/prod/apply.lock")
    with pytest.raises(S3LockHeldError, match="pid 42 of ci on runner-1 since t, journal j1"):
        second.acquire({"host": "runner-2", "pid": 7, "user": "ci", "time": "t2"})
    first.release()
    second.acquire({"host": "runner-2", "pid": 7, "user": "ci", "time": "t2"})
    second.release()
    assert "Contents" not in boto3.client("s3", region_name="eu-west-1").list_objects_v2(
        Bucket="idc-locks"
    )
