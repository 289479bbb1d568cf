"""The live reader: the whole Identity Center plus Organizations as one State.

Three API families are rate-limited separately (sso-admin 20 TPS in all,
identitystore 20 TPS per API, Organizations per API), so their reads run side
by side and the read takes as long as the busiest family, sso-admin, needs:

    organizations:  walk OUs/accounts ─────────> tags per account
    identitystore:  ListUsers, ListGroups ──────> memberships
    sso-admin:      ListInstances > permission sets > provisioning > assignments

Nothing is cached: every call reads live data, and every list is read to its
last page (aws.paging).

What each kind in `kinds` reads (a kind pulls in what it refers to):

- ``user``: ListUsers (complete records, 100 per page).
- ``group``: ListGroups.
- ``membership``: users and groups (to name members), then
  ListGroupMemberships per group or ListGroupMembershipsForMember per user,
  whichever side has fewer principals.
- ``permission_set``: ListPermissionSets, six calls per permission set
  (aws.read_permission_sets), and the provisioning map (aws.read_provisioning);
  with `stale`, also the accounts where each permission set is stale, which
  a plan of permission sets re-provisions.
- ``assignment``: users, groups, accounts, permission set names (one
  DescribePermissionSet each unless ``permission_set`` is read too), the
  provisioning map, then the cheaper assignment strategy (aws.read_assignments).
- ``account``: the Organizations walk and one ListTagsForResource per account.

Kinds read only as references (users for an assignment-only read) are still
returned in the State: they are live data, and the planner needs them to check
that referenced principals exist. `kinds=None` reads everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from reconciler.aws.clients import AwsSession
from reconciler.aws.instance import find_instance
from reconciler.aws.read_accounts import OrgTree, read_accounts, walk_organization
from reconciler.aws.read_assignments import read_assignments
from reconciler.aws.read_context import Progress, ReadAbandoned, ReadContext
from reconciler.aws.read_groups import read_groups, read_memberships
from reconciler.aws.read_permission_sets import (
    list_permission_set_arns,
    read_permission_set_names,
    read_permission_sets,
)
from reconciler.aws.read_provisioning import Provisioning, read_provisioned
from reconciler.aws.read_users import read_users
from reconciler.model import KINDS, Account, Assignment, Group, Membership, State, StateMeta, User
from reconciler.model.permission_sets import PermissionSet

READ_KINDS: tuple[str, ...] = (*KINDS, "account")

# kind -> kinds it cannot be read without.
_NEEDS: dict[str, tuple[str, ...]] = {
    "membership": ("user", "group"),
    "assignment": ("user", "group", "account"),
}

T = TypeVar("T")


def kinds_to_read(kinds: Iterable[str] | None) -> frozenset[str]:
    """`kinds` plus what they refer to; all of READ_KINDS when None."""
    if kinds is None:
        return frozenset(READ_KINDS)
    unknown = set(kinds) - set(READ_KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; known: {', '.join(READ_KINDS)}")
    out = set(kinds)
    for kind in list(out):
        out.update(_NEEDS.get(kind, ()))
    return frozenset(out)


def _result(future: Future[T] | None, default: T) -> T:
    return default if future is None else future.result()


def read_state(
    session: AwsSession,
    *,
    instance: str = "auto",
    kinds: frozenset[str] | None = None,
    progress: Progress | None = None,
    stale: bool = False,
) -> State:
    """Read live Identity Center and Organizations (see module docstring).

    `stale`: also read where permission sets are stale (State.stale_provisioning),
    one call more per permission set or account (aws.read_provisioning), for
    a plan that manages permission sets; snapshots do without.

    Raises AwsError naming the failed call; resources deleted while the read
    runs are left out, not errors. Decisions (strategies and their estimates)
    are added to `session.stats.notes` for the -v report.
    """
    wanted = kinds_to_read(kinds)
    ctx = ReadContext(session, progress)
    phases = ThreadPoolExecutor(4, "idc-read")
    try:
        return _read(ctx, _PhasePool(ctx, phases), instance, wanted, stale)
    except ReadAbandoned:
        # A phase stopped because another failed: report that failure.
        raise ctx.failure or RuntimeError("read abandoned") from None
    finally:
        # Stop first: phases still running unwind (ReadAbandoned) instead of
        # making their remaining calls; then wait for them and their calls.
        ctx.stop.set()
        phases.shutdown(wait=True)
        ctx.close()


class _PhasePool:
    """The phase executor; every phase fails the whole read when it fails."""

    def __init__(self, ctx: ReadContext, pool: ThreadPoolExecutor) -> None:
        self._ctx, self._pool = ctx, pool

    def submit(self, phase: Callable[..., T], *args: Any) -> Future[T]:
        return self._pool.submit(self._ctx.run_phase, phase, *args)


def _read(
    ctx: ReadContext, phases: _PhasePool, instance: str, wanted: frozenset[str], stale: bool
) -> State:
    tree_f = phases.submit(walk_organization, ctx) if "account" in wanted else None
    found = find_instance(ctx.client("sso-admin"), instance)
    ctx.instance_arn, ctx.identity_store_id = found.arn, found.identity_store_id

    users_f = phases.submit(read_users, ctx) if "user" in wanted else None
    groups_f = phases.submit(read_groups, ctx) if "group" in wanted else None
    accounts_f: Future[list[Account]] | None = None
    if tree_f is not None:
        accounts_f = phases.submit(_read_accounts_after_walk, ctx, tree_f)

    sso_side = wanted & {"permission_set", "assignment"}
    ps_f = phases.submit(_read_sso_side, ctx, wanted, tree_f, stale) if sso_side else None

    users: dict[str, User] = _result(users_f, {})
    groups: dict[str, Group] = _result(groups_f, {})
    members_f = (
        phases.submit(read_memberships, ctx, groups, users) if "membership" in wanted else None
    )
    permission_sets, names, provisioned, outdated = _result(ps_f, ([], {}, {}, {}))
    assignments: set[Assignment] = set()
    if "assignment" in wanted:
        assignments = read_assignments(ctx, names, provisioned, users, groups)
    memberships: set[Membership] = _result(members_f, set())
    tree = tree_f.result() if tree_f is not None else None
    accounts: list[Account] = _result(accounts_f, [])
    return State.build(
        users=users.values(),
        groups=groups.values(),
        memberships=memberships,
        permission_sets=permission_sets,
        assignments=assignments,
        accounts=accounts,
        org_units=tree.org_units if tree else (),
        provisioned={names[arn]: ids for arn, ids in provisioned.items() if arn in names},
        stale_provisioning={names[arn]: ids for arn, ids in outdated.items() if arn in names},
        meta=StateMeta(
            instance_arn=found.arn,
            identity_store_id=found.identity_store_id,
            management_account_id=tree.management_account_id if tree else "",
            region=ctx.session.region,
        ),
    )


def _read_accounts_after_walk(ctx: ReadContext, tree_f: Future[OrgTree]) -> list[Account]:
    return read_accounts(ctx, tree_f.result())


def _read_sso_side(
    ctx: ReadContext, wanted: frozenset[str], tree_f: Future[OrgTree] | None, stale: bool
) -> tuple[list[PermissionSet], dict[str, str], Provisioning, Provisioning]:
    """Permission sets (complete, or names only), where they are provisioned
    and, when asked and permission sets are read in full, where they are stale."""
    arns = list_permission_set_arns(ctx)
    permission_sets: list[PermissionSet] = []
    if "permission_set" in wanted:
        live = read_permission_sets(ctx, arns)
        permission_sets = [p.permission_set for p in live]
        names = {p.arn: p.permission_set.name for p in live}
    else:
        names = read_permission_set_names(ctx, arns)
    arns = [a for a in arns if a in names]

    def account_ids() -> list[str]:
        tree = tree_f.result() if tree_f is not None else None
        return [a["Id"] for a in tree.raw_accounts] if tree else []

    def account_count(wait: bool) -> int | None:
        if tree_f is None or not (wait or tree_f.done()):
            return None  # not read (or not yet): see aws.read_provisioning
        return len(tree_f.result().raw_accounts)

    provisioned, outdated = read_provisioned(
        ctx, arns, account_count, account_ids, stale=stale and "permission_set" in wanted
    )
    return permission_sets, names, provisioned, outdated
