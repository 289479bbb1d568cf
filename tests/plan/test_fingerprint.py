"""Fingerprints let apply refuse a stale plan: they must move when live data
moves, and only then."""

from __future__ import annotations

import dataclasses

from reconciler.desired.settings import Settings
from reconciler.desired.types import Desired
from reconciler.plan import build_plan, resource_digest, state_fingerprint
from tests.plan.livedoc import load_live
from tests.plan.test_golden import CASES
from tests.plan.test_properties import reordered

LIVE = load_live(CASES / "noop-in-sync" / "live.yaml")


def test_fingerprint_ignores_input_order() -> None:
    assert state_fingerprint(LIVE) == state_fingerprint(reordered(LIVE))


def test_fingerprint_changes_with_any_live_resource() -> None:
    alice = LIVE.users["alice@example.com"]
    changed_user = dataclasses.replace(
        LIVE, users={**LIVE.users, alice.user_name: dataclasses.replace(alice, title="CTO")}
    )
    fewer_assignments = dataclasses.replace(
        LIVE, assignments=frozenset(sorted(LIVE.assignments)[1:])
    )
    prints = {state_fingerprint(s) for s in (LIVE, changed_user, fewer_assignments)}
    assert len(prints) == 3


def test_touched_holds_the_digest_of_each_live_resource_changed() -> None:
    alice = LIVE.users["alice@example.com"]
    desired = Desired(  # only users declared: alice changes, bob is deleted
        users={"alice@example.com": dataclasses.replace(alice, title="CTO")},
        declared=frozenset({"users"}),
    )
    plan = build_plan(desired, LIVE, Settings(), allow_deletes=True)
    assert [c.key_text() for c in plan.changes] == [
        "user:alice@example.com",
        "membership:Devs:bob@example.com",  # bob leaves Devs before bob is deleted
        "user:bob@example.com",
    ]
    for change in plan.changes:
        digest = resource_digest(LIVE, change.kind, dict(change.key))
        assert digest is not None
        assert plan.touched[change.key_text()] == digest
    # a create touches nothing live: absent from touched, and absent live
    assert resource_digest(LIVE, "user", {"user_name": "nobody@example.com"}) is None
