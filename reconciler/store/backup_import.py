"""Reading an exported backup back: verified before anything uses it.

Order matters: the manifest is parsed and checked (schema, format version),
then every file is fetched and its sha256 and size compared with the
manifest, then an encrypted backup is decrypted (authenticating every
chunk), then each snapshot file is checked against its JSON Schema. Only a
backup that passed all of it becomes a `Snapshot`, the same object a git
revision gives, so `idc restore SRC`, `idc history diff REV SRC` and
`idc import SRC` use it exactly as they use a commit; a failure at any
step names the file and leaves the repository and AWS untouched.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reconciler.desired.schema import validate_document
from reconciler.desired.yaml_io import load_canonical_yaml, load_yaml_text
from reconciler.errors import IdcError, InputError
from reconciler.model import State
from reconciler.store.backup_audit import audit_backup
from reconciler.store.backup_manifest import MANIFEST_JSON, BackupManifest, parse_backup_manifest
from reconciler.store.backup_staging import STATE_FOLDER, yaml_name
from reconciler.store.backup_targets import BackupTarget, SessionFactory, open_backup
from reconciler.store.envelope import Decryptor
from reconciler.store.fields import FieldKeys
from reconciler.store.history import Snapshot
from reconciler.store.keys import KeySource
from reconciler.store.manifest import sha256
from reconciler.store.snapshot_files import schema_of
from reconciler.store.snapshotter import SnapshotResult, Snapshotter


@dataclass(frozen=True)
class LoadedBackup:
    where: str  # the backup folder, as a path or s3:// URL
    manifest: BackupManifest
    files: dict[str, bytes]  # the snapshot's files by path under state/ (yaml names)

    def snapshot(self, keys: FieldKeys | None = None) -> Snapshot:
        label = f"{self.where} ({self.manifest.revision[:12]})"
        return Snapshot(label, self.files, f"{self.where}/{STATE_FOLDER}", keys)


class BackupReader:
    """Opens backups for one command: `session` for s3:// sources, `key` for
    encrypted ones (both asked only when needed)."""

    def __init__(self, session: SessionFactory, key: Callable[[], KeySource] | None = None) -> None:
        self.session = session
        self.key = key

    def load(self, src: str) -> LoadedBackup:
        target, name = open_backup(src, self.session)
        return load_backup(target, name, self.key)

    def snapshot(self, src: str, keys: FieldKeys | None = None) -> Snapshot:
        return self.load(src).snapshot(keys)


def load_backup(
    target: BackupTarget, name: str, key: Callable[[], KeySource] | None = None
) -> LoadedBackup:
    where = target.where(name)
    buffer = io.BytesIO()
    target.fetch(name, MANIFEST_JSON, buffer)
    manifest = parse_backup_manifest(buffer.getvalue(), f"{where}/{MANIFEST_JSON}")
    if not manifest.restorable:
        raise InputError(
            f"{where}: a {manifest.format} export is a report for auditors, not a restorable "
            "backup (export with --format yaml or json to restore or import it)"
        )
    stored = _fetch_verified(target, name, manifest)
    if manifest.encryption is not None:
        stored = _decrypted(stored, manifest, where, key)
    files = {_snapshot_path(where, path): data for path, data in stored.items()}
    _check_schemas(files, f"{where}/{STATE_FOLDER}")
    return LoadedBackup(where, manifest, files)


def _fetch_verified(target: BackupTarget, name: str, manifest: BackupManifest) -> dict[str, bytes]:
    """Every listed file's bytes, once all of them matched the manifest."""
    where = target.where(name)
    problems: list[str] = []
    stored: dict[str, bytes] = {}
    for path, expected in sorted(manifest.files.items()):
        buffer = io.BytesIO()
        try:
            target.fetch(name, path, buffer)
        except IdcError:
            problems.append(f"{where}/{path}: missing")
            continue
        data = stored[path] = buffer.getvalue()
        if len(data) != expected.size:
            problems.append(
                f"{where}/{path}: {len(data)} bytes, the manifest says {expected.size} (truncated?)"
            )
        elif sha256(data) != expected.sha256:
            problems.append(f"{where}/{path}: sha256 differs from the manifest (altered)")
    if problems:  # one line each (the CLI counts them); nothing was read
        raise IdcError("\n".join(f"{p}; the backup was not read" for p in problems))
    return stored


def _decrypted(
    stored: dict[str, bytes],
    manifest: BackupManifest,
    where: str,
    key: Callable[[], KeySource] | None,
) -> dict[str, bytes]:
    header = dict(manifest.encryption or {})
    if key is None:
        raise InputError(
            f"{where} is encrypted with {header.get('key', 'a key')}: set encryption.key in "
            "idc.yaml to that key to read it"
        )
    decryptor = Decryptor(key())
    decryptor.check(header, f"{where}/{MANIFEST_JSON}")
    return {path: decryptor.decrypt(blob, name=path) for path, blob in stored.items()}


def _snapshot_path(where: str, path: str) -> str:
    prefix = f"{STATE_FOLDER}/"
    if not path.startswith(prefix):
        raise InputError(f"{where}/{path}: not a snapshot file (they live under {prefix})")
    return yaml_name(path[len(prefix) :])


def _check_schemas(files: dict[str, bytes], origin: str) -> None:
    """Every snapshot file against its schema, all problems at once."""
    problems = []
    for path, data in sorted(files.items()):
        if not path.endswith(".yaml"):
            continue
        shown = f"{origin}/{path}"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{shown}: not UTF-8") from None
        name = schema_of(path).removesuffix(".schema.json")
        if validate_document(load_canonical_yaml(text, shown), name, shown, text):
            # parsed again with positions, only to locate the problems
            problems += validate_document(load_yaml_text(text, shown), name, shown, text)
    if problems:
        raise InputError(problems)


@dataclass(frozen=True)
class ImportResult:
    backup: LoadedBackup
    state: State
    snapshot_time: str
    recorded: SnapshotResult | None  # with --commit
    warning: str | None = None  # the audit log could not be written


def import_backup(
    repo: Path, reader: BackupReader, src: str, keys: FieldKeys | None, *, commit: bool
) -> ImportResult:
    """Verify the backup at `src` (manifest, sha256, decryption, schemas,
    parse); with `commit`, record it as a snapshot commit in state/ keeping
    the time its organization was read and that run's metrics."""
    snapshotter = (
        Snapshotter(repo, keys=keys) if commit else None
    )  # a repo that cannot commit fails first
    loaded = reader.load(src)
    state, snapshot_manifest = loaded.snapshot(keys).read()
    recorded = None
    if snapshotter is not None:
        recorded = snapshotter.record(
            state,
            f"imported from {loaded.where}",
            time=snapshot_manifest.time,
            metrics=snapshot_manifest.metrics,  # the run that read it, as the backup says
        )
    details = {
        "revision": loaded.manifest.revision,
        "counts": state.counts(),
        "committed": recorded.commit if recorded else None,
    }
    warning = audit_backup(repo, "import", loaded.where, "ok", details)
    return ImportResult(loaded, state, snapshot_manifest.time, recorded, warning)
