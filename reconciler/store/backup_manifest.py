"""`manifest.json`, the file that makes a folder an exported backup.

It is written last, after every other file is in place, so a reader that
finds it may trust the folder is complete, and an interrupted export (no
manifest) is never taken for a backup. It lists the sha256 and size of
every stored file (after encryption, so a backup is checked without a key),
the snapshot it came from, and the encryption header of an encrypted one.
It holds no personal data: counts and file names only (assignment files are
named by account id, permission sets by their name).

A manifest from a newer format version is refused rather than half
understood; one with unknown fields fails its JSON Schema, located.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler import __version__
from reconciler.desired.schema import validate_document
from reconciler.desired.yaml_io import load_yaml_text
from reconciler.errors import Diagnostic, InputError
from reconciler.model import codec

MANIFEST_JSON = "manifest.json"
FORMAT_VERSION = 1
FORMATS = ("yaml", "json", "csv")
RESTORABLE_FORMATS = ("yaml", "json")
SCHEMA = "backup-manifest"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


@dataclass(frozen=True)
class BackupManifest:
    created: str  # UTC, ISO-8601
    revision: str  # full sha of the snapshot commit
    snapshot_time: str
    format: str
    instance_arn: str = ""
    identity_store_id: str = ""
    label: str = ""
    counts: Mapping[str, int] = field(default_factory=dict)
    files: Mapping[str, StoredFile] = field(default_factory=dict)
    encryption: Mapping[str, Any] | None = None
    tool_version: str = __version__
    format_version: int = FORMAT_VERSION

    @property
    def restorable(self) -> bool:
        return self.format in RESTORABLE_FORMATS

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files.values())

    def to_doc(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "created": self.created,
            "source": {
                "revision": self.revision,
                "label": self.label,
                "snapshot_time": self.snapshot_time,
            },
            "format": self.format,
            "instance_arn": self.instance_arn,
            "identity_store_id": self.identity_store_id,
            "tool_version": self.tool_version,
            "counts": dict(self.counts),
            **({"encryption": dict(self.encryption)} if self.encryption else {}),
            "files": {
                path: {"sha256": f.sha256, "size": f.size} for path, f in sorted(self.files.items())
            },
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_doc(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def parse_backup_manifest(data: bytes, shown: str) -> BackupManifest:
    """The manifest at `shown` (a path or s3:// URL, for messages); InputError
    located `file:line:col` for a malformed one, and a plain refusal for a
    newer format version than this idc reads."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(Diagnostic(shown, 0, 0, "not UTF-8: not an idc backup manifest")) from None
    doc = load_yaml_text(text, shown)  # JSON is YAML: ruamel gives line:col for every node
    if not isinstance(doc, Mapping):
        raise InputError(Diagnostic(shown, 1, 1, "expected a JSON object: not an idc backup"))
    version = doc.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise InputError(
            f"{shown}: backup format version {version} was written by a newer idc "
            f"(this one reads version {FORMAT_VERSION}); upgrade idc to read it"
        )
    problems = validate_document(doc, SCHEMA, shown, text)
    if problems:
        raise InputError(problems)
    source = doc["source"]
    return BackupManifest(
        created=str(doc["created"]),
        revision=str(source["revision"]),
        snapshot_time=str(source["snapshot_time"]),
        label=str(source.get("label") or ""),
        format=str(doc["format"]),
        instance_arn=str(doc["instance_arn"]),
        identity_store_id=str(doc["identity_store_id"]),
        tool_version=str(doc["tool_version"]),
        counts={str(k): int(v) for k, v in doc["counts"].items()},
        files={
            str(path): StoredFile(str(f["sha256"]), int(f["size"]))
            for path, f in doc["files"].items()
        },
        encryption=codec.plain(doc["encryption"]) if doc.get("encryption") else None,
        format_version=int(version or FORMAT_VERSION),
    )
