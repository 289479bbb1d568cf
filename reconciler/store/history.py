"""Snapshots over time, as `idc history` shows them.

A revision is any git revision (`HEAD~3`, a tag, a sha) or, when omitted,
the working tree's state/ (falling back to HEAD when there is none), so a
user can check or diff what `idc snapshot --no-commit` just wrote before it
is committed. Listing reads only each commit's manifest, not whole snapshots.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.errors import IdcError, InputError
from reconciler.model import State
from reconciler.store.backup_targets import is_backup_source
from reconciler.store.fields import FieldKeys
from reconciler.store.git_repo import SnapshotRepo
from reconciler.store.manifest import Manifest, parse_manifest, read_snapshot
from reconciler.store.snapshot_files import MANIFEST_FILE
from reconciler.store.snapshotter import STATE_DIR_NAME
from reconciler.store.state_dir import read_state_dir

WORKING_TREE = "working tree"


@dataclass(frozen=True)
class Snapshot:
    label: str  # "HEAD~1 (1a2b3c4d5e6f)" or "working tree"
    files: dict[str, bytes]
    origin: str = STATE_DIR_NAME  # how its paths are shown: "state" or "1a2b3c4d5e6f:state"
    keys: FieldKeys | None = field(default=None, compare=False)  # for encrypted fields

    def read(self) -> tuple[State, Manifest]:
        return read_snapshot(self.files, self.origin, self.keys)


@dataclass(frozen=True)
class HistoryEntry:
    rev: str  # short sha
    commit: str  # full sha
    time: str  # when the live state was read (manifest), else commit time
    committed: str
    author: str
    summary: str  # commit subject
    tags: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)  # the reading run's (manifest)

    def to_json(self) -> dict[str, Any]:
        return {
            "rev": self.rev,
            "commit": self.commit,
            "time": self.time,
            "committed": self.committed,
            "author": self.author,
            "tags": list(self.tags),
            "counts": self.counts,
            "summary": self.summary,
        }


# Opens an exported backup as a Snapshot (store.backup_import.BackupReader.snapshot).
BackupOpener = Callable[[str, "FieldKeys | None"], Snapshot]


class History:
    def __init__(
        self,
        repo_dir: Path,
        keys: FieldKeys | None = None,
        backups: BackupOpener | None = None,
    ) -> None:
        """`backups` opens an exported backup (store.backup_import), so a
        revision may also be a backup folder or s3:// URL."""
        self.repo_dir = repo_dir
        self.keys = keys
        self.backups = backups
        self.state_dir = repo_dir / STATE_DIR_NAME
        self._repo: SnapshotRepo | None = None

    @property
    def repo(self) -> SnapshotRepo:
        """The git repository; only needed when a revision is asked for."""
        if self._repo is None:
            self._repo = SnapshotRepo(self.repo_dir, STATE_DIR_NAME)
        return self._repo

    def snapshot(self, rev: str | None = None) -> Snapshot:
        """The snapshot at `rev`; None means the working tree, else HEAD.
        An exported backup (directory with manifest.json, or s3://) when
        this History was given `backups`."""
        if rev is not None and self.backups is not None and is_backup_source(rev):
            return self.backups(rev, self.keys)
        if rev is None:
            files = read_state_dir(self.state_dir)
            if files:
                return Snapshot(WORKING_TREE, files, keys=self.keys)
            try:
                return self._committed("HEAD")
            except IdcError:
                raise InputError(
                    f"no snapshot in {self.state_dir}, and none committed (run `idc snapshot`)"
                ) from None
        return self._committed(rev)

    def _committed(self, rev: str) -> Snapshot:
        commit = self.repo.resolve(rev)
        files = self.repo.files_at(commit.hexsha)
        label = rev if rev.startswith(commit.hexsha[:7]) else f"{rev} ({commit.hexsha[:12]})"
        if not files:
            raise InputError(f"revision {rev} has no snapshot in {self.repo.prefix}/")
        return Snapshot(label, files, f"{commit.hexsha[:12]}:{self.repo.prefix}", self.keys)

    def entries(self, max_count: int | None = None) -> list[HistoryEntry]:
        """Commits that touched state/, newest first, with their manifest counts."""
        tags: dict[str, list[str]] = {}
        for tag in self.repo.git.tags:
            tags.setdefault(tag.commit.hexsha, []).append(tag.name)
        out = []
        for commit in self.repo.snapshot_commits(max_count):
            manifest = None
            blob = self.repo.file_at(commit.hexsha, MANIFEST_FILE)
            if blob is not None:
                try:
                    manifest = parse_manifest(blob, f"{commit.hexsha[:12]}:state")
                except InputError:
                    manifest = None  # listed anyway; `history verify` explains
            committed = commit.committed_datetime.isoformat()
            message = commit.message if isinstance(commit.message, str) else ""
            out.append(
                HistoryEntry(
                    rev=commit.hexsha[:12],
                    commit=commit.hexsha,
                    time=manifest.time if manifest else committed,
                    committed=committed,
                    author=str(commit.author.name),
                    summary=(message.splitlines() or [""])[0],
                    tags=tuple(sorted(tags.get(commit.hexsha, ()))),
                    counts=dict(manifest.counts) if manifest else {},
                    metrics=dict(manifest.metrics or {}) if manifest else {},
                )
            )
        return out
