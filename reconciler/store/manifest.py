"""The snapshot manifest: when and from where a snapshot was read, what it
holds, and the sha256 of every other file so `idc history verify` can tell a
hand-edited or corrupted snapshot from a real one.

An unchanged organization must give a byte-identical snapshot and no commit,
so the previous manifest (and its time) is kept when nothing it describes
changed: the time says when the organization last looked like this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler import __version__
from reconciler.desired.settings import Settings
from reconciler.desired.yaml_io import load_yaml_text
from reconciler.errors import Diagnostic, InputError
from reconciler.model import State, StateMeta, codec
from reconciler.store.fields import FieldKeys
from reconciler.store.snapshot_files import (
    MANIFEST_FILE,
    MANIFEST_SCHEMA,
    SnapshotFiles,
    parse_snapshot,
    render_data_files,
    yaml_bytes,
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# How manifests write a time (UTC, to the second), and read it back.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> str:
    return datetime.now(UTC).strftime(TIME_FORMAT)


@dataclass(frozen=True)
class Manifest:
    time: str
    tool_version: str = __version__
    instance_arn: str = ""
    identity_store_id: str = ""
    counts: Mapping[str, int] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)  # path -> sha256
    # Which user fields are encrypted and the wrapped data key (store.fields).
    encryption: Mapping[str, Any] | None = None
    # The run that read it: API calls per service, throttled, retried, seconds.
    # Not part of what the snapshot describes (describes_same ignores it).
    metrics: Mapping[str, Any] | None = None

    def describes_same(self, other: Manifest) -> bool:
        """Equal in everything but when and by which version it was written."""
        return (
            self.instance_arn,
            self.identity_store_id,
            dict(self.counts),
            dict(self.files),
            dict(self.encryption or {}),
        ) == (
            other.instance_arn,
            other.identity_store_id,
            dict(other.counts),
            dict(other.files),
            dict(other.encryption or {}),
        )

    def to_doc(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "tool_version": self.tool_version,
            "instance_arn": self.instance_arn,
            "identity_store_id": self.identity_store_id,
            "counts": dict(self.counts),
            "files": dict(sorted(self.files.items())),
            **({"encryption": dict(self.encryption)} if self.encryption else {}),
            **({"metrics": dict(self.metrics)} if self.metrics else {}),
        }

    @property
    def meta(self) -> StateMeta:
        return StateMeta(instance_arn=self.instance_arn, identity_store_id=self.identity_store_id)


def build_manifest(
    state: State,
    data_files: Mapping[str, bytes],
    time: str,
    encryption: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
) -> Manifest:
    return Manifest(
        time=time,
        instance_arn=state.meta.instance_arn,
        identity_store_id=state.meta.identity_store_id,
        counts=state.counts(),
        files={path: sha256(data) for path, data in sorted(data_files.items())},
        encryption=encryption,
        metrics=metrics,
    )


def render_snapshot(
    state: State,
    *,
    previous: Mapping[str, bytes] | None = None,
    time: str | None = None,
    keys: FieldKeys | None = None,
    metrics: Mapping[str, Any] | None = None,
) -> SnapshotFiles:
    """The complete file set for `state`. When `previous` (the snapshot on
    disk) describes the same organization, its manifest is reused byte for
    byte, so nothing changes and nothing is committed. `keys`: where the
    key for `encryption.fields` comes from (None: nothing is encrypted).
    `metrics`: the reading run's figures, kept in a new manifest only."""
    old_bytes = (previous or {}).get(MANIFEST_FILE)
    old = None
    if old_bytes is not None:
        try:
            old = parse_manifest(old_bytes)
        except InputError:
            old = None  # a broken manifest is simply replaced
    cipher = keys.sealer(old.encryption if old else None) if keys is not None else None
    data = render_data_files(state, cipher.seal_document if cipher else None)
    record = cipher.record if cipher else None
    manifest = build_manifest(state, data, time or utc_now(), record, metrics)
    if old_bytes is not None and old is not None and old.describes_same(manifest):
        return {**data, MANIFEST_FILE: old_bytes}
    return {**data, MANIFEST_FILE: yaml_bytes(MANIFEST_SCHEMA, manifest.to_doc(), MANIFEST_FILE)}


def parse_manifest(data: bytes, origin: str = "state") -> Manifest:
    shown = f"{origin}/{MANIFEST_FILE}"
    try:
        doc = load_yaml_text(data.decode("utf-8"), shown)
        return Manifest(
            time=str(doc["time"]),
            tool_version=str(doc.get("tool_version", "")),
            instance_arn=str(doc.get("instance_arn") or ""),
            identity_store_id=str(doc.get("identity_store_id") or ""),
            counts={str(k): int(v) for k, v in (doc.get("counts") or {}).items()},
            files={str(k): str(v) for k, v in (doc.get("files") or {}).items()},
            encryption=dict(doc["encryption"]) if doc.get("encryption") else None,
            # plain values: a manifest read from JSON must render as one read from YAML
            metrics=codec.plain(doc["metrics"]) if doc.get("metrics") else None,
        )
    except InputError:
        raise
    except (UnicodeDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        message = f"not a valid snapshot manifest: {type(exc).__name__}: {exc}"
        raise InputError(Diagnostic(shown, 0, 0, message)) from None


def read_snapshot(
    files: Mapping[str, bytes], origin: str = "state", keys: FieldKeys | None = None
) -> tuple[State, Manifest]:
    """The State a snapshot holds, with the instance metadata of its manifest.
    Encrypted fields are decrypted with `keys`; without them, a snapshot
    with encrypted fields is a DecryptError naming the key it needs."""
    if MANIFEST_FILE not in files:
        if not files:
            raise InputError(f"{origin}: no snapshot there (run `idc snapshot` first)")
        raise InputError(Diagnostic(f"{origin}/{MANIFEST_FILE}", 0, 0, "missing"))
    manifest = parse_manifest(files[MANIFEST_FILE], origin)
    opened = None
    if manifest.encryption:
        where = f"{origin}/{MANIFEST_FILE}"
        opened = (keys or FieldKeys(Path("."), settings=Settings())).opener(
            manifest.encryption, where
        )
    return parse_snapshot(
        files, origin=origin, meta=manifest.meta, transform=opened.open_document if opened else None
    ), manifest


@dataclass(frozen=True)
class VerifyProblem:
    path: str
    problem: str  # "modified" | "missing" | "not in manifest"

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def verify_snapshot(files: Mapping[str, bytes], origin: str = "state") -> list[VerifyProblem]:
    """Every file against the manifest's sha256: edited, missing or extra files."""
    manifest = parse_manifest(files[MANIFEST_FILE], origin) if MANIFEST_FILE in files else None
    if manifest is None:
        return [VerifyProblem(f"{origin}/{MANIFEST_FILE}", "missing")]
    problems: list[VerifyProblem] = []
    for path, digest in sorted(manifest.files.items()):
        data = files.get(path)
        if data is None:
            problems.append(VerifyProblem(f"{origin}/{path}", "missing"))
        elif sha256(data) != digest:
            problems.append(VerifyProblem(f"{origin}/{path}", "modified (sha256 differs)"))
    for path in sorted(set(files) - set(manifest.files) - {MANIFEST_FILE}):
        problems.append(VerifyProblem(f"{origin}/{path}", "not in manifest"))
    return problems
