"""The journal cannot be written (disk full, a short write) in the middle of
an apply: the run stops before its next call, says which journal and how much
was applied, and rolls back; when even the rollback cannot journal, it says
how to undo once there is room, and that undo is exact."""

from __future__ import annotations

import errno
import json
import os
import types
from pathlib import Path

import pytest

from reconciler.apply import journal as journal_module
from reconciler.sim import Simulator
from tests.cli.test_apply import journals, live, repo  # noqa: F401 (fixtures)
from tests.conftest import IdcRunner


class Disk:
    """The journal module's view of `os`, whose `write` fails from the Nth call:
    once (`short`: a torn record, then the disk recovers) or for good (full)."""

    def __init__(self, fail_at: int, *, short: bool) -> None:
        self.fail_at, self.short, self.writes, self.failed = fail_at, short, 0, 0

    def write(self, fd: int, data: bytes) -> int:
        self.writes += 1
        if self.writes < self.fail_at or (self.short and self.failed):
            return os.write(fd, data)
        self.failed += 1
        if self.short:
            return os.write(fd, data[:10])  # a torn record, as a full disk leaves it
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def os(self) -> types.SimpleNamespace:
        names = {n: getattr(os, n) for n in dir(os) if not n.startswith("_")}
        return types.SimpleNamespace(**{**names, "write": self.write})


def _records(path: Path) -> list[dict[str, object]]:
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            out.append({"type": "torn"})
    return out


def test_a_short_write_stops_the_apply_and_it_is_rolled_back(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = live()
    # header, then intent/done pairs: write 5 is the done record of the 2nd op
    disk = Disk(fail_at=5, short=True)
    monkeypatch.setattr(journal_module, "os", disk.os())
    result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert disk.failed == 1 and result.exit_code == 1, result.output
    first = journals(repo)[0]
    assert f"could not write the journal {first.name}" in result.stderr
    assert "apply stopped after 1 operation(s)" in result.stderr
    assert "rolled back automatically" in result.stderr
    kinds = [r["type"] for r in _records(first)]
    assert kinds[-1] == "torn" and "end" not in kinds  # no call after the failed write
    assert live() == before


def test_a_full_disk_stops_the_apply_and_says_how_to_undo_once_there_is_room(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = live()
    disk = Disk(fail_at=7, short=False)
    monkeypatch.setattr(journal_module, "os", disk.os())
    result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert disk.failed >= 2 and result.exit_code == 1, result.output  # apply, then rollback
    (journal,) = journals(repo)  # the rollback's own journal could not be kept
    assert f"could not write the journal {journal.name}: No space left on device" in (result.stderr)
    assert "the automatic rollback could not start" in result.stderr
    assert f"idc --repo {repo} rollback journal/{journal.name}" in result.stderr
    assert "Traceback" not in result.output
    assert live() != before  # three operations stayed applied

    monkeypatch.setattr(journal_module, "os", os)  # room again
    undo = idc("--repo", str(repo), "rollback", journal.name, "--auto-approve")
    assert undo.exit_code == 0, undo.output
    assert live() == before
