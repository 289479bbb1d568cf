"""`idc prune`: keep the backups a retention policy keeps, remove the rest.

Two kinds of backup are pruned, each on its own calendar: the exported
backups in a target (directory or S3), dated by their folder name, and the
git tags of snapshots matching `--tags`, dated by the time their snapshot
was read. A tag is only a name: deleting it never rewrites history, and the
snapshot commit stays reachable from its branch.

Only what is certainly a backup is ever a candidate: folders with a
manifest.json and a `<UTC time>-<revision>` name, tags whose commit holds a
snapshot manifest. Interrupted exports (no manifest) and foreign folders are
listed as left alone, never removed. Decisions come from store.retention.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reconciler.errors import IdcError, InputError
from reconciler.store.backup_audit import audit_backup
from reconciler.store.backup_targets import BackupTarget, SessionFactory, open_target
from reconciler.store.export import backup_time
from reconciler.store.git_repo import SnapshotRepo
from reconciler.store.manifest import TIME_FORMAT, parse_manifest
from reconciler.store.retention import Candidate, Decision, KeepPolicy, decide
from reconciler.store.snapshot_files import MANIFEST_FILE
from reconciler.store.snapshotter import STATE_DIR_NAME


@dataclass
class PruneReport:
    """One target's (or the tags') decisions, and what removing them did."""

    source: str  # the target URL, or "tags PATTERN"
    decisions: list[Decision] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # not certainly backups
    removed: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "keep": [{"name": d.candidate.name, "reasons": list(d.reasons)}
                     for d in self.decisions if d.keep],
            "remove": [d.candidate.name for d in self.decisions if not d.keep],
            "removed": self.removed,
            "left_alone": self.left_alone,
            "error": self.error,
        }  # fmt: skip


def prune_target(target: BackupTarget, policy: KeepPolicy, *, dry_run: bool) -> PruneReport:
    report = PruneReport(target.url)
    try:
        candidates = []
        for name in target.folders():
            time = backup_time(name)
            if time is None or not target.has_manifest(name):
                report.left_alone.append(name)
            else:
                candidates.append(Candidate(name, time))
        report.decisions = decide(candidates, policy)
        for decision in report.decisions:
            if not decision.keep and not dry_run:
                target.delete(decision.candidate.name)
                report.removed.append(decision.candidate.name)
    except IdcError as exc:
        report.error = str(exc)
    return report


def prune_tags(repo: Path, pattern: str, policy: KeepPolicy, *, dry_run: bool) -> PruneReport:
    """Snapshot tags matching `pattern` (fnmatch), by the time each tagged
    snapshot was read."""
    report = PruneReport(f"tags {pattern}")
    snapshots = SnapshotRepo(repo, STATE_DIR_NAME)
    candidates = []
    for tag in sorted(snapshots.git.tags, key=lambda t: t.name):
        if not fnmatch.fnmatchcase(tag.name, pattern):
            continue
        time = _snapshot_time(snapshots, tag.commit.hexsha)
        if time is None:
            report.left_alone.append(tag.name)
        else:
            candidates.append(Candidate(tag.name, time))
    report.decisions = decide(candidates, policy)
    for decision in report.decisions:
        if not decision.keep and not dry_run:
            snapshots.git.delete_tag(snapshots.git.tags[decision.candidate.name])
            report.removed.append(decision.candidate.name)
    return report


def _snapshot_time(snapshots: SnapshotRepo, sha: str) -> datetime | None:
    data = snapshots.file_at(sha, MANIFEST_FILE)
    if data is None:
        return None
    try:
        stamp = parse_manifest(data, f"{sha[:12]}:{STATE_DIR_NAME}").time
        return datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=UTC)
    except (InputError, ValueError):
        return None


def prune(
    repo: Path,
    policy: KeepPolicy,
    *,
    targets: tuple[str, ...] = (),
    tags: str | None = None,
    session: SessionFactory,
    dry_run: bool = False,
) -> tuple[list[PruneReport], list[str]]:
    """Every target and the tags, each reported; the audit log's warnings.
    A target that fails is reported and the others are still pruned."""
    if not targets and not tags:
        raise InputError("name what to prune: --target DIR|s3://BUCKET/PREFIX and/or --tags GLOB")
    reports = [prune_target(open_target(t, session), policy, dry_run=dry_run) for t in targets]
    if tags:
        reports.append(prune_tags(repo, tags, policy, dry_run=dry_run))
    warnings: list[str] = []
    if not dry_run:
        for report in reports:
            result = "ok" if report.ok else "error"
            warning = audit_backup(repo, "prune", report.source, result, report.to_json())
            if warning:
                warnings.append(warning)
    return reports, warnings
