"""What a run did, per kind: the report a restore ends with.

A backup tool is judged by its report: how many users, groups, memberships,
permission sets and assignments were created, updated or deleted, what was
skipped (by strategy or selection) and why, what failed with AWS's reason,
how long it took and how many API calls it made. It is computed from the
plan and the run's outcome (never from the log text), printed as text or
JSON, and appended to the audit log so the record outlives the terminal.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reconciler.apply.runner import RunResult
from reconciler.model.operations import Op
from reconciler.plan import Plan

KINDS = ("users", "groups", "memberships", "permission_sets", "assignments")
_KIND_OF_KEY = {
    "user": "users",
    "group": "groups",
    "membership": "memberships",
    "permission_set": "permission_sets",
    "assignment": "assignments",
}


def _kind(op: Op) -> str:
    return _KIND_OF_KEY[op.key_text().split(":", 1)[0]]


def _action(op: Op) -> str:
    if op.name == "provision_permission_set":
        return "reprovisioned"
    if op.name in ("add_member", "remove_member"):
        return "created" if op.name == "add_member" else "deleted"
    return {"create": "created", "update": "updated", "delete": "deleted"}[op.name.split("_")[0]]


@dataclass
class RunReport:
    """Counts per kind and action, failures with AWS's reason, cost."""

    label: str
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    failed: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    api_calls: int = 0
    journal: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.label,
            "kinds": {kind: dict(sorted(self.counts[kind].items())) for kind in KINDS},
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "api_calls": self.api_calls,
            "journal": self.journal,
        }

    def text(self) -> str:
        lines = [f"Restore report for {self.label}:"]
        for kind in KINDS:
            counts = self.counts[kind]
            shown = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()) if n)
            lines.append(f"  {kind:<16} {shown or 'no change'}")
        for failure in self.failed:
            lines.append(f"  failed  {failure['operation']}: {failure['reason']}")
        lines.append(f"  {self.api_calls} API call(s) in {self.seconds:.1f}s")
        return "\n".join(lines)


def run_report(
    label: str, plan: Plan, result: RunResult, *, seconds: float, api_calls: int
) -> RunReport:
    """The report of `result`, the run of `plan` (skips come from the plan)."""
    report = RunReport(label, {kind: Counter() for kind in KINDS}, seconds=seconds)
    report.api_calls = api_calls
    report.journal = result.journal.name
    for _, op, _ in result.outcome.done:
        report.counts[_kind(op)][_action(op)] += 1
    for (_, op, _), error in result.outcome.failures:
        report.counts[_kind(op)]["failed"] += 1
        report.failed.append({"operation": op.describe(), "reason": str(error)})
    for skipped in plan.skipped:
        kind = _KIND_OF_KEY.get(skipped.key.split(":", 1)[0])
        if kind is not None:
            report.counts[kind]["skipped"] += 1
    return report
