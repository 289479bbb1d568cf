"""The user's git repository as the snapshot catalogue (GitPython).

Every snapshot is a commit touching only `state/`, so `git log -- state` is
the backup list and any revision can be read back without a checkout. A
snapshot commit must never sweep up someone's unrelated staged work, so we
refuse (and say how to proceed) when the index holds changes outside state/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import git
from git.objects import Blob, Commit
from gitdb.exc import BadName, BadObject

from reconciler.errors import IdcError, InputError

DEFAULT_NAME = "idc"
DEFAULT_EMAIL = "idc@localhost"


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    @property
    def actor(self) -> git.Actor:
        return git.Actor(self.name, self.email)

    @property
    def env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


class SnapshotRepo:
    """A git working tree and the `state/` folder inside it."""

    def __init__(self, repo_dir: Path, state_name: str = "state") -> None:
        try:
            self.git = git.Repo(repo_dir, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise IdcError(
                f"{repo_dir} is not a git repository: run `git init` (or `idc init`) "
                "there first, or pass --no-commit to only write state/"
            ) from None
        if self.git.working_tree_dir is None:
            raise IdcError(f"{repo_dir} is a bare git repository; snapshots need a work tree")
        self.root = Path(self.git.working_tree_dir).resolve()
        self.state_dir = repo_dir.resolve() / state_name
        self.prefix = self.state_dir.relative_to(self.root).as_posix()

    # --- reading ----------------------------------------------------------

    @property
    def has_head(self) -> bool:
        try:
            self.git.head.commit  # noqa: B018 - raises on an unborn branch
        except ValueError:
            return False
        return True

    def resolve(self, rev: str) -> Commit:
        try:
            commit = self.git.commit(rev)
        except (BadName, BadObject, ValueError, git.GitCommandError):
            raise InputError(f"unknown revision {rev!r} in {self.root}") from None
        return commit

    def files_at(self, rev: str) -> dict[str, bytes]:
        """The snapshot files at a revision, by path relative to state/ ({} if none)."""
        try:
            tree = self.resolve(rev).tree / self.prefix
        except KeyError:
            return {}
        base = len(self.prefix) + 1
        return {
            str(item.path)[base:]: item.data_stream.read()
            for item in tree.traverse()
            if isinstance(item, Blob)
        }

    def file_at(self, rev: str, name: str) -> bytes | None:
        """One file of the snapshot at a revision (None when absent)."""
        try:
            item = self.resolve(rev).tree / f"{self.prefix}/{name}"
        except KeyError:
            return None
        return item.data_stream.read() if isinstance(item, Blob) else None

    def snapshot_commits(self, max_count: int | None = None) -> Iterator[Commit]:
        """Commits that touched state/, newest first."""
        if not self.has_head:
            return iter(())
        return self.git.iter_commits("HEAD", paths=self.prefix, max_count=max_count)

    # --- writing ----------------------------------------------------------

    def identity(self) -> Identity:
        """The configured git identity (env or config), else idc's own."""
        reader = self.git.config_reader()
        name = os.environ.get("GIT_AUTHOR_NAME") or reader.get_value("user", "name", "")
        email = os.environ.get("GIT_AUTHOR_EMAIL") or reader.get_value("user", "email", "")
        return Identity(str(name or DEFAULT_NAME), str(email or DEFAULT_EMAIL))

    def staged_outside_state(self) -> list[str]:
        """Paths with staged changes that are not under state/."""
        if self.has_head:
            paths = {d.b_path or d.a_path for d in self.git.index.diff("HEAD")}
        else:
            paths = {str(path) for path, _stage in self.git.index.entries}
        inside = self.prefix + "/"
        return sorted(p for p in paths if p and not p.startswith(inside))

    def ensure_can_commit(self) -> None:
        """Refuse before any work when a commit would include unrelated changes."""
        staged = self.staged_outside_state()
        if staged:
            shown = ", ".join(staged[:5]) + (
                f" and {len(staged) - 5} more" if len(staged) > 5 else ""
            )
            raise IdcError(
                f"the git index has staged changes outside {self.prefix}/ ({shown}); "
                "a snapshot commit must hold only the snapshot: commit or unstage them "
                "(`git restore --staged <path>`) first, or pass --no-commit"
            )

    def commit_state(self, message: str) -> Commit | None:
        """Stage state/ (additions, edits, deletions) and commit it; None when
        the committed snapshot already equals the working tree."""
        self.ensure_can_commit()
        try:
            self.git.git.add("--all", "--", self.prefix)
            if self.has_head:
                if not self.git.index.diff("HEAD", paths=[self.prefix]):
                    return None
            elif not self.git.index.entries:
                return None
            actor = self.identity().actor
            return self.git.index.commit(message, author=actor, committer=actor)
        except git.GitCommandError as exc:
            raise IdcError(f"git failed: {exc.stderr.strip() or exc}") from None

    def tag(self, name: str, commit: Commit, message: str) -> None:
        """An annotated tag, so it records who tagged the snapshot and when."""
        if name in [t.name for t in self.git.tags]:
            raise InputError(f"tag {name!r} already exists; choose another name")
        try:
            with self.git.git.custom_environment(**self.identity().env):
                self.git.create_tag(name, ref=commit, message=message)
        except git.GitCommandError as exc:
            raise InputError(f"cannot create tag {name!r}: {exc.stderr.strip()}") from None
