"""Every list is read to its end, at and around page-size boundaries."""

from __future__ import annotations

import pytest

from reconciler.aws.clients import AwsSession
from reconciler.aws.reader import read_state
from reconciler.sim import Simulator


def add_users(sim: Simulator, count: int) -> None:
    ids = sim.client("identitystore")
    for i in range(count):
        ids.create_user(
            IdentityStoreId=sim.identity_store_id,
            UserName=f"user{i:04d}@example.com",
            DisplayName=f"User {i}",
            Name={"GivenName": "User", "FamilyName": str(i)},
        )


@pytest.mark.parametrize(("users", "pages"), [(0, 1), (1, 1), (100, 1), (101, 2)])
def test_users_are_read_to_the_last_page(
    sim: Simulator, session: AwsSession, users: int, pages: int
) -> None:
    add_users(sim, users)
    live = read_state(session, kinds=frozenset({"user"}))
    assert sorted(live.users) == [f"user{i:04d}@example.com" for i in range(users)]
    assert session.stats.calls["identitystore:ListUsers"] == pages


@pytest.mark.parametrize(("accounts", "pages"), [(20, 1), (21, 2)])
def test_accounts_of_an_ou_are_read_to_the_last_page(
    sim: Simulator, session: AwsSession, accounts: int, pages: int
) -> None:
    org = sim.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    parent = org.create_organizational_unit(ParentId=root, Name="Prod")["OrganizationalUnit"]
    nested = org.create_organizational_unit(ParentId=parent["Id"], Name="Payments")
    for i in range(accounts):
        created = org.create_account(AccountName=f"acct-{i:02d}", Email=f"a{i}@example.com")
        account_id = created["CreateAccountStatus"]["AccountId"]
        org.move_account(
            AccountId=account_id,
            SourceParentId=root,
            DestinationParentId=nested["OrganizationalUnit"]["Id"],
        )
        org.tag_resource(ResourceId=account_id, Tags=[{"Key": "n", "Value": str(i)}])

    live = read_state(session, kinds=frozenset({"account"}))

    payments = [a for a in live.accounts.values() if a.ou_path == "/Root/Prod/Payments"]
    assert sorted(a.name for a in payments) == [f"acct-{i:02d}" for i in range(accounts)]
    assert all(a.tag_map == {"n": a.name.split("-")[1].lstrip("0") or "0"} for a in payments)
    assert {ou.path for ou in live.org_units.values()} == {
        "/Root",
        "/Root/Prod",
        "/Root/Prod/Payments",
    }
    # Root (management account) and Prod: one page each; Payments: `pages`.
    assert session.stats.calls["organizations:ListAccountsForParent"] == 2 + pages
    assert session.stats.calls["organizations:ListTagsForResource"] == accounts + 1
