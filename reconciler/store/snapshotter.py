"""Recording a live State as a snapshot: write state/, commit, tag.

Split into `prepare` (checks that need no AWS: is this a git repo, is the
index clean) and `record` (after the live read succeeded), so a bad repo
fails before minutes of API calls, and a failed read touches nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.desired.sealed import USER_NAME
from reconciler.errors import IdcError, InputError
from reconciler.model import State
from reconciler.store.fields import FieldKeys
from reconciler.store.git_repo import SnapshotRepo
from reconciler.store.manifest import read_snapshot, render_snapshot
from reconciler.store.semantic_diff import StateDiff, diff_states
from reconciler.store.state_dir import read_state_dir, write_state_dir

STATE_DIR_NAME = "state"
# Kinds whose keys include a user name.
NAMES_USERS = frozenset({"user", "users", "membership", "memberships", "assignment", "assignments"})
MAX_KEYS_IN_MESSAGE = 20


@dataclass(frozen=True)
class SnapshotResult:
    state_dir: Path
    written: bool  # state/ changed on disk
    diff: StateDiff  # against the last committed snapshot (or state/ with --no-commit)
    commit: str | None = None  # hexsha of the new commit
    tag: str | None = None


def commit_message(
    diff: StateDiff, subject: str | None = None, *, private_names: bool = False
) -> str:
    """Subject line (the user's or the summary), then the changed keys per kind.
    `private_names`: user names are encrypted in state/, so the keys that
    hold them are counted, not listed (a commit message is plain text)."""
    summary = f"snapshot: {diff.summary()}"
    lines = [subject or summary, ""]
    if subject:
        lines += [summary, ""]
    for kind in diff.counts():
        changes = diff.of_kind(kind)
        lines.append(f"{kind}:")
        if private_names and kind in NAMES_USERS:
            lines.append(f"  {len(changes)} changed (names not listed: user names are encrypted)")
            continue
        for change in changes[:MAX_KEYS_IN_MESSAGE]:
            sign = {"added": "+", "removed": "-", "changed": "~"}[change.action]
            lines.append(f"  {sign} {change.key}")
        if len(changes) > MAX_KEYS_IN_MESSAGE:
            lines.append(f"  ... and {len(changes) - MAX_KEYS_IN_MESSAGE} more")
    return "\n".join(lines).rstrip() + "\n"


class Snapshotter:
    def __init__(
        self,
        repo_dir: Path,
        *,
        commit: bool = True,
        tag: str | None = None,
        keys: FieldKeys | None = None,
    ) -> None:
        if tag and not commit:
            raise InputError("--tag needs a commit to tag; drop --no-commit")
        self.repo_dir = repo_dir
        self.state_dir = repo_dir / STATE_DIR_NAME
        self.tag_name = tag
        self.keys = keys
        if keys is not None and keys.settings.encryption_fields:
            keys.key()  # a key that cannot be read fails before minutes of API calls
        self.repo: SnapshotRepo | None = None
        if commit:
            self.repo = SnapshotRepo(
                repo_dir, STATE_DIR_NAME, otherwise="pass --no-commit to only write state/"
            )
            self.repo.ensure_can_commit()
            if tag:
                self.repo.check_tag_name(tag)

    def _baseline(self, on_disk: dict[str, bytes]) -> State:
        """What the new snapshot is compared with for the summary: the last
        committed snapshot, or state/ on disk when not committing."""
        if self.repo is not None:
            files = self.repo.files_at("HEAD") if self.repo.has_head else {}
            origin = f"HEAD:{self.repo.prefix}"
        else:
            files, origin = on_disk, str(self.state_dir)
        if not files:
            return State()
        try:
            return read_snapshot(files, origin, self.keys)[0]
        except InputError:
            return State()  # an unreadable old snapshot: report everything as added

    def record(
        self,
        state: State,
        message: str | None = None,
        *,
        time: str | None = None,
        metrics: Mapping[str, Any] | None = None,
    ) -> SnapshotResult:
        """Write, commit and tag `state`; `time`: when it was read (an
        import keeps its backup's time), else now; `metrics`: the reading
        run's API calls and time, for `idc history stats`."""
        previous = read_state_dir(self.state_dir)
        diff = diff_states(self._baseline(previous), state)
        files = render_snapshot(
            state, previous=previous, time=time, keys=self.keys, metrics=metrics
        )
        written = write_state_dir(self.state_dir, files, current=previous)
        if self.repo is None:
            return SnapshotResult(self.state_dir, written, diff)
        private = self.keys is not None and USER_NAME in self.keys.settings.encryption_fields
        commit = self.repo.commit_state(commit_message(diff, message, private_names=private))
        tagged = None
        if self.tag_name:
            target = commit or self.repo.git.head.commit
            try:
                self.repo.tag(self.tag_name, target, message or f"snapshot: {diff.summary()}")
            except IdcError as exc:
                done = _untagged(self.tag_name, target.hexsha, commit is not None, exc)
                raise IdcError(done) from None
            tagged = self.tag_name
        return SnapshotResult(
            self.state_dir, written, diff, commit.hexsha if commit else None, tagged
        )


def _untagged(tag: str, sha: str, committed: bool, exc: IdcError) -> str:
    """A tag failing after the commit: say what is already recorded, so
    the user tags it by hand instead of taking another snapshot."""
    done = f"snapshot committed as {sha[:12]}" if committed else f"state unchanged since {sha[:12]}"
    return f"{done}, but not tagged: {exc}; tag it with `git tag -a {tag} {sha[:12]}`"
