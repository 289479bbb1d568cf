"""Snapshots as git commits: only when changed, summarised, tagged, and never
mixed with someone's unrelated staged work."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import git
import pytest

from reconciler.errors import IdcError, InputError
from reconciler.model import Assignment, State, User
from reconciler.store.git_repo import SnapshotRepo
from reconciler.store.manifest import read_snapshot, verify_snapshot
from reconciler.store.snapshotter import Snapshotter
from reconciler.store.state_dir import read_state_dir
from tests.store.conftest import make_git_repo


def _repo_dir(repo: git.Repo) -> Path:
    assert repo.working_tree_dir is not None
    return Path(repo.working_tree_dir)


def _changed(demo: State) -> State:
    """demo with 2 users added, 1 removed, 1 changed; a new assignment."""
    users = dict(demo.users)
    del users["frank@example.com"]
    users["bob@example.com"] = replace(users["bob@example.com"], title="Staff SRE")
    users["zoe@example.com"] = User("zoe@example.com", display_name="Zoe")
    users["yan@example.com"] = User("yan@example.com")
    return replace(
        demo,
        users=dict(sorted(users.items())),
        memberships=frozenset(m for m in demo.memberships if m.user != "frank@example.com"),
        assignments=demo.assignments
        | {Assignment("ReadOnly", "USER", "zoe@example.com", "444444444444")},
    )


def test_first_snapshot_commits_state_only_with_counts(git_repo: git.Repo, demo: State) -> None:
    (_repo_dir(git_repo) / "notes.txt").write_text("untracked, not staged\n")
    result = Snapshotter(_repo_dir(git_repo)).record(demo)
    assert result.written and result.commit
    head = git_repo.head.commit
    assert head.hexsha == result.commit
    assert head.message.splitlines()[0] == (
        "snapshot: users +8, groups +6, memberships +11, permission_sets +5, "
        "assignments +39, accounts +11, org_units +6"
    )
    assert all(p.startswith("state/") for p in head.stats.files)
    assert "notes.txt" in git_repo.untracked_files
    assert head.author.name == "Test User"


def test_unchanged_organization_gives_no_second_commit(git_repo: git.Repo, demo: State) -> None:
    first = Snapshotter(_repo_dir(git_repo)).record(demo)
    second = Snapshotter(_repo_dir(git_repo)).record(demo)
    assert second.commit is None and not second.written and second.diff.empty
    assert [c.hexsha for c in git_repo.iter_commits()] == [first.commit]


def test_commit_message_counts_changes_per_kind(git_repo: git.Repo, demo: State) -> None:
    Snapshotter(_repo_dir(git_repo)).record(demo)
    result = Snapshotter(_repo_dir(git_repo)).record(_changed(demo), message="weekly")
    message = git_repo.head.commit.message
    assert message.splitlines()[0] == "weekly"
    assert "snapshot: users +2 -1 ~1, memberships -1, assignments +1" in message
    assert "  ~ bob@example.com" in message and "  - frank@example.com" in message
    assert result.diff.counts()["users"] == {"added": 2, "removed": 1, "changed": 1}


def test_tag_is_annotated_and_points_at_the_snapshot(git_repo: git.Repo, demo: State) -> None:
    result = Snapshotter(_repo_dir(git_repo), tag="before-migration").record(demo)
    tag = git_repo.tags["before-migration"]
    assert tag.commit.hexsha == result.commit
    assert tag.tag is not None  # annotated: a tag object, not a bare ref
    with pytest.raises(InputError, match="already exists"):
        Snapshotter(_repo_dir(git_repo), tag="before-migration")


def test_refuses_when_unrelated_changes_are_staged(git_repo: git.Repo, demo: State) -> None:
    root = _repo_dir(git_repo)
    (root / "idc.yaml").write_text("instance: auto\n")
    git_repo.index.add(["idc.yaml"])
    with pytest.raises(IdcError, match=r"staged changes outside state/ \(idc\.yaml\)"):
        Snapshotter(root)
    assert not (root / "state").exists()
    # --no-commit still works and leaves the index alone.
    Snapshotter(root, commit=False).record(demo)
    assert (root / "state" / "manifest.yaml").exists()
    assert [e[0] for e in git_repo.index.entries] == ["idc.yaml"]


def test_not_a_git_repository_is_a_clear_error(tmp_path: Path, demo: State) -> None:
    with pytest.raises(IdcError, match=r"not a git repository: run `git init`"):
        Snapshotter(tmp_path)
    assert not (tmp_path / "state").exists()
    assert Snapshotter(tmp_path, commit=False).record(demo).written


def test_default_identity_when_git_has_none(
    tmp_path: Path, demo: State, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.gitconfig
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo = git.Repo.init(tmp_path / "r")
    Snapshotter(tmp_path / "r", tag="t1").record(demo)
    assert repo.head.commit.author.name == "idc"
    assert repo.tags["t1"].tag.tagger.name == "idc"  # type: ignore[union-attr]


def test_snapshot_in_a_subdirectory_of_the_git_work_tree(tmp_path: Path, demo: State) -> None:
    repo = make_git_repo(tmp_path)
    (tmp_path / "idc").mkdir()
    Snapshotter(tmp_path / "idc").record(demo)
    snap = SnapshotRepo(tmp_path / "idc")
    assert snap.prefix == "idc/state"
    assert read_snapshot(snap.files_at("HEAD"))[0].users == demo.users
    assert all(p.startswith("idc/state/") for p in repo.head.commit.stats.files)


def test_committed_revision_reads_back_and_verifies(git_repo: git.Repo, demo: State) -> None:
    root = _repo_dir(git_repo)
    Snapshotter(root).record(demo)
    Snapshotter(root).record(_changed(demo))
    snap = SnapshotRepo(root)
    assert read_snapshot(snap.files_at("HEAD~1"))[0].users == demo.users
    assert "zoe@example.com" in read_snapshot(snap.files_at("HEAD"))[0].users
    assert verify_snapshot(snap.files_at("HEAD~1")) == []
    assert len(list(snap.snapshot_commits())) == 2
    files = read_state_dir(root / "state")
    files["groups.yaml"] = files["groups.yaml"].replace(b"Platform", b"Platfrom")
    assert [str(p) for p in verify_snapshot(files)] == [
        "state/groups.yaml: modified (sha256 differs)"
    ]


def test_a_failed_write_leaves_state_and_history_as_they_were(
    git_repo: git.Repo, demo: State, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconciler.store import state_dir as state_dir_module

    root = _repo_dir(git_repo)
    first = Snapshotter(root).record(demo)
    before = read_state_dir(root / "state")
    calls: list[Path] = []
    real_write = state_dir_module.write_file

    def fail_on_fourth(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 4:
            raise OSError(5, "Input/output error")
        real_write(path, data)

    monkeypatch.setattr(state_dir_module, "write_file", fail_on_fourth)
    with pytest.raises(IdcError, match=r"Input/output error.*previous snapshot is unchanged"):
        Snapshotter(root).record(_changed(demo))
    assert read_state_dir(root / "state") == before
    assert [c.hexsha for c in git_repo.iter_commits()] == [first.commit]
    assert not git_repo.is_dirty(untracked_files=True)
