"""`idc unlock`, apply against a held S3 lock, and the warning an apply gives
when its lock is per clone although CI applies too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reconciler.apply.lease import stamp
from reconciler.apply.lock import unshared_lock_warning
from reconciler.sim import Simulator, seed_demo
from tests.conftest import IdcRunner

LOCK = "s3://idc-locks/prod/apply.lock"
BUCKET, KEY = "idc-locks", "prod/apply.lock"
WARNING = "another clone or CI run can apply at the same time; configure lock.s3 in idc.yaml"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as sim:
        seed_demo(sim)
        sim.client("s3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": sim.region}
        )
        yield sim


@pytest.fixture
def repo(tmp_path: Path, idc: IdcRunner, sim: Simulator) -> Path:
    assert idc("--repo", str(tmp_path), "init", "--from-live").exit_code == 0
    return tmp_path


def with_lock(repo: Path) -> None:
    settings = repo / "idc.yaml"
    settings.write_text(settings.read_text() + f"lock:\n  s3: {LOCK}\n")


def left_by_ci(sim: Simulator, expires_in: timedelta) -> None:
    """A lock object as an apply in CI writes it."""
    body = {
        "host": "runner-7",
        "pid": 4242,
        "user": "runner",
        "acquired_at": "2026-01-02T03:04:05.000000Z",
        "command": "idc apply",
        "ci_run": "https://github.com/acme/idc/actions/runs/99",
        "journal": "",
        "expires_at": stamp(datetime.now(UTC) + expires_in),
    }
    sim.client("s3").put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps(body))


def lock_object(sim: Simulator) -> dict[str, object] | None:
    listed = sim.client("s3").list_objects_v2(Bucket=BUCKET)
    if "Contents" not in listed:
        return None
    body = sim.client("s3").get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    return dict(json.loads(body))


def test_unlock_shows_the_holder_and_removes_the_lock_once_approved(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    with_lock(repo)
    left_by_ci(sim, timedelta(hours=1))
    shown = idc("--repo", str(repo), "unlock", "--dry-run")
    assert shown.exit_code == 0, shown.output
    assert "local lock" in shown.stdout and ": free" in shown.stdout
    assert (
        f"S3 lock {LOCK}: held by pid 4242 of runner on runner-7 since 2026-01-02T03:04:05"
        in shown.stdout
    )
    assert "https://github.com/acme/idc/actions/runs/99" in shown.stdout
    assert "lease until" in shown.stdout
    assert lock_object(sim) is not None

    asked = idc("--repo", str(repo), "unlock")  # stdin is no terminal here
    assert asked.exit_code == 1 and "confirmation needs a terminal" in asked.stderr
    assert lock_object(sim) is not None

    removed = idc("--repo", str(repo), "unlock", "--auto-approve")
    assert removed.exit_code == 0, removed.output
    assert "pid 4242" in removed.stdout and f"Removed the S3 lock {LOCK}." in removed.stderr
    assert lock_object(sim) is None
    assert f"S3 lock {LOCK}: free" in idc("--repo", str(repo), "unlock").stdout


def test_unlock_without_a_shared_lock_shows_the_local_one(repo: Path, idc: IdcRunner) -> None:
    shown = idc("--repo", str(repo), "unlock")
    assert shown.exit_code == 0, shown.output
    assert ": free" in shown.stdout and "S3 lock: none configured" in shown.stdout


def test_apply_is_refused_while_another_lease_runs_and_takes_over_an_expired_one(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    with_lock(repo)
    left_by_ci(sim, timedelta(hours=1))
    refused = idc("--repo", str(repo), "apply", "--auto-approve")
    assert refused.exit_code == 1
    assert f"another apply holds the S3 lock {LOCK}: pid 4242 of runner" in refused.stderr
    assert f"`idc --repo {repo} unlock`" in refused.stderr
    assert lock_object(sim) is not None and lock_object(sim)["pid"] == 4242  # type: ignore[index]

    left_by_ci(sim, -timedelta(seconds=1))
    applied = idc("--repo", str(repo), "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "took over the S3 lock" in applied.stderr and "pid 4242" in applied.stderr
    assert lock_object(sim) is None  # released at the end


def test_apply_and_rollback_warn_without_a_shared_lock_when_a_workflow_applies(
    repo: Path, idc: IdcRunner
) -> None:
    assert (repo / ".github" / "workflows" / "idc-apply.yml").is_file()
    expected = (
        "warning: no shared lock: .github/workflows/idc-apply.yml applies from its own "
        f"clone, so {WARNING}"
    )
    groups = repo / "desired" / "groups.yaml"
    groups.write_text(groups.read_text().replace("Read-only auditors", "Auditors, read only"))
    warned = idc("--repo", str(repo), "apply", "--auto-approve")
    assert warned.exit_code == 0, warned.output
    assert expected in warned.stderr
    (journal,) = sorted((repo / "journal").glob("2*.jsonl"))
    undo = idc("--repo", str(repo), "rollback", str(journal), "--dry-run")
    assert undo.exit_code == 0, undo.output
    assert expected in undo.stderr

    with_lock(repo)  # (the bucket exists: the apply takes and releases the lock)
    quiet = idc("--repo", str(repo), "apply", "--auto-approve")
    assert quiet.exit_code == 0, quiet.output
    assert "no shared lock" not in quiet.stderr


def test_the_warning_depends_on_workflows_lock_and_ci(tmp_path: Path) -> None:
    assert unshared_lock_warning(tmp_path, None, {}) is None  # no workflow
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "lint.yml").write_text("jobs:\n  x:\n    steps:\n      - run: idc validate\n")
    assert unshared_lock_warning(tmp_path, None, {}) is None  # no workflow applies
    (workflows / "deploy.yaml").write_text("      - run: idc --repo org apply plan.json\n")
    local = unshared_lock_warning(tmp_path, None, {})
    assert local is not None and ".github/workflows/deploy.yaml" in local and WARNING in local
    in_ci = unshared_lock_warning(tmp_path, None, {"GITHUB_ACTIONS": "true"})
    assert in_ci is not None
    assert "concurrency group serializes its own runs only" in in_ci and "laptop" in in_ci
    assert unshared_lock_warning(tmp_path, LOCK, {"GITHUB_ACTIONS": "true"}) is None


def test_the_warning_sees_workflows_at_the_root_of_an_enclosing_git_repo(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the work tree `idc init iam` found
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "idc-apply.yml").write_text("      - run: idc apply --auto-approve\n")
    (tmp_path / "iam").mkdir()
    local = unshared_lock_warning(tmp_path / "iam", None, {})
    assert local is not None and ".github/workflows/idc-apply.yml" in local
