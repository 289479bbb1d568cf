"""Users: create, update writable attributes, delete when authoritative.

Only attributes Identity Store lets us write are compared; `external_ids` are
set by a SCIM IdP and carried over from live so an update never shows them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from reconciler.model import USER_WRITABLE_FIELDS, User
from reconciler.plan.changes import Change
from reconciler.plan.context import PlanContext
from reconciler.plan.documents import user_doc, user_key
from reconciler.plan.wording import differ


def plan_users(ctx: PlanContext) -> Iterator[Change]:
    if not ctx.manages("user"):
        ctx.notes.append(f"user: not managed ({ctx.manage_text('user')}); referenced by name only")
        return
    desired, live = ctx.desired.users, ctx.live.users
    in_sync = 0
    for name in sorted(desired):
        want, have = desired[name], live.get(name)
        if have is None:
            yield ctx.create("user", name, user_key(name), user_doc(want))
            continue
        fields = changed_fields(want, have)
        if not fields:
            in_sync += 1
            continue
        after = dataclasses.replace(want, external_ids=have.external_ids)
        yield Change(
            "update", "user", user_key(name), user_doc(have), user_doc(after), differ(fields)
        )
    ctx.note_unchanged("user", in_sync, len(live))
    if not ctx.authoritative("user"):
        return
    for name in sorted(live.keys() - desired.keys()):
        yield ctx.delete("user", user_key(name), user_doc(live[name]))


def changed_fields(want: User, have: User) -> list[str]:
    return [f for f in USER_WRITABLE_FIELDS if getattr(want, f) != getattr(have, f)]
