"""A large organization for benchmarks, written straight into the backends.

Going through the API would take minutes for 50,000 assignments (and be
throttled with realism on); benchmarks need the state, not the calls. The
shape is plausible: accounts spread over nested OUs, users in a few groups
each, permission sets with policies, assignments mostly to groups. Fixed
`seed` gives the same organization every time.
"""

from __future__ import annotations

import random
from typing import Any

from moto.moto_api._internal import mock_random

from reconciler.sim import org_builder
from reconciler.sim.simulator import Simulator

TOP_OUS = ("Prod", "Staging", "Dev", "Sandbox", "Shared", "Security")
DENY_IAM_USERS = (
    '{"Version":"2012-10-17","Statement":'
    '[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}'
)
MANAGED = (
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/SecurityAudit",
    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
)


def _org_units(sim: Simulator, rng: random.Random) -> list[str]:
    """Two levels under each top OU (depth 3 in all); returns the leaf OU ids."""
    backend = sim.organizations
    if backend.org is None:
        org_builder.ensure_organization(backend, "o-scale00001", "r-sc01")
    root = backend.org.root_id
    leaves: list[str] = []
    for i, top in enumerate(TOP_OUS):
        top_id = f"ou-{root[2:]}-t{i:07d}"
        org_builder.add_org_unit(backend, top_id, top, root)
        for j in range(3):
            mid_id = f"ou-{root[2:]}-m{i:02d}{j:05d}"
            org_builder.add_org_unit(backend, mid_id, f"{top}-{j}", top_id)
            leaves.append(mid_id)
            for k in range(2):
                leaf_id = f"ou-{root[2:]}-l{i:02d}{j:02d}{k:03d}"
                org_builder.add_org_unit(backend, leaf_id, f"{top}-{j}-{k}", mid_id)
                leaves.append(leaf_id)
    rng.shuffle(leaves)
    return leaves


def seed_scale(
    sim: Simulator,
    *,
    users: int = 5000,
    groups: int = 500,
    permission_sets: int = 100,
    accounts: int = 1000,
    assignments: int = 50000,
    memberships_per_user: int = 3,
    seed: int = 1,
) -> dict[str, int]:
    """Seed a large organization; returns what it created, by kind."""
    rng = random.Random(seed)
    mock_random.seed(seed)
    leaves = _org_units(sim, rng)
    backend = sim.organizations
    account_ids = []
    for n in range(accounts):
        account_id = f"{700000000000 + n:012d}"
        env = ("prod", "staging", "dev", "sandbox")[n % 4]
        state = "SUSPENDED" if n % 97 == 96 else "ACTIVE"
        tags = {"env": env, "team": f"team-{n % 25}", "cost center": f"cc-{n % 10}"}
        org_builder.add_account(
            backend, account_id, f"acct-{n:05d}", leaves[n % len(leaves)], tags, state, n + 1
        )
        account_ids.append(account_id)
    store = sim.identity_store
    user_ids = []
    for n in range(users):
        doc: dict[str, Any] = {
            "UserName": f"user{n:05d}@example.com",
            "DisplayName": f"User {n:05d}",
            "Name": {"GivenName": "User", "FamilyName": f"{n:05d}"},
            "Emails": [{"Value": f"user{n:05d}@example.com", "Type": "work", "Primary": True}],
            "Title": ("Engineer", "Manager", "Analyst")[n % 3],
        }
        user_ids.append(store.put_user(doc))
    group_ids = [
        store.put_group({"DisplayName": f"group-{n:04d}", "Description": f"Group {n}"})
        for n in range(groups)
    ]
    memberships = 0
    if group_ids:
        for user_id in user_ids:
            for group_id in rng.sample(group_ids, min(memberships_per_user, len(group_ids))):
                store.add_membership(group_id, user_id)
                memberships += 1
    sso = sim.sso_admin
    ps_arns = []
    for n in range(permission_sets):
        created = sso.create_permission_set(
            f"PermissionSet{n:03d}",
            f"Permission set {n}",
            sim.instance_arn,
            f"PT{1 + n % 12}H",
            None,
            [{"Key": "team", "Value": f"team-{n % 25}"}],
        )
        arn = created["PermissionSetArn"]
        sso.attach_managed_policy_to_permission_set(
            sim.instance_arn, arn, MANAGED[n % len(MANAGED)]
        )
        if n % 5 == 0:
            sso.find_by_arn(arn).inline_policy = DENY_IAM_USERS
        ps_arns.append(arn)
    created_assignments = 0
    limit = len(ps_arns) * len(account_ids) * (len(group_ids) + len(user_ids))
    target = min(assignments, limit)
    while created_assignments < target:
        if group_ids and (not user_ids or rng.random() < 0.9):
            principal = ("GROUP", rng.choice(group_ids))
        else:
            principal = ("USER", rng.choice(user_ids))
        key = (rng.choice(ps_arns), rng.choice(account_ids), *principal)
        if key not in sso.assignments:
            sso.add_assignment(key, org_builder.EPOCH_SECONDS)
            created_assignments += 1
    return {
        "users": len(user_ids),
        "groups": len(group_ids),
        "memberships": memberships,
        "permission_sets": len(ps_arns),
        "accounts": len(account_ids),
        "org_units": len(leaves) + len(TOP_OUS),
        "assignments": created_assignments,
    }
