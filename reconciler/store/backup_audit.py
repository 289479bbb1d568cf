"""Export, import and prune in the audit log, beside the applies.

These touch no Identity Center resource, so they have no journal and no
AWS caller to name: the person is the git identity of the repository (who
would commit the result), which is what an auditor asking "who copied the
directory data to that bucket" needs.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reconciler.apply.audit import AuditLog
from reconciler.apply.journal import JOURNAL_DIR, JournalWriteError
from reconciler.errors import IdcError
from reconciler.store.git_repo import SnapshotRepo
from reconciler.store.snapshotter import STATE_DIR_NAME


def who(repo: Path) -> str:
    try:
        identity = SnapshotRepo(repo, STATE_DIR_NAME).identity()
        return f"{identity.name} <{identity.email}>"
    except IdcError:
        return getpass.getuser()


def audit_backup(
    repo: Path, call: str, where: str, result: str, details: Mapping[str, Any]
) -> str | None:
    """Append one entry; a warning (not a failure) when the log cannot be
    written, since the backup itself is already done."""
    try:
        AuditLog(repo / JOURNAL_DIR, who(repo), "").record_event(call, where, result, details)
    except (JournalWriteError, OSError) as exc:
        return f"the {call} is not in the audit log: {exc}"
    return None
