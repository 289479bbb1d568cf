"""A backup's files, made once on local disk before any target sees them.

Every target receives the same bytes, so they are rendered (yaml, json or
csv), encrypted and hashed once, file by file, into a private temporary
folder; each file is streamed to disk and hashed from disk, so memory holds
one file's document at most. The manifest is made from those hashes, and
written by the exporter to each target only after every other file.

Layout of a backup folder (docs/formats.md#backups):

    manifest.json            what the backup holds; written last
    state/...                yaml: the snapshot's own files, byte for byte
    state/....json           json: the same documents as JSON
    users.csv, ...           csv: the auditors' tables (store.backup_csv)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from reconciler.desired.yaml_io import load_canonical_yaml
from reconciler.fsutil import atomic_write_bytes, atomic_write_with
from reconciler.model import State
from reconciler.store.backup_csv import write_csv
from reconciler.store.backup_manifest import StoredFile
from reconciler.store.envelope import Envelope

STATE_FOLDER = "state"
HASH_CHUNK = 1 << 20


def sha256_file(path: Path) -> StoredFile:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return StoredFile(digest.hexdigest(), path.stat().st_size)


def json_name(path: str) -> str:
    """users.yaml -> users.json (the json format's name of a snapshot file)."""
    return path[: -len(".yaml")] + ".json" if path.endswith(".yaml") else path


def yaml_name(path: str) -> str:
    """users.json -> users.yaml (back to the snapshot's own name)."""
    return path[: -len(".json")] + ".yaml" if path.endswith(".json") else path


def _as_json(data: bytes, shown: str) -> bytes:
    doc = load_canonical_yaml(data.decode("utf-8"), shown)
    return (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode()


@contextmanager
def staged_backup(
    snapshot_files: Mapping[str, bytes],
    state: Callable[[], State],
    fmt: str,
    envelope: Envelope | None,
) -> Iterator[tuple[Path, dict[str, StoredFile]]]:
    """A temporary folder holding the backup's files (all but the manifest)
    and their sha256 and size as stored. `state` is called only for csv,
    which needs the decoded State rather than the snapshot's files."""
    with tempfile.TemporaryDirectory(prefix="idc-export-") as tmp:
        root = Path(tmp)
        plain = root / ".plain"
        plain.mkdir()
        names = list(_render(snapshot_files, state, fmt, plain))
        stored: dict[str, StoredFile] = {}
        for name in names:
            source = plain / name
            dest = root / name
            if envelope is not None:
                with source.open("rb") as src:
                    atomic_write_with(dest, partial(envelope.encrypt_stream, src, name=name))
                source.unlink()
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, dest)
            stored[name] = sha256_file(dest)
        yield root, stored


def _render(
    snapshot_files: Mapping[str, bytes], state: Callable[[], State], fmt: str, out: Path
) -> Iterator[str]:
    """Write the plaintext files of `fmt` under `out`; yields each name."""
    if fmt == "csv":
        for written in write_csv(state(), out).values():
            yield written.relative_to(out).as_posix()
        return
    for path, data in sorted(snapshot_files.items()):
        if fmt == "json":
            name = f"{STATE_FOLDER}/{json_name(path)}"
            data = _as_json(data, f"{STATE_FOLDER}/{path}")
        else:
            name = f"{STATE_FOLDER}/{path}"
        atomic_write_bytes(out / name, data)
        yield name
