"""Store fixtures: the demo organization as a State, built through the codec,
and throwaway git repositories made with GitPython."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from reconciler.desired.yaml_io import load_yaml
from reconciler.model import Assignment, Membership, State, StateMeta, codec

DEMO = Path(__file__).resolve().parents[2] / "reconciler" / "sim" / "data" / "demo.yaml"


def demo_state() -> State:
    """The seeded demo organization, read from the simulator's seed data."""
    doc = load_yaml(DEMO)
    groups = [codec.group_from_doc(g) for g in doc["groups"]]
    org = doc["organization"]
    return State.build(
        users=[codec.user_from_doc(u) for u in doc["users"]],
        groups=[g for g, _ in groups],
        memberships=[Membership(g.name, m) for g, members in groups for m in members],
        permission_sets=[codec.permission_set_from_doc(p) for p in doc["permission_sets"]],
        assignments=[
            Assignment(rule["permission_set"], ptype, principal, account)
            for rule in doc["assignments"]
            for ptype, field in (("GROUP", "groups"), ("USER", "users"))
            for principal in rule.get(field) or ()
            for account in rule["accounts"]
        ],
        accounts=[codec.account_from_doc(a) for a in org["accounts"]],
        org_units=[codec.org_unit_from_doc(o) for o in org["org_units"]],
        meta=StateMeta(
            instance_arn=doc["instance"]["arn"],
            identity_store_id=doc["instance"]["identity_store_id"],
            management_account_id=org["management_account"],
            region=doc["instance"]["region"],
        ),
    )


@pytest.fixture
def demo() -> State:
    return demo_state()


def make_git_repo(path: Path) -> git.Repo:
    """An empty repository with a committer identity, like a user's clone."""
    repo = git.Repo.init(path)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test User")
        config.set_value("user", "email", "test@example.com")
    return repo


@pytest.fixture
def git_repo(tmp_path: Path) -> git.Repo:
    return make_git_repo(tmp_path / "repo")
