"""Export and import of a 200,000-assignment backup, in bounded memory.

A synthetic organization (built as a State, no AWS: export and import never
call Identity Center) is committed as a snapshot, then exported to a
directory as yaml (encrypted), json and csv, and the encrypted yaml backup
imported back (manifest, every sha256, decryption, schemas, parse).
Reported per step: wall time (context, no target: it is local CPU work)
and peak Python memory while it ran (tracemalloc), target < 500 MB; the
imported backup must equal the source.
"""

from __future__ import annotations

import base64
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import git

from benchmarks.common import Row, max_rss_mb, run_cases
from reconciler.aws.clients import AwsSession
from reconciler.desired.settings import EncryptionKey, Settings
from reconciler.model import Account, Assignment, Group, Membership, State, StateMeta, User
from reconciler.model.permission_sets import PermissionSet
from reconciler.store.backup_import import BackupReader
from reconciler.store.export import ExportRequest, export_backup
from reconciler.store.keys import resolve_key
from reconciler.store.snapshotter import Snapshotter

MEMORY_TARGET_MB = 500.0
KEY_VAR = "IDC_BENCH_BACKUP_KEY"
META = StateMeta(
    instance_arn="arn:aws:sso:::instance/ssoins-6804a1b2c3d4e5f6",
    identity_store_id="d-9067a1b2c3",
)


def organization(assignments: int) -> State:
    """`assignments` assignments over 2,000 accounts and 50 permission sets,
    half to groups and half to users, each unique."""
    accounts = [Account(f"{100000000000 + n}", f"account-{n}") for n in range(2000)]
    users = [User(f"user{n}@example.com", display_name=f"User {n}") for n in range(5000)]
    groups = [Group(f"group-{n}", description=f"Group {n}") for n in range(500)]
    sets = [PermissionSet(f"PermissionSet{n}", description=f"set {n}") for n in range(50)]
    rows = []
    for i in range(assignments):
        ps, account, half = i % 50, (i // 50) % 2000, i // 100000
        if half % 2 == 0:
            principal = ("GROUP", groups[(account + half) % len(groups)].name)
        else:
            principal = ("USER", users[(account * 7 + half) % len(users)].user_name)
        rows.append(Assignment(sets[ps].name, principal[0], principal[1], accounts[account].id))  # type: ignore[arg-type]
    memberships = [Membership(groups[n % 500].name, users[n].user_name) for n in range(5000)]
    return State.build(
        users=users,
        groups=groups,
        memberships=memberships,
        permission_sets=sets,
        assignments=rows,
        accounts=accounts,
        meta=META,
    )


def measured(step: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, seconds, peak MB of Python allocations while it ran)."""
    tracemalloc.start()
    started = time.monotonic()
    result = step()
    seconds = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 2**20


def export_case(assignments: int) -> tuple[list[Row], dict[str, Any]]:
    name = f"{assignments:,} assignments"
    os.environ[KEY_VAR] = base64.b64encode(os.urandom(32)).decode()
    settings = Settings(encryption_key=EncryptionKey.parse(f"env:{KEY_VAR}"))
    with tempfile.TemporaryDirectory(prefix="idc-export-bench-") as tmp:
        repo, target = Path(tmp) / "repo", Path(tmp) / "backups"
        git.Repo.init(repo)
        source = organization(assignments)
        Snapshotter(repo).record(source, "bench")

        def key() -> Any:
            return resolve_key(settings.encryption_key, repo=repo)  # type: ignore[arg-type]

        def session() -> AwsSession:
            raise AssertionError("a directory export never calls AWS")

        steps: dict[str, tuple[float, float]] = {}
        folders: dict[str, str] = {}
        for fmt, encrypt in (("yaml", True), ("json", False), ("csv", False)):
            request = ExportRequest((str(target / fmt),), format=fmt, encrypt=encrypt)
            result, seconds, peak = measured(
                lambda r=request: export_backup(repo, r, settings, session=session, backup_key=key)
            )
            assert result.ok, result.targets
            folders[fmt] = result.targets[0].where
            steps[f"export {fmt}{' encrypted' if encrypt else ''}"] = (seconds, peak)
        reader = BackupReader(session, key)
        loaded, seconds, peak = measured(lambda: reader.snapshot(folders["yaml"]).read()[0])
        steps["import yaml encrypted"] = (seconds, peak)
        same = loaded.counts() == source.counts() and loaded.assignments == source.assignments
    rows = []
    for step, (_, peak) in steps.items():
        rows.append(Row("export", name, f"{step}: peak memory", round(peak, 1), "MB",
                        f"< {MEMORY_TARGET_MB:.0f} MB", peak < MEMORY_TARGET_MB))  # fmt: skip
    rows.append(Row("export", name, "imported = source", int(same), "", "1", same))
    for step, (seconds, _) in steps.items():
        print(f"{step}: {seconds:.1f} s", flush=True)
    detail = {
        "case": name,
        "steps": {s: {"seconds": t, "peak_mb": p} for s, (t, p) in steps.items()},
        "max_rss_mb": max_rss_mb(),
    }
    return rows, detail


def main(quick: bool = False) -> list[Row]:
    size = 20_000 if quick else 200_000
    return run_cases("export", [(f"{size:,}", lambda: export_case(size))], quick)


if __name__ == "__main__":
    main()
