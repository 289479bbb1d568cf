"""A plan reads only what it must: kinds `manage:` excludes are not read
(SCIM users' attributes and group memberships cost calls and are unused)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.aws.clients import AwsSession
from reconciler.aws.ratelimit import RateLimits
from reconciler.aws.reader import read_state
from reconciler.desired.loader import load_desired
from reconciler.desired.settings import load_settings
from reconciler.plan import build_plan
from reconciler.plan.reads import kinds_to_read
from reconciler.sim import Simulator, seed_demo
from tests.conftest import ROOT

UNLIMITED = RateLimits(sso_admin_tps=None, identitystore_tps=None, organizations=False)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        seed_demo(simulator)
        yield simulator


def plan_calls(sim: Simulator, repo: Path) -> tuple[set[str], dict[str, int]]:
    """The API calls `idc plan` makes for `repo`, and the plan's summary."""
    settings = load_settings(repo)
    desired = load_desired(repo, settings)
    session = AwsSession(region=sim.region, limits=UNLIMITED)
    live = read_state(session, kinds=kinds_to_read(desired, settings))
    return set(session.stats.calls), build_plan(desired, live, settings).summary()


def test_scim_repo_never_reads_memberships_or_user_details(sim: Simulator) -> None:
    calls, summary = plan_calls(sim, ROOT / "examples" / "scim")
    assert summary == {"create": 0, "update": 0, "delete": 0}  # the demo org as declared
    assert "identitystore:ListGroupMemberships" not in calls
    assert "identitystore:ListGroupMembershipsForMember" not in calls
    # principals are still resolved by name for the assignment rules
    assert {"identitystore:ListUsers", "identitystore:ListGroups"} <= calls


def test_permission_sets_only_repo_reads_neither_identities_nor_accounts(
    sim: Simulator, tmp_path: Path
) -> None:
    repo = tmp_path / "ps-only"
    shutil.copytree(ROOT / "examples" / "scim", repo)
    (repo / "desired" / "assignments.yaml").unlink()
    settings = (repo / "idc.yaml").read_text()
    (repo / "idc.yaml").write_text(settings.replace("assignments: true", "assignments: false"))
    calls, summary = plan_calls(sim, repo)
    assert summary == {"create": 0, "update": 0, "delete": 0}
    assert not {c for c in calls if c.startswith(("identitystore:", "organizations:"))}
    assert "sso-admin:ListAccountAssignmentsForPrincipal" not in calls
    assert "sso-admin:DescribePermissionSet" in calls
