"""Safety rails from idc.yaml: protected keys and the delete budget.

Protect patterns match `Change.key_text()` (Settings.safety: names exactly,
an assignment's principal type in any case, so the documented
`assignment:PS:group:NAME:*` matches the key's `GROUP`); plan.protect refuses
a pattern that matches nothing. Protection stops updates and deletes (the
resource is "never deleted or changed by apply"); creating a protected key
is allowed.

A protected resource keeps what it depends on: a kept assignment keeps its
permission set and principal, a kept group keeps the members it would have
lost by being deleted (a kept user likewise), and a kept membership keeps
its user. Otherwise
protecting `assignment:AdministratorAccess:group:BreakGlass:*` would still
delete the BreakGlass group underneath it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from reconciler.desired.settings import SETTINGS_FILE, Settings
from reconciler.errors import IdcError
from reconciler.plan.changes import Change, Plan

SHOWN_KEYS = 3  # keys named per warning; the rest are counted


class TooManyDeletesError(IdcError):
    """The plan deletes more than safety.max_deletes allows.

    `plan` is the whole plan, marked refused, so callers can show what would
    be deleted (a pull-request comment must) before failing.
    """

    def __init__(self, count: int, limit: int, plan: Plan) -> None:
        self.count = count
        self.limit = limit
        message = (
            f"the plan deletes {count} resources, more than safety.max_deletes ({limit}) "
            f"in {SETTINGS_FILE}; review the plan and use --allow-deletes if it is intended"
        )
        self.plan = replace(plan, refused=message)
        super().__init__(message)


def protected_by(change: Change, settings: Settings) -> str | None:
    """The protect glob that matches this change's key, or None."""
    return settings.safety.protected(change.key_text())


def drop_protected(changes: list[Change], settings: Settings) -> tuple[list[Change], list[str]]:
    """Changes without protected updates/deletes (and the deletes they depend
    on), and one warning per protect glob / kept dependency saying why."""
    if not settings.safety.protect:
        return changes, []
    skipped: dict[str, list[Change]] = defaultdict(list)  # why -> changes
    kept: set[tuple[str, str]] = set()  # (kind, name) that must not be deleted
    remaining: list[Change] = []
    for change in changes:
        glob = None if change.action == "create" else protected_by(change, settings)
        if glob is None:
            remaining.append(change)
            continue
        skipped[f'protected by safety.protect "{glob}" in {SETTINGS_FILE}'].append(change)
        kept.update(needs(change))
    while True:  # deletes that kept resources need; each pass keeps more
        dependents = [
            c for c in remaining if c.action == "delete" and not kept.isdisjoint(targets(c))
        ]
        if not dependents:
            break
        dropped = {id(c) for c in dependents}
        remaining = [c for c in remaining if id(c) not in dropped]
        for change in dependents:
            skipped["needed by a protected resource"].append(change)
            kept.update(needs(change))
    return remaining, [_warning(why, items) for why, items in skipped.items()]


def targets(change: Change) -> list[tuple[str, str]]:
    """What a delete removes, in the terms `needs` keeps things alive by."""
    key = change.key
    if change.kind == "membership":  # lost when its group or its user goes
        return [("group-members", key["group"]), ("user-memberships", key["user"])]
    if change.kind == "assignment":
        return [("assignment", change.key_text())]
    return [(change.kind, next(iter(key.values())))]


def needs(change: Change) -> list[tuple[str, str]]:
    """What must survive for the resource this change would have touched."""
    key = change.key
    if change.kind == "assignment":
        principal_kind = "user" if key["principal_type"].upper() == "USER" else "group"
        return [("permission_set", key["permission_set"]), (principal_kind, key["principal"])]
    if change.kind == "membership":
        return [("group", key["group"]), ("user", key["user"])]
    if change.kind == "group" and change.action == "delete":
        return [("group-members", key["name"])]
    if change.kind == "user" and change.action == "delete":
        return [("user-memberships", key["user_name"])]
    return []


def _warning(why: str, changes: list[Change]) -> str:
    names = [f"{c.action} {c.key_text()}" for c in changes[:SHOWN_KEYS]]
    more = f" and {len(changes) - SHOWN_KEYS} more" if len(changes) > SHOWN_KEYS else ""
    noun = "change" if len(changes) == 1 else "changes"
    return f"skipped {len(changes)} {noun} {why}: {', '.join(names)}{more}"


def check_delete_budget(plan: Plan, settings: Settings, allow: bool) -> None:
    if allow:
        return
    count = plan.summary()["delete"]
    if count > settings.safety.max_deletes:
        raise TooManyDeletesError(count, settings.safety.max_deletes, plan)
