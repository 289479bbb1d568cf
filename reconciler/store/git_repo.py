"""The user's git repository as the snapshot catalogue (GitPython).

Every snapshot is a commit touching only `state/`, so `git log -- state` is
the backup list and any revision can be read back without a checkout. A
snapshot commit must never sweep up someone's unrelated staged work, so we
refuse (and say how to proceed) when the index holds changes outside state/.
Commits go through the `git commit` binary so the repository's hooks and
`commit.gpgsign` apply to snapshots as to any other commit; a lock file left
by a crashed git, or a hook refusing, is reported as such, and state/ stays
staged so the next snapshot commits it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import git
from git.objects import Blob, Commit
from gitdb.exc import BadName, BadObject

from reconciler.errors import IdcError, InputError

DEFAULT_NAME = "idc"
DEFAULT_EMAIL = "idc@localhost"
COMMIT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg")
_LOCK_IN_GIT_ERROR = re.compile(r"Unable to create '([^']+\.lock)': File exists")


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

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

    def __init__(self, repo_dir: Path, state_name: str = "state", *, otherwise: str = "") -> None:
        """`otherwise`: what the command can do instead when `repo_dir` is no
        git repository (snapshot: `pass --no-commit ...`), added to the error."""
        try:
            self.git = git.Repo(repo_dir, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            alternative = f", or {otherwise}" if otherwise else ""
            raise IdcError(
                f"{repo_dir} is not a git repository: run `git init` (or `idc init`) "
                f"there first{alternative}"
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
        if not self.has_head:
            raise InputError(
                f"unknown revision {rev!r}: no snapshot is committed in {self.root} yet "
                "(`idc snapshot` takes one)"
            )
        try:
            commit = self.git.commit(rev)
        except (BadName, BadObject, ValueError, git.GitCommandError):
            raise InputError(
                f"unknown revision {rev!r} in {self.root}; "
                "`idc history list` shows the snapshots to choose from"
            ) from None
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

    def lock_files(self) -> list[Path]:
        """Lock files git would need to create to commit: the index, HEAD and
        the branch HEAD points to (in the common dir for linked worktrees)."""
        git_dir, common = Path(self.git.git_dir), Path(self.git.common_dir)
        locks = [git_dir / "index.lock", git_dir / "HEAD.lock"]
        if not self.git.head.is_detached:
            locks.append(common / f"{self.git.head.reference.path}.lock")
        return locks

    def ensure_unlocked(self) -> None:
        for lock in self.lock_files():
            if lock.exists():
                raise IdcError(_lock_message(str(lock)))

    def ensure_can_commit(self) -> None:
        """Refuse before any work when a commit would include unrelated changes
        or git is locked (so no AWS reads are spent on a snapshot that cannot
        be committed)."""
        self.ensure_unlocked()
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
        the committed snapshot already equals the working tree.

        State/ staged by an earlier, interrupted snapshot is simply part of
        this one: only changes outside state/ are refused."""
        self.ensure_can_commit()
        self._git("add", "--all", "--", self.prefix)
        if self.has_head:
            if not self.git.index.diff("HEAD", paths=[self.prefix]):
                return None
        elif not self.git.index.entries:
            return None
        with self.git.git.custom_environment(**self.identity().env):
            self._git("commit", "--quiet", "--cleanup=verbatim", "-m", message)
        return self.git.head.commit

    def _git(self, verb: str, *args: str) -> None:
        """Run `git <verb> <args>`; its failure as one IdcError saying what to do."""
        status, out, err = self.git.git.execute(
            ["git", verb, *args], with_extended_output=True, with_exceptions=False
        )
        if status:
            output = " ".join(f"{out}\n{err}".split())
            hooks = self.hooks() if verb == "commit" else []
            raise IdcError(_git_failure(f"git {verb}", output, hooks))

    def hooks(self) -> list[str]:
        """The commit hooks this repository runs (core.hooksPath honoured)."""
        hooks_dir = Path(self.root, self.git.git.rev_parse("--git-path", "hooks"))
        return [h for h in COMMIT_HOOKS if os.access(hooks_dir / h, os.X_OK)]

    def check_tag_name(self, name: str) -> None:
        """InputError unless git accepts `name` as a tag (git check-ref-format),
        so a bad --tag is refused before the snapshot reads AWS."""
        if name in [t.name for t in self.git.tags]:
            raise InputError(f"tag {name!r} already exists; choose another name")
        try:
            if name.startswith("-"):  # `git tag` refuses it, unlike check-ref-format
                raise git.GitCommandError("check-ref-format", 1)
            self.git.git.check_ref_format(f"refs/tags/{name}")
        except git.GitCommandError:
            raise InputError(
                f"--tag {name!r} is not a valid git tag name: it may not contain spaces, "
                "`..`, `~ ^ : ? * [ \\`, start with `-` or `.`, or end with `/`, `.` "
                "or `.lock` (see `git check-ref-format --help`)"
            ) from None

    def tag(self, name: str, commit: Commit, message: str) -> None:
        """An annotated tag, so it records who tagged the snapshot and when."""
        if name in [t.name for t in self.git.tags]:
            raise InputError(f"tag {name!r} already exists; choose another name")
        with self.git.git.custom_environment(**self.identity().env):
            status, out, err = self.git.git.execute(
                ["git", "tag", "--annotate", "-m", message, name, commit.hexsha],
                with_extended_output=True,
                with_exceptions=False,
            )
        if status:  # git's own words on one line (a signing failure, say)
            raise IdcError(f"git tag {name} failed: {' '.join(f'{out} {err}'.split())}")


def _lock_message(lock: str) -> str:
    return (
        f"{lock} exists: another git process may be running in this repository; "
        "if none is, remove that file and run the snapshot again"
    )


def _git_failure(step: str, output: str, hooks: list[str]) -> str:
    """One message for a failed git step: a leftover lock file, a refusing
    hook (with its output), or git's own words."""
    lock = _LOCK_IN_GIT_ERROR.search(output)
    kept = "state/ is written but not committed; the next snapshot commits it"
    if lock:
        return f"{step} failed: {_lock_message(lock.group(1))} ({kept})"
    if hooks and "sign" not in output.lower():  # a signing failure is not the hook's
        return (
            f"{step} failed: the repository's {'/'.join(hooks)} hook refused the snapshot "
            f"commit: {output or 'no output'} ({kept}; fix what the hook reports, or "
            "commit state/ yourself)"
        )
    return f"{step} failed: {output or 'no output'} ({kept})"


def head_commit(repo_dir: Path) -> str:
    """The full sha of HEAD of the git repository holding `repo_dir`, or ""
    when it is not in git or has no commit yet: recorded in plans so a plan
    read alone (a pull-request comment) says what desired state it planned."""
    try:
        repo = git.Repo(repo_dir, search_parent_directories=True)
        return str(repo.head.commit.hexsha)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError, BadName, BadObject):
        return ""


def knows_commit(repo_dir: Path, sha: str) -> bool | None:
    """Whether the git repository holding `repo_dir` has commit `sha`; None
    outside git. A plan made in another repository names a commit this one
    has never seen."""
    try:
        repo = git.Repo(repo_dir, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    try:
        return repo.commit(sha).hexsha == sha
    except (ValueError, BadName, BadObject, git.GitCommandError):
        return False
