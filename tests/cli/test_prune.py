"""`idc prune` through the CLI on a synthetic calendar: exported backups in a
directory and in S3, snapshot tags; --dry-run removes nothing; interrupted
exports and foreign folders are left alone; git history is never rewritten."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import git
import pytest

from reconciler.sim import Simulator
from tests.cli.test_export import export, only_backup, snapshot_repo
from tests.conftest import IdcRunner

FIRST, LAST = date(2026, 10, 1), date(2026, 11, 9)  # one backup a day at 03:00 UTC
POLICY = ("--keep-daily", "3", "--keep-weekly", "3", "--keep-monthly", "2")
# Worked out by hand: daily 3 = Nov 9, 8, 7; weekly 3 = the newest of ISO
# weeks 46 (Mon Nov 9), 45 (Sun Nov 8) and 44 (Sun Nov 1); monthly 2 = Nov 9, Oct 31.
KEPT = {"20261109", "20261108", "20261107", "20261101", "20261031"}


def days() -> list[date]:
    return [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


@pytest.fixture
def repo(tmp_path: Path, sim: Simulator) -> Path:
    return snapshot_repo(tmp_path / "repo")


@pytest.fixture
def calendar(repo: Path, tmp_path: Path) -> Path:
    """A target holding one real backup copied under 40 dated names, an
    interrupted export (no manifest) and a folder idc did not write."""
    seed = tmp_path / "seed"
    assert export(repo, "--to", str(seed))[0] == 0
    backup = only_backup(seed)
    revision = backup.name.split("-", 1)[1]
    target = tmp_path / "backups"
    for day in days():
        shutil.copytree(backup, target / f"{day:%Y%m%d}T030000Z-{revision}")
    (target / f"{LAST:%Y%m%d}T040000Z-{revision}").mkdir()  # interrupted: newest, no manifest
    (target / "notes").mkdir()
    return target


def names(target: Path) -> set[str]:
    return {p.name.split("T", 1)[0] for p in target.iterdir() if (p / "manifest.json").is_file()}


def test_dry_run_then_prune_a_directory(repo: Path, calendar: Path, idc: IdcRunner) -> None:
    before = sorted(p.name for p in calendar.iterdir())
    result = idc("--repo", str(repo), "prune", "--target", str(calendar), *POLICY, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"{calendar}: keep 5, would remove 35" in result.stdout
    assert "(daily 2026-11-09, weekly 2026-W46, monthly 2026-11)" in result.stdout
    assert "left    notes  (not a complete idc backup)" in result.stdout
    assert sorted(p.name for p in calendar.iterdir()) == before  # nothing touched

    result = idc("--repo", str(repo), "prune", "--target", str(calendar), *POLICY, "--json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)["sources"]
    assert len(report["removed"]) == 35
    assert names(calendar) == KEPT
    assert (calendar / "notes").is_dir() and len(report["left_alone"]) == 2
    audit = (repo / "journal" / "audit.jsonl").read_text().splitlines()
    assert json.loads(audit[-1])["call"] == "prune"

    again = idc("--repo", str(repo), "prune", "--target", str(calendar), *POLICY)
    assert again.exit_code == 0 and "keep 5, removed 0" in again.stdout  # idempotent


def test_prune_refuses_a_policy_that_keeps_nothing(
    repo: Path, calendar: Path, idc: IdcRunner
) -> None:
    result = idc("--repo", str(repo), "prune", "--target", str(calendar))
    assert result.exit_code == 1 and "idc never prunes everything" in result.stderr
    result = idc("--repo", str(repo), "prune", "--keep-last", "1")
    assert result.exit_code == 1 and "--target" in result.stderr and "--tags" in result.stderr
    assert len(list(calendar.iterdir())) == len(days()) + 2


def test_prune_s3(repo: Path, sim: Simulator, idc: IdcRunner) -> None:
    s3 = sim.client("s3")
    s3.create_bucket(Bucket="idc-bk", CreateBucketConfiguration={"LocationConstraint": sim.region})
    assert export(repo, "--to", "s3://idc-bk/idc")[0] == 0
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket="idc-bk")["Contents"]]
    (seed,) = {key.split("/")[1] for key in keys}
    revision = seed.split("-", 1)[1]
    for day in days()[-10:]:
        for key in keys:
            new = key.replace(seed, f"{day:%Y%m%d}T030000Z-{revision}")
            s3.copy_object(Bucket="idc-bk", Key=new, CopySource={"Bucket": "idc-bk", "Key": key})
    s3.delete_objects(Bucket="idc-bk", Delete={"Objects": [{"Key": k} for k in keys]})
    result = idc("--repo", str(repo), "prune", "--target", "s3://idc-bk/idc", "--keep-last", "2")
    assert result.exit_code == 0, result.output
    left = {item["Key"].split("/")[1] for item in s3.list_objects_v2(Bucket="idc-bk")["Contents"]}
    assert {name.split("T")[0] for name in left} == {"20261109", "20261108"}


def test_prune_snapshot_tags_keeps_history(repo: Path, idc: IdcRunner) -> None:
    """Tags on snapshot commits read at different times (manifests written
    by hand here, one a day); deleting tags leaves every commit in place."""
    git_repo = git.Repo(repo)
    manifest = repo / "state" / "manifest.yaml"
    text = manifest.read_text()
    for day in days()[-6:]:
        stamp = datetime(day.year, day.month, day.day, 3, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines = [
            f"time: '{stamp}'" if line.startswith("time:") else line for line in text.splitlines()
        ]
        manifest.write_text("\n".join(lines) + "\n")
        git_repo.index.add([str(manifest)])
        git_repo.index.commit(f"snapshot {day}")
        git_repo.create_tag(f"nightly-{day:%Y%m%d}")
    commits = len(list(git_repo.iter_commits()))
    result = idc("--repo", str(repo), "prune", "--tags", "nightly-*", "--keep-last", "2")
    assert result.exit_code == 0, result.output
    assert sorted(t.name for t in git_repo.tags) == ["nightly-20261108", "nightly-20261109", "v1"]
    assert len(list(git_repo.iter_commits())) == commits  # history untouched
    help_text = idc("prune", "--help").stdout
    assert "never rewrites git history" in help_text
