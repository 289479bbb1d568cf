"""`idc export`: one snapshot, copied out of git to one or more targets.

The backup is staged once (store.backup_staging: rendered, encrypted,
hashed), then written to every target in parallel. Each target gets every
file first and `manifest.json` last, so a reader never sees a partial
backup; a target that fails is reported, its partial folder removed where
possible, and the others carry on. Export reads git and the targets only:
it never calls Identity Center. Each target's result goes to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reconciler.aws.s3_objects import ServerSideEncryption
from reconciler.desired.settings import Settings
from reconciler.errors import IdcError, InputError
from reconciler.fsutil import atomic_write_bytes
from reconciler.model import State
from reconciler.store.backup_audit import audit_backup
from reconciler.store.backup_manifest import FORMATS, MANIFEST_JSON, BackupManifest
from reconciler.store.backup_staging import staged_backup
from reconciler.store.backup_targets import BackupTarget, SessionFactory, open_target
from reconciler.store.envelope import Envelope
from reconciler.store.fields import FieldKeys
from reconciler.store.git_repo import SnapshotRepo
from reconciler.store.keys import KeySource
from reconciler.store.manifest import TIME_FORMAT, parse_manifest, read_snapshot
from reconciler.store.snapshot_files import MANIFEST_FILE
from reconciler.store.snapshotter import STATE_DIR_NAME

NAME_TIME = "%Y%m%dT%H%M%SZ"
MAX_PARALLEL_TARGETS = 8


@dataclass(frozen=True)
class ExportRequest:
    targets: tuple[str, ...]
    rev: str = "HEAD"
    format: str = "yaml"
    encrypt: bool = False
    sse: ServerSideEncryption = field(default_factory=ServerSideEncryption)

    def __post_init__(self) -> None:
        if not self.targets:
            raise InputError("--to: name at least one target (a directory or s3://BUCKET/PREFIX)")
        if self.format not in FORMATS:
            raise InputError(f"--format must be one of {', '.join(FORMATS)}, got {self.format!r}")


@dataclass(frozen=True)
class TargetResult:
    url: str
    where: str  # the backup folder in this target
    error: str | None = None
    warning: str | None = None  # storage.warn_bytes exceeded

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ExportResult:
    name: str  # the backup folder's name, `<UTC time>-<revision>`
    manifest: BackupManifest
    targets: tuple[TargetResult, ...]
    warnings: tuple[str, ...] = ()  # the audit log could not be written

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.targets)

    def to_json(self) -> dict[str, object]:
        return {
            "backup": self.name,
            "revision": self.manifest.revision,
            "format": self.manifest.format,
            "encrypted": self.manifest.encryption is not None,
            "files": len(self.manifest.files),
            "bytes": self.manifest.total_bytes,
            "targets": [
                {"target": t.url, "where": t.where, "ok": t.ok, "error": t.error,
                 "warning": t.warning}
                for t in self.targets
            ],
        }  # fmt: skip


def backup_name(created: datetime, revision: str) -> str:
    return f"{created.strftime(NAME_TIME)}-{revision[:12]}"


def backup_time(name: str) -> datetime | None:
    """The UTC time in a backup folder's name (None: not a name backup_name makes)."""
    stamp, _, revision = name.partition("-")
    if not revision:
        return None
    try:
        return datetime.strptime(stamp, NAME_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None


def export_backup(
    repo: Path,
    request: ExportRequest,
    settings: Settings,
    *,
    session: SessionFactory,
    field_keys: FieldKeys | None = None,
    backup_key: Callable[[], KeySource] | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Export the snapshot at `request.rev` to every target. `backup_key`
    gives the key for `--encrypt`; `field_keys` open encrypted fields for csv."""
    targets = [open_target(t, session, request.sse) for t in request.targets]
    git_repo = SnapshotRepo(repo, STATE_DIR_NAME)
    commit = git_repo.resolve(request.rev)
    files = git_repo.files_at(commit.hexsha)
    origin = f"{commit.hexsha[:12]}:{STATE_DIR_NAME}"
    if MANIFEST_FILE not in files:
        raise InputError(f"revision {request.rev} has no snapshot in {STATE_DIR_NAME}/")
    snapshot = parse_manifest(files[MANIFEST_FILE], origin)
    envelope = None
    if request.encrypt:
        if backup_key is None:
            raise InputError("--encrypt needs encryption.key in idc.yaml")
        envelope = Envelope.new(backup_key())

    def state() -> State:
        return read_snapshot(files, origin, field_keys)[0]

    created = (now or datetime.now(UTC)).replace(microsecond=0)
    name = backup_name(created, commit.hexsha)
    with staged_backup(files, state, request.format, envelope) as (staged, stored):
        manifest = BackupManifest(
            created=created.strftime(TIME_FORMAT),
            revision=commit.hexsha,
            snapshot_time=snapshot.time,
            label=request.rev,
            format=request.format,
            instance_arn=snapshot.instance_arn,
            identity_store_id=snapshot.identity_store_id,
            counts=dict(snapshot.counts),
            files=stored,
            encryption=envelope.header() if envelope else None,
        )
        atomic_write_bytes(staged / MANIFEST_JSON, manifest.to_bytes())

        def write(target: BackupTarget) -> TargetResult:
            return _write_target(target, name, staged, manifest, settings.storage_warn_bytes)

        workers = min(MAX_PARALLEL_TARGETS, len(targets))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="idc-export") as pool:
            results = tuple(pool.map(write, targets))
    warnings = [_audit(repo, result, manifest) for result in results]
    return ExportResult(name, manifest, results, tuple(w for w in warnings if w))


def _audit(repo: Path, result: TargetResult, manifest: BackupManifest) -> str | None:
    details = {
        "revision": manifest.revision,
        "format": manifest.format,
        "encrypted": manifest.encryption is not None,
        "files": len(manifest.files),
        "bytes": manifest.total_bytes,
        **({"error": result.error} if result.error else {}),
    }
    return audit_backup(repo, "export", result.where, "ok" if result.ok else "error", details)


def _write_target(
    target: BackupTarget, name: str, staged: Path, manifest: BackupManifest, warn_bytes: int
) -> TargetResult:
    where = target.where(name)
    try:
        target.check()
        for path in sorted(manifest.files):
            target.put(name, path, staged / path)
        target.put(name, MANIFEST_JSON, staged / MANIFEST_JSON)  # last: now it is a backup
    except (IdcError, OSError) as exc:  # one target's failure is its own, not the export's
        _remove_partial(target, name)
        reason = str(exc) if isinstance(exc, IdcError) else f"{where}: {exc.strerror or exc}"
        return TargetResult(target.url, where, error=reason)
    return TargetResult(target.url, where, warning=_storage_warning(target, warn_bytes))


def _remove_partial(target: BackupTarget, name: str) -> None:
    """Best effort: a failed target keeps no half-written folder (it has no
    manifest either way, so no reader would take it for a backup)."""
    try:
        if name in target.folders():
            target.delete(name)
    except (IdcError, OSError):
        pass


def _storage_warning(target: BackupTarget, warn_bytes: int) -> str | None:
    if warn_bytes <= 0:
        return None
    try:
        held = target.stored_bytes()
    except IdcError:
        return None
    if held <= warn_bytes:
        return None
    return (
        f"{target.url} holds {held:,} bytes, more than storage.warn_bytes ({warn_bytes:,}); "
        f"thin it out with `idc prune --target {target.url} --keep-last N` "
        "(add --dry-run to see what would go)"
    )
