"""Group memberships: add and remove users so each declared group has exactly
the members its desired entry lists.

Authority is per group: a group entry lists its complete membership, so only
groups present in desired state (and groups or users being deleted) lose
members. A live group desired state does not mention keeps its members.
"""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.model import Membership
from reconciler.plan.changes import Change
from reconciler.plan.context import PlanContext
from reconciler.plan.documents import membership_key


def plan_memberships(ctx: PlanContext) -> Iterator[Change]:
    if not ctx.manages("membership"):
        ctx.notes.append(
            f"membership: not managed ({ctx.manage_text('membership')}); group members are ignored"
        )
        return
    desired, live = ctx.desired.memberships, ctx.live.memberships
    _check_references(ctx, desired)
    for m in sorted(desired - live):
        yield Change(
            "create",
            "membership",
            membership_key(m),
            None,
            membership_key(m),
            f"listed as a member in {_where(ctx, m)} but not in AWS",
        )
    ctx.note_unchanged("membership", len(desired & live), len(live))
    wanted_groups, live_groups = frozenset(ctx.desired.groups), frozenset(ctx.live.groups)
    authority: frozenset[str] = frozenset()
    if ctx.declares("membership"):
        # Desired state lists these groups' members completely: each group it
        # defines or, when memberships are declared without groups (`idc
        # restore --only memberships`), every live group.
        authority = wanted_groups if ctx.declares("group") else live_groups
    deleted = live_groups - wanted_groups if ctx.authoritative("group") else frozenset()
    authority |= deleted  # groups absent from desired state are deleted, members first
    # Users absent from desired state are deleted; their memberships go first,
    # explicitly, so apply journals them and a rollback restores them.
    leaving = ctx.desired.users if ctx.authoritative("user") else None
    for m in sorted(live - desired):
        user_leaves = leaving is not None and m.user not in leaving
        if m.group not in authority and not user_leaves:
            continue
        if user_leaves:
            reason = f'user "{m.user}" is deleted (not in desired state)'
        elif m.group in deleted:
            reason = f'group "{m.group}" is deleted (not in desired state)'
        else:
            reason = (
                f'not listed in the members of group "{m.group}" ({ctx.where("group", m.group)})'
            )
        yield Change("delete", "membership", membership_key(m), membership_key(m), None, reason)


def _where(ctx: PlanContext, m: Membership) -> str:
    loc = ctx.location("membership", f"{m.group}:{m.user}")
    return str(loc) if loc is not None and loc.path else ctx.where("group", m.group)


def _check_references(ctx: PlanContext, desired: frozenset[Membership]) -> None:
    for m in sorted(desired):
        for why in (ctx.missing_reference("group", m.group), ctx.missing_reference("user", m.user)):
            if why is not None:
                loc = ctx.location("membership", f"{m.group}:{m.user}") or ctx.location(
                    "group", m.group
                )
                ctx.error(loc, f'member "{m.user}" of group "{m.group}": {why}')
