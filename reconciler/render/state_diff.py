"""`idc history diff` in the terminal: the plan's renderer over a StateDiff.

What changed between two snapshots is shown exactly as a plan shows a
change (render.text.change_lines): `+`/`~`/`-` per key, attribute diffs with
`->`, policies as unified JSON diffs. Each record change is read as the plan
change that would make the first snapshot into the second, so one renderer
and one vocabulary serve both commands.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from rich.text import Text

from reconciler.plan import Change
from reconciler.plan.changes import Action, Kind
from reconciler.render.text import change_lines
from reconciler.store.semantic_diff import AS_PLAN_ACTION, KeyChange, StateDiff

# The key field(s) of each snapshot kind whose document is not its own key.
_KEY_FIELD = {
    "users": "user_name",
    "groups": "name",
    "permission_sets": "name",
    "accounts": "id",
    "org_units": "id",
}


def as_change(change: KeyChange) -> Change:
    """The record change as the plan change it amounts to (documents as they are)."""
    field = _KEY_FIELD.get(change.kind)
    doc = change.after if change.after is not None else change.before
    key = {field: change.key} if field else dict(doc)  # memberships, assignments
    return Change(
        action=cast(Action, AS_PLAN_ACTION[change.action]),
        kind=cast(Kind, change.kind.removesuffix("s")),
        key=key,
        before=change.before,
        after=change.after,
    )


def state_diff_lines(diff: StateDiff) -> Iterable[Text]:
    """Per kind with changes: a title, then each change as a plan shows it."""
    for kind in diff.counts():
        yield Text("")
        yield Text(kind, style="bold")
        for change in diff.of_kind(kind):
            yield from change_lines(as_change(change))
