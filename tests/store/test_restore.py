"""store.restore: a snapshot as a Desired, and what it cannot restore."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reconciler.errors import IdcError
from reconciler.model import State
from reconciler.store.restore import (
    RESTORABLE_KINDS,
    Source,
    parse_kinds,
    restore_desired,
    verify_restored,
)


def test_parse_kinds_accepts_singular_and_dashes_and_names_the_unknown() -> None:
    assert parse_kinds(None) == RESTORABLE_KINDS
    assert parse_kinds("assignment, permission-sets,users") == (
        "users",
        "permission_sets",
        "assignments",
    )
    with pytest.raises(IdcError, match="unknown kind 'accounts'"):
        parse_kinds("users,accounts")


def test_assignments_on_accounts_gone_from_the_organization_are_counted(demo: State) -> None:
    live = replace(demo, accounts={k: v for k, v in demo.accounts.items() if k != "444444444444"})
    lost = [a for a in demo.assignments if a.account == "444444444444"]
    restore = restore_desired(Source(demo, "A", "abc:state"), live, RESTORABLE_KINDS)
    (warning,) = restore.warnings
    assert warning == (
        f"skipping {len(lost)} assignment(s) on 1 account(s) no longer in the "
        "organization: 444444444444"
    )
    granted = {
        (r.permission_set, p, r.accounts[0])
        for r in restore.desired.rules
        for p in r.groups + r.users
    }
    assert len(granted) == len(demo.assignments) - len(lost)
    assert restore.desired.declared == frozenset(RESTORABLE_KINDS)


def test_only_declares_what_it_restores(demo: State) -> None:
    restore = restore_desired(Source(demo, "A", "abc:state"), demo, ("assignments",))
    assert restore.desired.declared == {"assignments"}
    assert not restore.desired.users and not restore.desired.permission_sets
    assert not restore.warnings


def test_verify_restored_names_each_difference(demo: State) -> None:
    assert verify_restored(demo, demo).summary() == (
        "restorable: 8 users, 6 groups, 11 memberships, 5 permission sets, 39 assignments match"
    )
    fewer = replace(demo, memberships=frozenset(sorted(demo.memberships)[1:]))
    verdict = verify_restored(demo, fewer)
    assert not verdict.restorable
    first = sorted(demo.memberships)[0]
    assert f"  memberships {first.group}:{first.user}: missing" in verdict.summary()
