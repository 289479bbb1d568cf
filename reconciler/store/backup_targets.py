"""Where exported backups live: a directory or an S3 prefix, one interface.

A target holds backups as folders (`<target>/<backup>/...`). A folder is a
backup only once its `manifest.json` exists, and export writes that last,
so every reader (import, restore, prune, a person listing the bucket) sees
complete backups or nothing. Deleting goes the other way: the manifest
first, so a half-deleted backup is no longer offered to anyone.

`open_target` turns `--to`'s text into a target; `open_backup` turns a
restore or import SRC (one backup's folder or s3:// prefix) into its target
and name.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Protocol

from reconciler.aws.clients import AwsSession
from reconciler.aws.s3_objects import S3Objects, ServerSideEncryption, parse_s3_prefix
from reconciler.errors import IdcError, InputError
from reconciler.fsutil import atomic_write_with, fsync_dir
from reconciler.store.backup_manifest import MANIFEST_JSON

SessionFactory = Callable[[], AwsSession]


class BackupTarget(Protocol):
    url: str  # as the user wrote it, for messages

    def check(self) -> None:
        """IdcError when the target cannot be written (missing bucket, ...)."""

    def put(self, backup: str, name: str, path: Path) -> None:
        """Store the local file `path` as `name` in folder `backup`."""

    def fetch(self, backup: str, name: str, dst: BinaryIO) -> None:
        """Stream the stored file into `dst`; IdcError when it is missing."""

    def has_manifest(self, backup: str) -> bool: ...

    def folders(self) -> list[str]:
        """Every folder, complete backups and interrupted exports alike."""

    def delete(self, backup: str) -> None:
        """Remove a backup: its manifest first, then everything else."""

    def stored_bytes(self) -> int:
        """What the target holds in all, for storage.warn_bytes."""

    def where(self, backup: str) -> str:
        """The backup folder's URL or path, for messages."""


class DirTarget:
    def __init__(self, root: Path, url: str | None = None) -> None:
        self.root = root
        self.url = url or str(root)

    def check(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"--to {self.url}: exists and is not a directory")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IdcError(f"--to {self.url}: cannot create it: {exc.strerror or exc}") from None
        if not os.access(self.root, os.W_OK):
            raise IdcError(f"--to {self.url}: not writable")

    def put(self, backup: str, name: str, path: Path) -> None:
        dest = self.root / backup / name
        try:
            with path.open("rb") as src:
                atomic_write_with(dest, lambda out: shutil.copyfileobj(src, out))
            fsync_dir(dest.parent)
        except OSError as exc:
            raise IdcError(f"cannot write {dest}: {exc.strerror or exc}") from exc

    def fetch(self, backup: str, name: str, dst: BinaryIO) -> None:
        path = self.root / backup / name
        try:
            with path.open("rb") as src:
                shutil.copyfileobj(src, dst)
        except FileNotFoundError:
            raise IdcError(f"{path}: missing from the backup") from None

    def has_manifest(self, backup: str) -> bool:
        return (self.root / backup / MANIFEST_JSON).is_file()

    def folders(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def delete(self, backup: str) -> None:
        folder = self.root / backup
        (folder / MANIFEST_JSON).unlink(missing_ok=True)
        fsync_dir(folder)
        shutil.rmtree(folder)

    def stored_bytes(self) -> int:
        if not self.root.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def where(self, backup: str) -> str:
        return str(self.root / backup)


class S3Target:
    def __init__(
        self, url: str, session: SessionFactory, sse: ServerSideEncryption | None = None
    ) -> None:
        self.url = url
        self.bucket, self.prefix = parse_s3_prefix(url)
        self._session = session
        self.sse = sse or ServerSideEncryption()
        self._objects: S3Objects | None = None

    @property
    def objects(self) -> S3Objects:
        if self._objects is None:  # the session (credentials, region) only when used
            self._objects = S3Objects(self._session(), self.bucket)
        return self._objects

    def key(self, backup: str, name: str = "") -> str:
        return f"{self.prefix}{backup}/{name}"

    def check(self) -> None:
        self.objects.check_bucket(self.prefix)

    def put(self, backup: str, name: str, path: Path) -> None:
        self.objects.upload(path, self.key(backup, name), self.sse)

    def fetch(self, backup: str, name: str, dst: BinaryIO) -> None:
        if not self.objects.download(self.key(backup, name), dst):
            raise IdcError(f"{self.objects.url(self.key(backup, name))}: missing from the backup")

    def has_manifest(self, backup: str) -> bool:
        return self.objects.exists(self.key(backup, MANIFEST_JSON))

    def folders(self) -> list[str]:
        return self.objects.folders(self.prefix)

    def delete(self, backup: str) -> None:
        manifest = self.key(backup, MANIFEST_JSON)
        rest = [k for k, _ in self.objects.objects(self.key(backup)) if k != manifest]
        self.objects.delete([manifest])
        self.objects.delete(rest)

    def stored_bytes(self) -> int:
        return sum(size for _, size in self.objects.objects(self.prefix))

    def where(self, backup: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{backup}"


def open_target(
    text: str, session: SessionFactory, sse: ServerSideEncryption | None = None
) -> BackupTarget:
    """`--to DIR|s3://BUCKET/PREFIX` as a target."""
    if text.startswith("s3://"):
        return S3Target(text, session, sse)
    if "://" in text:
        raise InputError(f"--to {text}: a target is a directory or s3://BUCKET/PREFIX")
    return DirTarget(Path(text).expanduser(), text)


def is_backup_source(text: str) -> bool:
    """Whether a restore/diff argument names an exported backup rather than
    a git revision: an s3:// URL, or a directory holding a manifest.json."""
    return text.startswith("s3://") or (Path(text).expanduser() / MANIFEST_JSON).is_file()


def open_backup(text: str, session: SessionFactory) -> tuple[BackupTarget, str]:
    """One backup, named by its folder (directory or s3://.../BACKUP), as
    (target, backup name); IdcError when there is no complete backup there."""
    if text.startswith("s3://"):
        bucket, prefix = parse_s3_prefix(text)
        parent, _, name = prefix.rstrip("/").rpartition("/")
        if not name:
            raise InputError(f"{text}: name one backup, s3://BUCKET/PREFIX/BACKUP")
        target: BackupTarget = S3Target(f"s3://{bucket}/{parent}", session)
    else:
        folder = Path(text).expanduser()
        if not folder.is_dir():
            raise InputError(f"{text}: no such backup folder (nor a git revision)")
        target, name = DirTarget(folder.parent), folder.name
    if not target.has_manifest(name):
        raise IdcError(
            f"{target.where(name)}: no {MANIFEST_JSON}, so not a complete backup "
            "(an export that was interrupted leaves none)"
        )
    return target, name
