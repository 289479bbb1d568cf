"""The audit log: one JSON line per mutation, across every apply and rollback.

Journals answer "how do I undo this run"; the audit log answers "who changed
what, when" across runs, which is what an auditor greps. It lives next to the
journals (`journal/audit.jsonl`) so the apply job commits both. A write
that fails stops the run before its next call, like a failed journal write
(`JournalWriteError`): the disk that refused one refuses the other.
"""

from __future__ import annotations

import errno
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reconciler.apply.journal import JournalWriteError, utc_now
from reconciler.errors import AwsError
from reconciler.model.operations import Op

AUDIT_FILE = "audit.jsonl"


class AuditLog:
    def __init__(self, directory: Path, caller_arn: str, journal: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / AUDIT_FILE
        self.caller_arn = caller_arn
        self.journal = journal
        self._lock = threading.Lock()

    def record_report(self, call: str, target: str, report: Mapping[str, Any]) -> None:
        """Append a run's closing report (a restore's counts) to the log."""
        entry = {
            "time": utc_now(),
            "caller": self.caller_arn,
            "call": call,
            "target": target,
            "report": report,
            "result": "report",
            "journal": self.journal,
        }
        self._append(entry)

    def record_event(self, call: str, target: str, result: str, details: Mapping[str, Any]) -> None:
        """Append an operation that is not an AWS mutation (an export, an
        import, a prune): what, where, and how it ended."""
        entry = {
            "time": utc_now(),
            "caller": self.caller_arn,
            "call": call,
            "target": target,
            "result": result,
            **({"journal": self.journal} if self.journal else {}),
            "details": details,
        }
        self._append(entry)

    def record(self, op: Op, error: AwsError | None) -> None:
        """Append (and fsync) one mutation and its result."""
        entry = {
            "time": utc_now(),
            "caller": self.caller_arn,
            "call": op.name,
            "target": op.describe().split(" ", 1)[1],
            "args": op.args,
            "result": "ok" if error is None else "error",
            "journal": self.journal,
        }
        if error is not None:
            entry["error"] = {"code": error.code, "reason": error.reason}
        self._append(entry)

    def _append(self, entry: Mapping[str, Any]) -> None:
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                try:
                    if os.write(fd, line) != len(line):
                        raise OSError(errno.ENOSPC, "short write")
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                raise JournalWriteError(self.path, exc) from exc
