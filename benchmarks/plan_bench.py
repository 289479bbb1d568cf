"""Benchmark: build_plan at the scale SPEC targets, inputs built in memory.

100,000 assignments over 10,000 users, 1,000 groups (10,000 memberships),
200 permission sets and 2,000 accounts, every assignment rule an account
filter (`ou:/Root/OU7 and tag:team=t3`). Live differs from desired by about
1% (creates, deletes, user and permission set updates with re-provisioning),
so every code path runs. Targets: build_plan < 3 s and < 500 MB.

Run: `python -m benchmarks --only plan` (or all). Writes
benchmarks/results/plan.json.
"""

from __future__ import annotations

import dataclasses
import gc
import time
import tracemalloc
from typing import Any

from benchmarks.common import Row, format_table, max_rss_mb, write_results
from reconciler.desired.settings import Settings
from reconciler.desired.types import AssignmentRule, Desired, Location
from reconciler.model import (
    Account,
    Assignment,
    Group,
    Membership,
    OrgUnit,
    PermissionSet,
    State,
    StateMeta,
    User,
)
from reconciler.plan import build_plan

TARGET_SECONDS = 3.0
TARGET_MB = 500.0
OUS, TEAMS, PER_CELL = 20, 10, 10  # 20 OUs x 10 team tags x 10 accounts = 2,000
USERS, GROUPS, PERMISSION_SETS, RULES = 10_000, 1_000, 200, 5_000
MANAGEMENT = "100000000000"


def build_inputs() -> tuple[Desired, State]:
    accounts = [
        Account(
            id=str(100000000001 + n),
            name=f"acct-{n:04d}",
            ou_path=f"/Root/OU{n // (TEAMS * PER_CELL)}",
            tags=(("env", "prod" if n % 2 else "dev"), ("team", f"t{(n // PER_CELL) % TEAMS}")),
        )
        for n in range(OUS * TEAMS * PER_CELL)
    ]
    accounts.append(Account(MANAGEMENT, "management"))
    org_units = [OrgUnit(f"ou-ab12-{i:08d}", f"/Root/OU{i}") for i in range(OUS)]
    users = [User(f"user{i:05d}@example.com", display_name=f"User {i}") for i in range(USERS)]
    groups = [Group(f"group-{i:04d}", description=f"Team {i}") for i in range(GROUPS)]
    memberships = [Membership(g.name, users[(i * 10 + k) % USERS].user_name)
                   for i, g in enumerate(groups) for k in range(10)]  # fmt: skip
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*"}]}
    permission_sets = [
        PermissionSet.build(
            f"PS{i:03d}",
            description=f"Permission set {i}",
            session_duration="PT4H",
            managed_policies=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            inline_policy=policy,
        )
        for i in range(PERMISSION_SETS)
    ]
    rules = []
    for r in range(RULES):  # (permission set, filter) pairs are unique: no overlap
        cell = r % (OUS * TEAMS)
        rules.append(
            AssignmentRule(
                permission_set=permission_sets[(r // (OUS * TEAMS)) % PERMISSION_SETS].name,
                groups=(groups[r % GROUPS].name,),
                users=(users[(r * 7) % USERS].user_name,),
                accounts=f"ou:/Root/OU{cell // TEAMS} and tag:team=t{cell % TEAMS}",
                location=Location("desired/access.yaml", 1 + r * 5, 5),
                accounts_location=Location("desired/access.yaml", 4 + r * 5, 15),
            )
        )
    locations = {("user", u.user_name): Location("desired/users.yaml", i + 1, 5)
                 for i, u in enumerate(users)}  # fmt: skip
    locations.update({("group", g.name): Location("desired/groups.yaml", i + 1, 5)
                      for i, g in enumerate(groups)})  # fmt: skip
    locations.update({("permission_set", p.name): Location("desired/ps.yaml", i + 1, 5)
                      for i, p in enumerate(permission_sets)})  # fmt: skip
    desired = Desired(
        users={u.user_name: u for u in users},
        groups={g.name: g for g in groups},
        memberships=frozenset(memberships),
        permission_sets={p.name: p for p in permission_sets},
        rules=tuple(rules),
        locations=locations,
        declared=frozenset({"users", "groups", "memberships", "permission_sets", "assignments"}),
    )
    live = _live_from(desired, accounts, org_units)
    return desired, live


def _live_from(desired: Desired, accounts: list[Account], org_units: list[OrgUnit]) -> State:
    """Live = desired expanded, then about 1% drift in every kind."""
    by_cell: dict[tuple[str, str], list[str]] = {}
    for a in accounts:
        by_cell.setdefault((a.ou_path, a.tag_map.get("team", "")), []).append(a.id)
    assignments: list[Assignment] = []
    for rule in desired.rules:
        ou, team = str(rule.accounts).split(" and ")
        ids = by_cell[(ou.removeprefix("ou:"), team.removeprefix("tag:team="))]
        for account in ids:
            for g in rule.groups:
                assignments.append(Assignment(rule.permission_set, "GROUP", g, account))
            for u in rule.users:
                assignments.append(Assignment(rule.permission_set, "USER", u, account))
    assignments = assignments[1000:]  # 1,000 to create
    assignments += [Assignment("PS000", "GROUP", f"group-{i:04d}", MANAGEMENT) for i in range(500)]
    users = list(desired.users.values())
    users = [dataclasses.replace(u, title="Old title") if i % 100 == 0 else u
             for i, u in enumerate(users)][50:]  # fmt: skip
    users += [User(f"leaver{i}@example.com") for i in range(50)]
    permission_sets = [dataclasses.replace(p, session_duration="PT1H") if i % 40 == 0 else p
                       for i, p in enumerate(desired.permission_sets.values())]  # fmt: skip
    provisioned: dict[str, set[str]] = {}
    for a in assignments:
        provisioned.setdefault(a.permission_set, set()).add(a.account)
    return State.build(
        users=users,
        groups=desired.groups.values(),
        memberships=list(desired.memberships)[100:],
        permission_sets=permission_sets,
        assignments=assignments,
        accounts=accounts,
        org_units=org_units,
        provisioned=provisioned,
        meta=StateMeta(
            "arn:aws:sso:::instance/ssoins-0000000000000000", "d-0000000000", MANAGEMENT
        ),
    )


def measure(desired: Desired, live: State) -> dict[str, Any]:
    """Wall time of build_plan alone, then its traced peak in a second run."""
    settings = Settings()
    gc.collect()
    started = time.perf_counter()
    plan = build_plan(desired, live, settings, allow_deletes=True)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    build_plan(desired, live, settings, allow_deletes=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "plan": plan.summary(),
        "build_plan_seconds": round(seconds, 3),
        "build_plan_peak_mb": round(peak / 2**20, 1),
    }


def main(quick: bool = False) -> list[Row]:
    """Full scale even with --quick: planning is in-memory and the targets are
    defined at this scale."""
    desired, live = build_inputs()
    # First adoption: nothing in Identity Center yet, every assignment is a create.
    empty = State.build(accounts=live.accounts.values(), org_units=live.org_units.values(),
                        meta=live.meta)  # fmt: skip
    scale = {
        "live_assignments": len(live.assignments),
        "users": len(desired.users),
        "groups": len(desired.groups),
        "memberships": len(desired.memberships),
        "permission_sets": len(desired.permission_sets),
        "accounts": len(live.accounts),
        "assignment_rules": len(desired.rules),
        "distinct_filters": len({r.accounts for r in desired.rules}),
    }
    print(f"-- plan at scale: {scale}", flush=True)
    rows: list[Row] = []
    details = {}
    for case, state in (("drift 1%", live), ("all creates", empty)):
        result = measure(desired, state)
        details[case] = result
        seconds, peak = result["build_plan_seconds"], result["build_plan_peak_mb"]
        rows += [
            Row("plan", case, "build_plan time", seconds, "s", f"< {TARGET_SECONDS}",
                seconds < TARGET_SECONDS),
            Row("plan", case, "build_plan peak (traced)", peak, "MB", f"< {TARGET_MB}",
                peak < TARGET_MB),
        ]  # fmt: skip
        print(f"-- {case}: {sum(result['plan'].values()):,} changes", flush=True)
    print(f"-- process max RSS (inputs included): {max_rss_mb():,.0f} MB", flush=True)
    print(format_table(rows), flush=True)
    write_results("plan", rows, {"scale": scale, "scenarios": details})
    return rows


if __name__ == "__main__":
    main()
