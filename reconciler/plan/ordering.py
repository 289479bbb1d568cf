"""Execution order (docs/formats.md#plan-files), so a plan reads the way apply runs it.

Dependencies decide the phases: a permission set and its principals exist
before anything is assigned; assignments go before the permission sets and
principals they use are deleted (AWS refuses to delete an assigned permission
set). Within a phase, changes sort by key, so the order never depends on
input order or hash seeds.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.plan.changes import Change

PHASES: tuple[tuple[str, str], ...] = (
    ("permission_set", "create"),
    ("permission_set", "update"),
    ("user", "create|update"),
    ("group", "create|update"),
    ("membership", "create"),
    ("assignment", "create"),
    # apply re-provisions updated permission sets here (Change.reprovision)
    ("assignment", "delete"),
    ("membership", "delete"),
    ("permission_set", "delete"),
    ("group", "delete"),
    ("user", "delete"),
)
_PHASE_OF: dict[tuple[str, str], int] = {
    (kind, action): index
    for index, (kind, actions) in enumerate(PHASES)
    for action in actions.split("|")
}


def phase(change: Change) -> int:
    return _PHASE_OF[(change.kind, change.action)]


def in_apply_order(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (phase(c), tuple(c.key.values())))
