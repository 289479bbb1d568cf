"""The `state/` directory on disk, replaced as a whole or not at all.

A snapshot is only meaningful as a set: a half-written `state/` (new users,
old manifest) would verify as corrupt and restore the wrong thing. So the new
tree is written and fsynced in a sibling temp directory, then swapped in with
two renames; an interrupted swap is undone the next time the directory is
touched. Files of deleted permission sets or accounts vanish with the old tree.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import IdcError
from reconciler.fsutil import atomic_write_bytes, current_umask, fsync_dir

NEW_PREFIX = ".state.new-"
OLD_PREFIX = ".state.old-"


def read_state_dir(state_dir: Path) -> dict[str, bytes]:
    """Every regular file under `state_dir`, by POSIX path relative to it."""
    recover_interrupted_swap(state_dir)
    if not state_dir.is_dir():
        return {}
    return {
        path.relative_to(state_dir).as_posix(): path.read_bytes()
        for path in sorted(state_dir.rglob("*"))
        if path.is_file()
    }


def write_file(path: Path, data: bytes) -> None:
    """Write one file of the new tree (a seam for failure tests)."""
    atomic_write_bytes(path, data)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem can fsync a directory
        fsync_dir(path)


def _siblings(state_dir: Path, prefix: str) -> list[Path]:
    parent = state_dir.parent
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if p.name.startswith(prefix) and p.is_dir())


def recover_interrupted_swap(state_dir: Path) -> None:
    """Put back the old tree if a swap died between its two renames, and
    remove temp trees a killed run left behind."""
    olds = _siblings(state_dir, OLD_PREFIX)
    if olds and not state_dir.exists():
        os.rename(olds[-1], state_dir)
        olds = olds[:-1]
    for leftover in olds + _siblings(state_dir, NEW_PREFIX):
        shutil.rmtree(leftover, ignore_errors=True)


def write_state_dir(
    state_dir: Path, files: Mapping[str, bytes], current: Mapping[str, bytes] | None = None
) -> bool:
    """Make `state_dir` hold exactly `files`. False when it already did (then
    nothing is touched, not even mtimes). `current`: what `read_state_dir`
    just returned for it, when the caller has that already."""
    if current is None:
        current = read_state_dir(state_dir)
    if dict(current) == dict(files):
        return False
    state_dir.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=NEW_PREFIX, dir=state_dir.parent))
    old = state_dir.parent / f"{OLD_PREFIX}{uuid.uuid4().hex[:12]}"
    try:
        for rel, data in sorted(files.items()):
            write_file(new / rel, data)
        for folder in sorted({(new / rel).parent for rel in files}, reverse=True):
            _fsync_dir(folder)
        os.chmod(new, 0o777 & ~current_umask())  # mkdtemp makes it private; state/ is not
        if state_dir.exists():
            os.rename(state_dir, old)
        os.rename(new, state_dir)
        _fsync_dir(state_dir.parent)
    except BaseException as exc:
        if old.exists() and not state_dir.exists():
            os.rename(old, state_dir)
        shutil.rmtree(new, ignore_errors=True)
        if isinstance(exc, OSError):
            raise IdcError(
                f"could not write {state_dir}: {exc.strerror or exc}; "
                "the previous snapshot is unchanged"
            ) from exc
        raise
    shutil.rmtree(old, ignore_errors=True)
    return True
