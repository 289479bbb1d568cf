"""`idc snapshot` and the git repository around it: hooks run, lock files
and refusing hooks are reported plainly, and an interrupted snapshot is
committed by the next one."""

from __future__ import annotations

import stat
from pathlib import Path

import git
import pytest

from reconciler.store.git_repo import SnapshotRepo
from reconciler.store.state_dir import read_state_dir
from tests.cli.test_snapshot import _without_time
from tests.conftest import IdcRunner
from tests.store.conftest import make_git_repo


def add_hook(repo: git.Repo, name: str, body: str) -> None:
    hook = Path(repo.git_dir) / "hooks" / name
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f"#!/bin/sh\n{body}\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)


def committed_state(repo: git.Repo) -> dict[str, bytes]:
    return SnapshotRepo(Path(repo.working_tree_dir or "")).files_at("HEAD")


def test_commit_hooks_run_on_snapshot_commits(tmp_path: Path, idc: IdcRunner) -> None:
    repo = make_git_repo(tmp_path)
    add_hook(repo, "pre-commit", f"touch {tmp_path / 'pre-commit-ran'}")
    add_hook(repo, "commit-msg", f'cp "$1" {tmp_path / "message-seen"}')
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pre-commit-ran").exists()
    assert (tmp_path / "message-seen").read_text().startswith("snapshot: ")
    head = repo.head.commit
    assert (head.author.name, head.committer.email) == ("Test User", "test@example.com")
    assert set(committed_state(repo)) == set(read_state_dir(tmp_path / "state"))


def test_a_refusing_hook_is_named_with_its_output_and_state_is_kept(
    tmp_path: Path, idc: IdcRunner
) -> None:
    repo = make_git_repo(tmp_path)
    add_hook(repo, "pre-commit", "echo 'no snapshots on Fridays' >&2; exit 1")
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "unexpected" not in result.output
    message = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(message) == 1
    assert "pre-commit hook refused the snapshot commit: no snapshots on Fridays" in message[0]
    assert "state/ is written but not committed" in message[0]
    assert (tmp_path / "state" / "manifest.yaml").is_file()
    assert not repo.head.is_valid()
    # Once the hook is satisfied, the next snapshot commits what is on disk.
    add_hook(repo, "pre-commit", "exit 0")
    again = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert again.exit_code == 0, again.output
    assert committed_state(repo) == read_state_dir(tmp_path / "state")


def test_a_leftover_index_lock_is_named_before_anything_is_read(
    tmp_path: Path, idc: IdcRunner
) -> None:
    repo = make_git_repo(tmp_path)
    lock = Path(repo.git_dir) / "index.lock"
    lock.touch()
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {lock} exists: another git process may be running in this repository; "
        "if none is, remove that file and run the snapshot again"
    )
    assert not (tmp_path / "state").exists() and not (tmp_path / ".idc").exists()
    lock.unlink()
    assert idc("--repo", str(tmp_path), "--sim", "snapshot").exit_code == 0
    assert committed_state(repo) == read_state_dir(tmp_path / "state")


def test_a_branch_lock_taken_during_the_snapshot_is_reported_and_recovered(
    tmp_path: Path, idc: IdcRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_git_repo(tmp_path)
    lock = Path(repo.git_dir) / f"{repo.head.reference.path}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.touch()
    # As if another git process took the lock after idc's up-front check.
    monkeypatch.setattr(SnapshotRepo, "lock_files", lambda self: [])
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "unexpected" not in result.output
    assert f"git commit failed: {lock} exists: another git process may be running" in (
        result.stderr
    )
    assert "state/ is written but not committed; the next snapshot commits it" in result.stderr
    assert not repo.head.is_valid()
    lock.unlink()
    monkeypatch.undo()
    again = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert again.exit_code == 0, again.output
    assert committed_state(repo) == read_state_dir(tmp_path / "state")


@pytest.mark.parametrize("first_snapshot", [True, False])
def test_state_staged_by_an_interrupted_snapshot_is_committed_by_the_next(
    tmp_path: Path, idc: IdcRunner, first_snapshot: bool
) -> None:
    repo = make_git_repo(tmp_path)
    if not first_snapshot:
        (tmp_path / "README.md").write_text("# org\n")
        repo.index.add(["README.md"])
        repo.index.commit("readme")
    # Interrupted between staging and commit: state/ written and staged only.
    assert idc("--repo", str(tmp_path), "--sim", "snapshot", "--no-commit").exit_code == 0
    repo.git.add("--all", "--", "state")
    staged = read_state_dir(tmp_path / "state")
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 0, result.output
    assert "committed" in result.stdout
    assert _without_time(committed_state(repo)) == _without_time(staged)
    assert committed_state(repo) == read_state_dir(tmp_path / "state")
    assert not repo.is_dirty(untracked_files=False)
    assert not [p for p in repo.untracked_files if p.startswith("state/")]
