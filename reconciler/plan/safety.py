"""Safety rails from idc.yaml: protected keys and the delete budget.

Protect globs match `Change.key_text()`. SPEC writes the principal type of an
assignment in lower case (`assignment:AdministratorAccess:group:BreakGlass:*`)
while keys carry the API's `GROUP`/`USER`; a glob matches either spelling, so
both forms protect. Protection stops updates and deletes (the resource is
"never deleted or changed by apply"); creating a protected key is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.desired.settings import SETTINGS_FILE, Settings
from reconciler.errors import IdcError
from reconciler.plan.changes import Change


class TooManyDeletesError(IdcError):
    """The plan deletes more than safety.max_deletes allows."""

    def __init__(self, count: int, limit: int) -> None:
        self.count = count
        self.limit = limit
        super().__init__(
            f"the plan deletes {count} resources, more than safety.max_deletes ({limit}) "
            f"in {SETTINGS_FILE}; review the plan and use --allow-deletes if it is intended"
        )


def protected_by(change: Change, settings: Settings) -> str | None:
    """The protect glob that matches this change's key, or None."""
    safety = settings.safety
    if not safety.protect:
        return None
    text = change.key_text()
    glob = safety.protected(text)
    if glob is None and change.kind == "assignment":
        key = dict(change.key)
        key["principal_type"] = key["principal_type"].lower()
        glob = safety.protected(":".join([change.kind, *key.values()]))
    return glob


def drop_protected(changes: Iterable[Change], settings: Settings) -> tuple[list[Change], list[str]]:
    """Changes without protected updates/deletes, and a warning for each dropped."""
    kept: list[Change] = []
    warnings: list[str] = []
    for change in changes:
        glob = None if change.action == "create" else protected_by(change, settings)
        if glob is None:
            kept.append(change)
        else:
            warnings.append(
                f"{change.action} of {change.key_text()} skipped: protected by "
                f'safety.protect "{glob}" in {SETTINGS_FILE}'
            )
    return kept, warnings


def check_delete_budget(changes: Iterable[Change], settings: Settings, allow: bool) -> None:
    if allow:
        return
    count = sum(1 for c in changes if c.action == "delete")
    if count > settings.safety.max_deletes:
        raise TooManyDeletesError(count, settings.safety.max_deletes)
