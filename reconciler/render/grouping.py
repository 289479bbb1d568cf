"""What every renderer shares: kind order and titles, the summary sentence."""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.plan import Change, Plan
from reconciler.plan.wording import plural

# Kinds in the order apply first touches them (reconciler.plan.ordering).
KIND_TITLES: dict[str, str] = {
    "permission_set": "Permission sets",
    "user": "Users",
    "group": "Groups",
    "membership": "Group memberships",
    "assignment": "Account assignments",
}


def by_kind(changes: Iterable[Change]) -> list[tuple[str, list[Change]]]:
    """Changes grouped by kind, kinds in KIND_TITLES order, plan order inside."""
    groups: dict[str, list[Change]] = {kind: [] for kind in KIND_TITLES}
    for change in changes:
        groups[change.kind].append(change)
    return [(kind, items) for kind, items in groups.items() if items]


def summary_line(plan: Plan) -> str:
    """`Plan: 3 to add, 1 to change, 0 to destroy.` (Terraform's wording)."""
    counts = plan.summary()
    return (
        f"Plan: {counts['create']} to add, {counts['update']} to change, "
        f"{counts['delete']} to destroy."
    )


def scope_notes(plan: Plan) -> list[str]:
    """What the plan leaves alone and why, then one line of what already
    matches AWS: shown with every plan, so "not touched" never reads as "in sync"."""
    notes = list(plan.notes)
    counts = [plural(n, kind.replace("_", " ")) for kind, n in plan.in_sync.items() if n]
    if counts:
        notes.append(f"already match AWS: {', '.join(counts)}")
    return notes


SKIPPED_SHOWN = 20  # entries listed per reason; the JSON plan has them all


def skipped_lines(plan: Plan) -> list[str]:
    """What a restore strategy or selection left out: one heading per
    reason, then `action key` per entry (the first SKIPPED_SHOWN)."""
    by_reason: dict[str, list[str]] = {}
    for entry in plan.skipped:
        by_reason.setdefault(entry.reason, []).append(f"{entry.action} {entry.key}")
    lines: list[str] = []
    for reason, entries in by_reason.items():
        lines.append(f"{reason} ({len(entries)}):")
        lines.extend(f"  {e}" for e in entries[:SKIPPED_SHOWN])
        if len(entries) > SKIPPED_SHOWN:
            lines.append(f"  ... and {len(entries) - SKIPPED_SHOWN} more (see the JSON plan)")
    return lines
