"""The lower bound of calls follows AWS's page sizes and picks the cheaper reading.

The expected numbers are counted by hand from AWS's documented page sizes
(100 per Identity Center and Identity Store page, 20 per Organizations page),
so they pin the bound to AWS's limits, whatever page sizes the reader uses.
"""

from __future__ import annotations

from dataclasses import replace

from reconciler.aws.call_bound import lower_bound_calls, pages
from reconciler.model import (
    Account,
    Assignment,
    Group,
    Membership,
    OrgUnit,
    PermissionSet,
    State,
    User,
)


def test_pages_never_below_one() -> None:
    assert [
        pages(0, "ListUsers"),
        pages(1, "ListUsers"),
        pages(100, "ListGroupMemberships"),
        pages(101, "ListAccountAssignments"),
        pages(20, "ListAccountsForParent"),
        pages(21, "ListAccountsForParent"),
    ] == [1, 1, 1, 2, 1, 2]


def small_organization() -> State:
    users = [User(f"u{i}") for i in range(101)]
    dev = [Account(f"2222222222{i:02d}", f"dev{i}", ou_path="/Root/Dev") for i in range(21)]
    return State.build(
        users=users,
        groups=[Group("big"), Group("empty")],
        memberships=[Membership("big", u.user_name) for u in users],
        permission_sets=[PermissionSet.build("Admin"), PermissionSet.build("ReadOnly")],
        assignments=[Assignment("Admin", "GROUP", "big", "111111111111")]
        + [Assignment("ReadOnly", "USER", u.user_name, "222222222200") for u in users],
        accounts=[Account("111111111111", "prod", ou_path="/Root/Prod"), *dev],
        org_units=[
            OrgUnit("r-1", "/Root"),
            OrgUnit("ou-1", "/Root/Prod"),
            OrgUnit("ou-2", "/Root/Dev"),
        ],
        provisioned={"Admin": ["111111111111"], "ReadOnly": [a.id for a in dev]},
    )


def test_bound_of_a_small_organization_equals_the_calls_counted_by_hand() -> None:
    bound = lower_bound_calls(small_organization())
    assert bound.parts == {
        "instance": 1,  # ListInstances
        "users": 2,  # 101 users: ListUsers pages of 100
        "groups": 1,
        # ListGroupMemberships: 2 pages for 101 members + 1 for the empty
        # group (3), against one ListGroupMembershipsForMember per user (101).
        "memberships": 3,
        # ListPermissionSets 1, then 6 calls per permission set: Describe,
        # inline policy, managed policies, customer managed references,
        # boundary, tags.
        "permission_sets": 1 + 6 * 2,
        # ListAccountsForProvisionedPermissionSet: Admin 1 + ReadOnly 1 (21
        # accounts), against ListPermissionSetsProvisionedToAccount for each
        # of the 22 accounts.
        "provisioning": 2,
        # ListAccountAssignments per provisioned pair: 1 for Admin, 21 for
        # ReadOnly of which 222222222200 holds 101 (2 pages): 23; against
        # ListAccountAssignmentsForPrincipal per principal: 101 + 2 = 103.
        "assignments": 1 + 20 + 2,
        # DescribeOrganization + ListRoots; per OU ListOrganizationalUnitsForParent
        # and ListAccountsForParent: Root 1 + 1, Prod 1 + 1, Dev 1 + 2 (21
        # accounts, 20 a page); one ListTagsForResource per account (22).
        "organization": 2 + 2 + 2 + 3 + 22,
    }
    assert bound.total == 1 + 2 + 1 + 3 + 13 + 2 + 23 + 31


def test_a_plan_read_also_lists_stale_accounts_on_the_cheaper_side() -> None:
    """With `stale` (a plan of permission sets), each permission set is asked
    once more, for its stale accounts: Admin 1 + ReadOnly 1 again; 101 stale
    ReadOnly accounts would take 2 pages."""
    state = small_organization()
    assert lower_bound_calls(state, stale=True).parts["provisioning"] == 2 + 2
    many = [f"3333333333{i:02d}" for i in range(101)]
    stale = replace(
        state,
        provisioned={**state.provisioned, "ReadOnly": frozenset(many)},
        stale_provisioning={"ReadOnly": frozenset(many)},
    )
    # per permission set: Admin 1 + 1, ReadOnly 2 + 2 pages; per account: 102 x 2
    assert lower_bound_calls(stale, stale=True).parts["provisioning"] == 6
