"""The lower bound of calls follows page sizes and picks the cheaper reading."""

from __future__ import annotations

from reconciler.aws.call_bound import lower_bound_calls, pages
from reconciler.model import Account, Assignment, Group, Membership, OrgUnit, State, User


def test_pages_never_below_one() -> None:
    assert [pages(0), pages(1), pages(100), pages(101), pages(21, 20)] == [1, 1, 1, 2, 2]


def test_bound_of_a_small_organization() -> None:
    users = [User(f"u{i}") for i in range(101)]
    groups = [Group("big"), Group("empty")]
    state = State.build(
        users=users,
        groups=groups,
        # 101 members in one group: 2 pages per group + 1 for the empty one
        # (3), against one page per user (101): per group wins.
        memberships=[Membership("big", u.user_name) for u in users],
        assignments=[Assignment("Admin", "GROUP", "big", "111111111111")],
        accounts=[Account("111111111111", "prod", ou_path="/Root/Prod")]
        + [Account(f"2222222222{i:02d}", f"dev{i}", ou_path="/Root/Dev") for i in range(21)],
        org_units=[
            OrgUnit("r-1", "/Root"),
            OrgUnit("ou-1", "/Root/Prod"),
            OrgUnit("ou-2", "/Root/Dev"),
        ],
        provisioned={"Admin": ["111111111111"]},
    )
    bound = lower_bound_calls(state)
    assert bound.parts["users"] == 2
    assert bound.parts["groups"] == 1
    assert bound.parts["memberships"] == 3
    assert bound.parts["permission_sets"] == 1  # ListPermissionSets only (none read)
    assert bound.parts["provisioning"] == 1  # one permission set < 22 accounts
    assert bound.parts["assignments"] == 1  # one provisioned pair < 103 principals
    # DescribeOrganization + ListRoots; Root: 1 + 1, Prod: 1 + 1, Dev: 1 + 2
    # (21 accounts, 20 per page); one ListTagsForResource per account (22).
    assert bound.parts["organization"] == 2 + 2 + 2 + 3 + 22
    assert bound.total == sum(bound.parts.values())
