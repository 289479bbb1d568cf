"""Who holds an apply lock: enough to find that run and ask it (or its owner)
to finish, on a laptop or in CI.

One record for both locks: the local lock's side file and the S3 lock
object's body (which adds the lease's expiry, reconciler.apply.lease).
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.apply.journal import utc_now


def ci_run(environ: Mapping[str, str]) -> str:
    """The GitHub Actions run this process belongs to, as its URL ('' outside CI)."""
    run_id, repository = environ.get("GITHUB_RUN_ID"), environ.get("GITHUB_REPOSITORY")
    if not run_id or not repository:
        return ""
    server = environ.get("GITHUB_SERVER_URL") or "https://github.com"
    return f"{server}/{repository}/actions/runs/{run_id}"


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    user: str
    acquired_at: str
    journal: str = ""
    command: str = ""  # the idc verb holding it, e.g. "idc apply"
    ci_run: str = ""  # the CI run's URL, when run by GitHub Actions

    @classmethod
    def me(
        cls, journal: str = "", command: str = "", environ: Mapping[str, str] | None = None
    ) -> Holder:
        try:
            user = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            user = str(os.getuid())
        run = ci_run(os.environ if environ is None else environ)
        return cls(socket.gethostname(), os.getpid(), user, utc_now(), journal, command, run)

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "pid": self.pid,
            "user": self.user,
            "acquired_at": self.acquired_at,
            "journal": self.journal,
            "command": self.command,
            "ci_run": self.ci_run,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Holder:
        try:
            pid = int(data.get("pid", 0))
        except (TypeError, ValueError):
            pid = 0
        return cls(
            host=str(data.get("host", "?")),
            pid=pid,
            user=str(data.get("user", "?")),
            acquired_at=str(data.get("acquired_at", data.get("time", "?"))),
            journal=str(data.get("journal", "")),
            command=str(data.get("command", "")),
            ci_run=str(data.get("ci_run", "")),
        )

    def describe(self) -> str:
        """`pid 42 of ci on runner-1 since T (idc apply, CI run URL), journal J`."""
        text = f"pid {self.pid} of {self.user} on {self.host} since {self.acquired_at}"
        what = ", ".join(part for part in (self.command, self.ci_run) if part)
        text += f" ({what})" if what else ""
        return text + (f", journal {self.journal}" if self.journal else "")
