"""The fewest API calls any complete read of an organization needs.

Benchmarks report the reader's calls next to this bound, so "fast" has a
yardstick that does not move with our implementation. It is computed from a
State read completely (the counts are exact then), with the largest page each
API allows (MAX_RESULTS) and the cheapest of the complete readings for each
part:

- instance: ListInstances, 1.
- users, groups: ceil(n/100) pages, at least 1.
- memberships: per group, or per user, whichever needs fewer pages.
- permission sets: ceil(P/100) list pages plus 6 calls each (describe,
  inline policy, managed policies, customer managed references, boundary,
  tags: sso-admin has no bulk read).
- provisioning: per permission set or per account, whichever is fewer, each
  asked twice when permission sets are read in full: where it is
  provisioned, and where it is provisioned but stale (not at the latest
  version), which no unfiltered list tells: `stale`, as read_state's.
- assignments: per provisioned (permission set, account) pair, or per user
  and group. A mix cannot do better: a principal not asked for directly can
  only be found by reading every pair it might be in, i.e. all of them.
- organization: DescribeOrganization, ListRoots, per OU (root included) one
  child-OU listing and one account listing (20 per page), and one
  ListTagsForResource per account.

The page sizes and per-permission-set calls are stated here from AWS's API
references, not imported from the reader: the bound is an independent
statement of AWS's limits, so a reader that asks for smaller pages or makes
an extra call shows up as a gap to the bound instead of moving it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from reconciler.model import State

# The largest MaxResults of each List* call read in pages, as the AWS API
# references give its range: IAM Identity Center (sso-admin) and Identity
# Store lists take 1-100, Organizations lists 1-20. ListInstances and
# ListRoots return one item here (one instance, one root): one call each.
MAX_RESULTS: dict[str, int] = {
    "ListPermissionSets": 100,
    "ListAccountsForProvisionedPermissionSet": 100,
    "ListPermissionSetsProvisionedToAccount": 100,
    "ListAccountAssignments": 100,
    "ListAccountAssignmentsForPrincipal": 100,
    "ListUsers": 100,
    "ListGroups": 100,
    "ListGroupMemberships": 100,
    "ListGroupMembershipsForMember": 100,
    "ListOrganizationalUnitsForParent": 20,
    "ListAccountsForParent": 20,
}
# The complete read of one permission set, one call each: sso-admin has no
# bulk read. Both policy lists fit one page (at most 25 policies, 100 a
# page); ListTagsForResource has no MaxResults and needs at least one call.
PERMISSION_SET_READS = (
    "DescribePermissionSet",
    "GetInlinePolicyForPermissionSet",
    "ListManagedPoliciesInPermissionSet",
    "ListCustomerManagedPolicyReferencesInPermissionSet",
    "GetPermissionsBoundaryForPermissionSet",
    "ListTagsForResource",
)


def pages(items: int, operation: str) -> int:
    """Calls of `operation` to list `items` things: at least one, even for none."""
    return max(1, math.ceil(items / MAX_RESULTS[operation]))


def _pages_per_key(keys: Iterable[str], counts: Counter[str], operation: str) -> int:
    return sum(pages(counts.get(k, 0), operation) for k in keys)


@dataclass(frozen=True)
class CallBound:
    """Lower bound of calls per part of a read; `total` is what benches show."""

    parts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.parts.values())


def _org_calls(state: State) -> int:
    paths = {ou.path for ou in state.org_units.values()}
    child_ous: Counter[str] = Counter(p.rsplit("/", 1)[0] for p in paths if p.count("/") > 1)
    accounts_in: Counter[str] = Counter(a.ou_path for a in state.accounts.values())
    per_parent = sum(
        pages(child_ous.get(p, 0), "ListOrganizationalUnitsForParent")
        + pages(accounts_in.get(p, 0), "ListAccountsForParent")
        for p in paths
    )
    return 2 + per_parent + len(state.accounts)


def _provisioning_calls(
    state: State,
    accounts_of: dict[str, set[str]],
    sets_in: Counter[str],
    all_accounts: set[str],
    stale: bool,
) -> int:
    """Per permission set or per account, with the stale listing when
    asked (`stale`) and permission sets are read in full."""
    per_ps, per_account = (
        "ListAccountsForProvisionedPermissionSet",
        "ListPermissionSetsProvisionedToAccount",
    )
    by_ps = _pages_per_key(
        accounts_of, Counter({k: len(v) for k, v in accounts_of.items()}), per_ps
    )
    by_account = _pages_per_key(all_accounts, sets_in, per_account)
    if stale and state.permission_sets:
        stale_of = state.stale_provisioning
        by_ps += _pages_per_key(
            accounts_of, Counter({k: len(v) for k, v in stale_of.items()}), per_ps
        )
        stale_in: Counter[str] = Counter(a for ids in stale_of.values() for a in ids)
        by_account += _pages_per_key(all_accounts, stale_in, per_account)
    return min(by_ps, by_account)


def lower_bound_calls(state: State, *, stale: bool = False) -> CallBound:
    """The fewest calls that read `state` completely (module docstring)."""
    users, groups = state.users, state.groups
    members_of: Counter[str] = Counter(m.group for m in state.memberships)
    groups_of: Counter[str] = Counter(m.user for m in state.memberships)

    accounts_of = {ps: set(ids) for ps, ids in state.provisioned.items()}
    sets_in: Counter[str] = Counter(a for ids in accounts_of.values() for a in ids)
    all_accounts = set(state.accounts) | set(sets_in)

    in_pair: Counter[tuple[str, str]] = Counter(
        (a.permission_set, a.account) for a in state.assignments
    )
    of_principal: Counter[str] = Counter(
        f"{a.principal_type}:{a.principal}" for a in state.assignments
    )
    per_pair = sum(
        pages(in_pair.get((ps, account), 0), "ListAccountAssignments")
        for ps, ids in accounts_of.items()
        for account in ids
    )
    principals = [f"USER:{u}" for u in users] + [f"GROUP:{g}" for g in groups]
    per_principal = _pages_per_key(principals, of_principal, "ListAccountAssignmentsForPrincipal")

    permission_sets = len(state.permission_sets)
    return CallBound(
        {
            "instance": 1,
            "users": pages(len(users), "ListUsers"),
            "groups": pages(len(groups), "ListGroups"),
            "memberships": min(
                _pages_per_key(groups, members_of, "ListGroupMemberships"),
                _pages_per_key(users, groups_of, "ListGroupMembershipsForMember"),
            ),
            "permission_sets": pages(permission_sets, "ListPermissionSets")
            + len(PERMISSION_SET_READS) * permission_sets,
            "provisioning": _provisioning_calls(state, accounts_of, sets_in, all_accounts, stale),
            "assignments": min(per_pair, per_principal),
            "organization": _org_calls(state),
        }
    )
