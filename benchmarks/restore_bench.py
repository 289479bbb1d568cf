"""A full restore (`idc restore REV`'s library path) under 20 TPS realism.

For each organization: seed it into the simulator, read it as `idc snapshot`
does and commit that as the backup; then start a fresh, empty instance that
holds only the organization (same account ids, so no `--map` is needed) and
restore the whole backup into it through reconciler.store.restore_run
(check, plan, journaled apply, report), with the simulator enforcing AWS's
rates and adding latency. Reported:

- API calls next to the fewest possible: the reads a plan needs on the
  empty target (aws.call_bound), one GetPolicy per AWS managed policy, and
  one call per write operation of the plan (polling of asynchronous
  operations is the difference); target: within 2x.
- wall time next to calls/20 s (what the calls cost at 20 TPS if nothing
  overlapped); target: within 1.25x.
- peak Python memory during the restore (tracemalloc); target < 300 MB.

The demo organization is restored the same way.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import git

from benchmarks.common import (
    LATENCY,
    MEMORY_TARGET_MB,
    TPS,
    OrgSize,
    Row,
    max_rss_mb,
    run_cases,
)
from reconciler.apply.ops import ops_from_plan
from reconciler.aws.call_bound import lower_bound_calls
from reconciler.aws.call_report import format_call_stats
from reconciler.aws.clients import AwsSession
from reconciler.aws.read_policies import is_aws_managed
from reconciler.aws.reader import read_state
from reconciler.desired.settings import AccountScope, Safety, Settings
from reconciler.model import State
from reconciler.sim import Realism, Simulator
from reconciler.sim.seed import seed_demo, seed_organization
from reconciler.store.restore_check import managed_policy_arns
from reconciler.store.restore_run import Narrowing, prepare_restore, run_restore
from reconciler.store.snapshotter import Snapshotter

CALLS_FACTOR = 2.0
WALL_FACTOR = 1.25
# Everything restored, nothing held back by safety rails: the target is empty.
SETTINGS = Settings(
    safety=Safety(max_deletes=10**9),
    accounts=AccountScope(include_suspended=True, include_management=True),
)


ORG_2000 = OrgSize("2000 users", users=2000, groups=200, permission_sets=40, accounts=100,
                assignments=2000)  # fmt: skip
ORG_QUICK = OrgSize("200 users", users=200, groups=20, permission_sets=10, accounts=20,
                 assignments=200)  # fmt: skip


def backup(repo: Path, seed: Any) -> State:
    """Seed an organization, read it as `idc snapshot` does, commit it as tag
    `backup` in `repo`; returns the backup."""
    with Simulator() as sim:
        seed(sim)
        state = read_state(AwsSession(region=sim.region))
    git.Repo.init(repo)
    Snapshotter(repo, tag="backup").record(state, "backup")
    return state


def restore_case(name: str, seed: Any) -> tuple[list[Row], dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="idc-restore-bench-") as tmp:
        repo = Path(tmp)
        state = backup(repo, seed)
        with Simulator(Realism(latency=LATENCY, rate_limits=True)) as sim:
            # The target organization: the backup's accounts, all ACTIVE (the
            # compatibility check refuses assignments on SUSPENDED ones).
            active = {k: replace(a, status="ACTIVE") for k, a in state.accounts.items()}
            seed_organization(sim, replace(state, accounts=active))
            empty = read_state(AwsSession(region=sim.region))  # for the bound, not counted
            prepared = prepare_restore(repo, "backup", SETTINGS)
            session = AwsSession(region=sim.region)
            tracemalloc.start()
            started = time.monotonic()
            outcome = run_restore(session, repo, prepared, SETTINGS, Narrowing(allow_deletes=True))
            wall = time.monotonic() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            if outcome.error is not None:
                raise outcome.error
            restored = read_state(AwsSession(region=sim.region))
    writes = len(ops_from_plan(outcome.plan))
    policies = sum(1 for arn in managed_policy_arns(state) if is_aws_managed(arn))
    fewest = lower_bound_calls(empty).total + policies + writes
    calls = session.stats.total_calls
    ideal = calls / TPS
    peak_mb = peak / 2**20
    same = {k: v for k, v in restored.counts().items() if k != "accounts"} == {
        k: v for k, v in state.counts().items() if k != "accounts"
    }
    print(format_call_stats(session.stats, fewest), flush=True)
    rows = [
        Row("restore", name, "API calls", calls, "", f"<= {CALLS_FACTOR:g} x fewest {fewest}",
            calls <= CALLS_FACTOR * fewest),
        Row("restore", name, "wall time", round(wall, 1), "s",
            f"<= {WALL_FACTOR} x calls/20 = {WALL_FACTOR * ideal:.1f} s",
            wall <= WALL_FACTOR * ideal),
        Row("restore", name, "peak memory", round(peak_mb, 1), "MB",
            f"< {MEMORY_TARGET_MB:.0f} MB", peak_mb < MEMORY_TARGET_MB),
        Row("restore", name, "restored = backup", int(same), "", "1 (same records per kind)",
            same),
    ]  # fmt: skip
    detail = {
        "case": name,
        "backup": state.counts(),
        "restored": restored.counts(),
        "write_ops": writes,
        "fewest_calls": fewest,
        "calls": dict(session.stats.calls),
        "attempts": dict(session.stats.attempts),
        "wall_seconds": wall,
        "calls_over_tps_seconds": ideal,
        "peak_mb": peak_mb,
        "max_rss_mb": max_rss_mb(),
    }
    return rows, detail


def main(quick: bool = False) -> list[Row]:
    org = ORG_QUICK if quick else ORG_2000
    cases = [("demo", seed_demo), (org.name, org.seed)]
    return run_cases("restore", [(n, partial(restore_case, n, s)) for n, s in cases], quick)


if __name__ == "__main__":
    main()
