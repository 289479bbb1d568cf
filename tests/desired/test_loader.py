"""load_desired / load_documents / read_document as other layers use them."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.desired.loader import load_desired, load_documents, read_document
from reconciler.desired.settings import Settings
from reconciler.desired.types import Location
from reconciler.errors import InputError
from reconciler.model import Membership
from tests.conftest import ROOT
from tests.desired.repo import make_repo


def test_multi_account_example_merges_into_one_desired_state() -> None:
    desired = load_desired(ROOT / "examples" / "multi-account", Settings())
    assert desired.declared == {"users", "groups", "memberships", "permission_sets", "assignments"}
    assert Membership("Payments", "dave@example.com") in desired.memberships
    assert desired.locations[("group", "Payments")] == Location("desired/developers.yaml", 7, 5)
    assert desired.permission_sets["Developer"].session_duration == "PT4H"
    (rule,) = [r for r in desired.rules if r.groups == ("Payments",)]
    assert rule.accounts == "ou:/Root/Prod/Payments"
    assert rule.accounts_location == Location("desired/developers.yaml", 38, 15)
    assert desired.warnings == ()


def test_membership_and_principal_locations(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            users: [{user_name: a}]
            groups:
              - name: G
                members:
                  - a
            assignments:
              - permission_set: P
                users: [a]
                accounts: ["111111111111"]
            """
        },
    )
    desired = load_desired(tmp_path, Settings())
    assert desired.locations[("membership", "G:a")] == Location("desired/a.yaml", 5, 9)
    (rule,) = desired.rules
    assert rule.accounts == ("111111111111",)
    assert rule.principal_locations == (("USER", "a", Location("desired/a.yaml", 8, 13)),)
    assert desired.declared == {"users", "groups", "memberships", "assignments"}


def test_undeclared_kinds_are_not_checked_for_references(tmp_path: Path) -> None:
    """No file lists users: they are live, not missing, so members are not errors."""
    make_repo(tmp_path, {"desired/a.yaml": "groups:\n  - name: G\n    members: [live-user]\n"})
    desired = load_desired(tmp_path, Settings())
    assert desired.memberships == {Membership("G", "live-user")}
    assert "users" not in desired.declared


def test_load_documents_reads_snapshot_files_with_the_same_checks(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "permission_sets").mkdir(parents=True)
    (state / "users.yaml").write_text("users:\n  - user_name: a\n")
    (state / "permission_sets" / "P.yaml").write_text("permission_sets:\n  - name: P\n")
    desired = load_documents(sorted(state.rglob("*.yaml")), tmp_path)
    assert set(desired.users) == {"a"} and set(desired.permission_sets) == {"P"}
    (state / "groups.yaml").write_text("groups:\n  - name: G\n    colour: red\n")
    with pytest.raises(InputError) as caught:
        load_documents(sorted(state.rglob("*.yaml")), tmp_path)
    (problem,) = caught.value.diagnostics
    assert (problem.path, problem.line, problem.column) == ("state/groups.yaml", 3, 5)


def test_read_document_validates_against_the_named_schema(tmp_path: Path) -> None:
    path = tmp_path / "state" / "accounts.yaml"
    path.parent.mkdir()
    path.write_text("accounts:\n  - {id: '111111111111', name: a, ou: /Root/Prod}\n")
    assert read_document(path, tmp_path, "accounts")["accounts"][0]["name"] == "a"
    path.write_text("accounts:\n  - {id: '111111111111', name: a, ou: Prod}\n")
    with pytest.raises(InputError) as caught:
        read_document(path, tmp_path, "accounts")
    assert str(caught.value).startswith('state/accounts.yaml:2:35: accounts[0].ou: "Prod"')
