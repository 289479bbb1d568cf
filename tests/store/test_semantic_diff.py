"""The semantic diff names kinds, keys and attribute paths a user recognises."""

from __future__ import annotations

from dataclasses import replace

from reconciler.model import Membership, PermissionSet, State
from reconciler.store.semantic_diff import AttributeChange, diff_states


def test_identical_states_have_no_changes(demo: State) -> None:
    diff = diff_states(demo, demo)
    assert diff.empty and diff.summary() == "no changes"


def test_attribute_paths_for_nested_values_lists_and_maps(demo: State) -> None:
    dev = demo.permission_sets["Developer"]
    changed_dev = PermissionSet.build(
        "Developer",
        description=dev.description,
        session_duration="PT8H",
        managed_policies=dev.managed_policies,
        inline_policy={"Version": "2012-10-17", "Statement": []},
        tags={"team": "payments"},
    )
    moved = replace(demo.accounts["555555555555"], ou_path="/Root/Sandbox", tags=())
    after = replace(
        demo,
        permission_sets={**demo.permission_sets, "Developer": changed_dev},
        accounts={**demo.accounts, "555555555555": moved},
        memberships=demo.memberships | {Membership("Payments", "carol@example.com")},
    )
    diff = diff_states(demo, after)
    assert diff.summary() == "memberships +1, permission_sets ~1, accounts ~1"
    (account,) = diff.of_kind("accounts")
    assert account.key == "555555555555"
    assert account.attributes == (
        AttributeChange("ou", "/Root/Dev", "/Root/Sandbox"),
        AttributeChange("tags", {"env": "dev", "tier": "web"}, None),
    )
    (ps,) = diff.of_kind("permission_sets")
    paths = {a.path: a for a in ps.attributes}
    assert paths["session_duration"] == AttributeChange("session_duration", "PT4H", "PT8H")
    assert paths["tags.team"] == AttributeChange("tags.team", "platform", "payments")
    assert paths["inline_policy.Statement[0]"].after is None  # the statement was removed
    assert "permissions_boundary" in paths and paths["permissions_boundary"].after is None
    assert [m.key for m in diff.of_kind("memberships")] == ["Payments:carol@example.com"]


def test_kind_selection_and_json_shape(demo: State) -> None:
    smaller = replace(demo, users={k: u for k, u in demo.users.items() if k != "bob@example.com"})
    diff = diff_states(demo, smaller, kinds=["users"])
    assert diff.to_json()["summary"] == {"users": {"added": 0, "removed": 1, "changed": 0}}
    (change,) = diff.to_json()["changes"]
    assert change["action"] == "removed" and change["document"]["user_name"] == "bob@example.com"
    assert diff_states(demo, smaller, kinds=["groups"]).empty
