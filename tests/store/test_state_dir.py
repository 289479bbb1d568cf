"""state/ on disk is replaced whole or not at all."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from reconciler.errors import IdcError
from reconciler.model import State
from reconciler.store import state_dir as state_dir_module
from reconciler.store.manifest import read_snapshot, render_snapshot
from reconciler.store.state_dir import read_state_dir, write_state_dir


def test_unchanged_state_rewrites_nothing_and_keeps_the_manifest_time(
    tmp_path: Path, demo: State
) -> None:
    target = tmp_path / "state"
    assert write_state_dir(target, render_snapshot(demo, time="2024-01-01T00:00:00Z"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in target.rglob("*.yaml")}
    again = render_snapshot(demo, previous=read_state_dir(target), time="2025-06-06T06:06:06Z")
    assert not write_state_dir(target, again)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in target.rglob("*.yaml")}
    assert after == before
    assert b"time: '2024-01-01T00:00:00Z'" in (target / "manifest.yaml").read_bytes()


def test_a_change_gets_a_new_manifest_time(tmp_path: Path, demo: State) -> None:
    target = tmp_path / "state"
    write_state_dir(target, render_snapshot(demo, time="2024-01-01T00:00:00Z"))
    smaller = State.build(
        users=[u for k, u in demo.users.items() if k != "frank@example.com"],
        groups=demo.groups.values(),
        accounts=demo.accounts.values(),
        org_units=demo.org_units.values(),
        meta=demo.meta,
    )
    files = render_snapshot(smaller, previous=read_state_dir(target), time="2025-06-06T06:06:06Z")
    assert write_state_dir(target, files)
    manifest = (target / "manifest.yaml").read_text()
    assert "time: '2025-06-06T06:06:06Z'" in manifest and "users: 7" in manifest


def test_files_of_deleted_permission_sets_and_accounts_are_removed(
    tmp_path: Path, demo: State
) -> None:
    target = tmp_path / "state"
    write_state_dir(target, render_snapshot(demo))
    assert (target / "permission_sets" / "Billing.yaml").exists()
    gone = "123456789012"
    without_billing = State.build(
        users=demo.users.values(),
        groups=demo.groups.values(),
        memberships=demo.memberships,
        permission_sets=[p for k, p in demo.permission_sets.items() if k != "Billing"],
        assignments=[
            a for a in demo.assignments if a.permission_set != "Billing" and a.account != gone
        ],
        accounts=[a for a in demo.accounts.values() if a.id != gone],
        org_units=demo.org_units.values(),
        meta=demo.meta,
    )
    write_state_dir(target, render_snapshot(without_billing))
    assert not (target / "permission_sets" / "Billing.yaml").exists()
    assert not (target / "assignments" / f"{gone}.yaml").exists()
    assert (target / "assignments" / "222222222222.yaml").exists()
    # The manifest keeps no region (it is not part of the snapshot format).
    expected = replace(without_billing, meta=replace(demo.meta, region=""))
    assert read_snapshot(read_state_dir(target))[0] == expected
    assert [p.name for p in tmp_path.iterdir()] == ["state"]  # no temp trees left


def test_failure_mid_write_leaves_the_previous_snapshot_intact(
    tmp_path: Path, demo: State, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "state"
    write_state_dir(target, render_snapshot(demo, time="2024-01-01T00:00:00Z"))
    old = read_state_dir(target)
    written: list[Path] = []
    real_write = state_dir_module.write_file

    def write_then_fail(path: Path, data: bytes) -> None:
        if len(written) == 5:
            raise OSError(28, "No space left on device")
        real_write(path, data)
        written.append(path)

    monkeypatch.setattr(state_dir_module, "write_file", write_then_fail)
    with pytest.raises(IdcError, match=r"No space left.*previous snapshot is unchanged"):
        write_state_dir(
            target, render_snapshot(replace(demo, users={}), time="2025-01-01T00:00:00Z")
        )
    assert len(written) == 5
    assert read_state_dir(target) == old
    assert [p.name for p in tmp_path.iterdir()] == ["state"]


def test_a_swap_killed_between_its_renames_is_undone_on_next_use(
    tmp_path: Path, demo: State
) -> None:
    target = tmp_path / "state"
    write_state_dir(target, render_snapshot(demo))
    old = read_state_dir(target)
    # What a kill -9 after the first rename leaves: the old tree set aside,
    # the new one still in its temp directory, no state/.
    os.rename(target, tmp_path / ".state.old-deadbeef0000")
    (tmp_path / ".state.new-xyz").mkdir()
    (tmp_path / ".state.new-xyz" / "users.yaml").write_text("users: []\n")
    assert read_state_dir(target) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]
