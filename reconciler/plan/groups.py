"""Groups: create, update the description, delete when authoritative.

Members are memberships, planned separately, so a group change never hides a
membership change inside its documents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from reconciler.plan.changes import Change
from reconciler.plan.context import PlanContext
from reconciler.plan.documents import group_doc, group_key
from reconciler.plan.wording import differ


def plan_groups(ctx: PlanContext) -> Iterator[Change]:
    if not ctx.manages("group"):
        ctx.notes.append(
            f"group: not managed ({ctx.manage_text('group')}); referenced by name only"
        )
        return
    desired, live = ctx.desired.groups, ctx.live.groups
    in_sync = 0
    for name in sorted(desired):
        want, have = desired[name], live.get(name)
        if have is None:
            yield ctx.create("group", name, group_key(name), group_doc(want))
        elif want.description != have.description:
            # external_ids are read-only (set by the IdP): carried over from live
            after = dataclasses.replace(want, external_ids=have.external_ids)
            yield Change(
                "update",
                "group",
                group_key(name),
                group_doc(have),
                group_doc(after),
                differ(["description"]),
            )
        else:
            in_sync += 1
    ctx.note_unchanged("group", in_sync, len(live))
    if not ctx.authoritative("group"):
        return
    for name in sorted(live.keys() - desired.keys()):
        yield ctx.delete("group", group_key(name), group_doc(live[name]))
