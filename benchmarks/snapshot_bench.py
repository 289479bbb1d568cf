"""Live read (`read_state`) of seeded organizations under 20 TPS throttling.

For each organization, seeded straight into the simulator backend, we read
the whole Identity Center + Organizations inventory as `idc snapshot` does
(real AwsSession: client-side rate limits, adaptive retries) while the
simulator enforces AWS's rates and adds latency, then report:

- API calls next to the lower bound for that organization (aws.call_bound);
  target: within 5%.
- wall time next to calls/20 s (what the calls cost at sso-admin's 20 TPS if
  nothing overlapped); target: within 1.25x. Also next to the sso-admin
  calls alone / 20 s, the tighter yardstick: the other API families have
  their own limits and are read side by side.
- peak Python memory allocated during the read (tracemalloc); target < 300 MB
  (< 1 GB for the extra-large organization).

The extra-large organization (20,000 users, 2,000 groups, 300 permission
sets, 4,000 accounts, 200,000 assignments) takes about half an hour at 20 TPS,
nearly all of it waiting for the rate limit; `--quick` reads a twentieth of it.

Retried attempts are context, in the per-operation call table printed first.
"""

from __future__ import annotations

import time
import tracemalloc
from functools import partial
from typing import Any

from benchmarks.common import LATENCY, TPS, OrgSize, Row, max_rss_mb, run_cases
from reconciler.aws.call_bound import lower_bound_calls
from reconciler.aws.call_report import format_call_stats
from reconciler.aws.clients import AwsSession
from reconciler.aws.reader import read_state
from reconciler.sim import Realism, Simulator

SMALL = OrgSize("small", users=200, groups=40, permission_sets=20, accounts=30, assignments=600)
LARGE = OrgSize("large", 5000, 500, 100, 1000, 50_000)
LARGE_QUICK = OrgSize("large/10", 500, 50, 20, 100, 5_000)
XL = OrgSize("xl", 20_000, 2_000, 300, 4_000, 200_000, memory_mb=1024.0)
XL_QUICK = OrgSize("xl/20", 1_000, 100, 15, 200, 10_000, memory_mb=1024.0)


def run_case(case: OrgSize) -> tuple[list[Row], dict[str, Any]]:
    with Simulator(Realism(latency=LATENCY, rate_limits=True)) as sim:
        seed_started = time.monotonic()
        seeded = case.seed(sim)
        seed_seconds = time.monotonic() - seed_started
        print(f"-- seeded in {seed_seconds:.1f} s: {seeded}", flush=True)
        session = AwsSession(region=sim.region)
        tracemalloc.start()
        started = time.monotonic()
        state = read_state(session)
        wall = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    bound = lower_bound_calls(state)
    calls = session.stats.total_calls
    retries = session.stats.total_attempts - calls
    peak_mb = peak / 2**20
    ideal = calls / TPS
    # sso-admin's collective 20 TPS is the binding limit; the other families
    # run beside it, so this is the tighter yardstick.
    sso_calls = sum(n for op, n in session.stats.calls.items() if op.startswith("sso-admin:"))
    sso_ideal = sso_calls / TPS
    print(format_call_stats(session.stats, bound.total), flush=True)
    rows = [
        Row("snapshot", case.name, "API calls", calls, "", f"<= 1.05 x bound {bound.total}",
            calls <= 1.05 * bound.total),
        Row("snapshot", case.name, "wall time", round(wall, 1), "s",
            f"<= 1.25 x calls/20 = {1.25 * ideal:.1f} s", wall <= 1.25 * ideal),
        Row("snapshot", case.name, "wall time vs sso-admin", round(wall, 1), "s",
            f"<= 1.25 x {sso_calls} sso-admin calls/20 = {1.25 * sso_ideal:.1f} s",
            wall <= 1.25 * sso_ideal),
        Row("snapshot", case.name, "peak memory (read)", round(peak_mb, 1), "MB",
            f"< {case.memory_mb:.0f} MB", peak_mb < case.memory_mb),
    ]  # fmt: skip
    detail = {
        "case": case.__dict__,
        "seeded": seeded,
        "seed_seconds": seed_seconds,
        "read": state.counts(),
        "calls": dict(session.stats.calls),
        "attempts": dict(session.stats.attempts),
        "retried_attempts": retries,
        "bound": bound.parts,
        "bound_total": bound.total,
        "wall_seconds": wall,
        "calls_over_tps_seconds": ideal,
        "sso_admin_calls_over_tps_seconds": sso_ideal,
        "peak_read_mb": peak_mb,
        "max_rss_mb": max_rss_mb(),
        "notes": list(session.stats.notes),
    }
    return rows, detail


def main(quick: bool = False) -> list[Row]:
    cases = [SMALL, LARGE_QUICK, XL_QUICK] if quick else [SMALL, LARGE, XL]
    return run_cases("snapshot", [(f"{c.name}: {c}", partial(run_case, c)) for c in cases], quick)


if __name__ == "__main__":
    main()
