"""Asynchronous writes at AWS's limits: 1,000 assignment creates, then 1,000 deletes.

The simulator enforces sso-admin's collective 20 TPS (ThrottlingException
beyond it), adds per-call latency and keeps every request IN_PROGRESS for
ASYNC_DELAY seconds; it also refuses a 16th outstanding CreateAccountAssignment.
The Writer runs each phase through `execute_many` (15 in flight) with the real
AwsSession (client-side limiter, adaptive retries). Reported per phase:

- wall time next to the API-rate bound: the sso-admin calls actually made
  (submits, Describe*Status polls, retries, lookups) / 20 TPS; target 1.3x.
- printed as context, not targets: calls per op next to the floor of 2 (one
  submit, one poll), and the concurrency bound, ops x ASYNC_DELAY / 15 (when
  it exceeds the rate bound, outstanding-request limits, not TPS, set the pace).
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks.common import Row, format_table, write_results
from reconciler.aws.clients import AwsSession
from reconciler.aws.writer import Writer
from reconciler.errors import AwsError
from reconciler.model.operations import Op
from reconciler.sim import Realism, Simulator, seed_scale

TPS = 20.0
LATENCY = 0.03  # seconds added to every call by the simulator
ASYNC_DELAY = 1.0  # seconds each request stays IN_PROGRESS
MAX_IN_FLIGHT = 15
TARGET = 1.3


def _sso_calls(session: AwsSession) -> int:
    return sum(n for name, n in session.stats.calls.items() if name.startswith("sso-admin:"))


def _assignment_ops(permission_sets: int, accounts: list[str]) -> list[Op]:
    return [
        Op(
            "create_assignment",
            {
                "permission_set": f"PermissionSet{p:03d}",
                "principal_type": "GROUP",
                "principal": "group-0000",
                "account": account,
            },
        )
        for p in range(permission_sets)
        for account in accounts
    ]


def run_phase(
    name: str, writer: Writer, session: AwsSession, ops: list[Op]
) -> tuple[list[Row], dict[str, Any]]:
    failures: list[AwsError] = []
    started_before_done = True
    started: set[int] = set()

    def on_start(op: Op) -> None:
        started.add(id(op))

    def on_done(op: Op, error: AwsError | None) -> None:
        nonlocal started_before_done
        started_before_done &= id(op) in started
        if error is not None:
            failures.append(error)

    calls_before = _sso_calls(session)
    attempts_before = sum(session.stats.attempts.values())
    clock = time.monotonic()
    writer.execute_many(ops, on_start, on_done, max_in_flight=MAX_IN_FLIGHT)
    wall = time.monotonic() - clock
    calls = _sso_calls(session) - calls_before
    retries = sum(session.stats.attempts.values()) - attempts_before - calls
    if failures or not started_before_done:
        raise RuntimeError(f"{name}: {len(failures)} failed, first: {failures[:1]}")
    bound = calls / TPS
    concurrency = len(ops) * ASYNC_DELAY / MAX_IN_FLIGHT
    rows = [
        Row("apply", name, "wall time", round(wall, 1), "s",
            f"<= {TARGET} x calls/20 = {TARGET * bound:.1f} s", wall <= TARGET * bound),
    ]  # fmt: skip
    detail = {
        "ops": len(ops),
        "wall_s": round(wall, 2),
        "sso_admin_calls": calls,
        "rate_bound_s": round(bound, 2),
        "ratio": round(wall / bound, 3),
        "concurrency_bound_s": round(concurrency, 2),
        "retried_attempts": retries,
    }
    print(
        f"{name}: {len(ops)} ops in {wall:.1f} s; {calls} sso-admin calls "
        f"({calls / len(ops):.2f}/op, floor 2: submit + 1 poll); rate bound {bound:.1f} s; "
        f"ratio {wall / bound:.2f}; concurrency bound {concurrency:.1f} s "
        f"(ops x {ASYNC_DELAY:g} s / {MAX_IN_FLIGHT}); {retries} throttled attempts retried",
        flush=True,
    )
    return rows, detail


def main(quick: bool = False) -> list[Row]:
    permission_sets = 2 if quick else 10
    realism = Realism(latency=LATENCY, rate_limits=True, async_delay=ASYNC_DELAY)
    with Simulator(realism) as sim:
        seed_scale(
            sim, users=20, groups=5, permission_sets=permission_sets, accounts=100, assignments=0
        )
        accounts = sorted(a.id for a in sim.organizations.accounts if a.id != sim.account_id)
        creates = _assignment_ops(permission_sets, accounts[:100])
        deletes = [Op("delete_assignment", op.args) for op in creates]
        session = AwsSession(region=sim.region)
        writer = Writer(session, sim.instance_arn, sim.identity_store_id)
        create_rows, create_detail = run_phase(f"{len(creates)} creates", writer, session, creates)
        delete_rows, delete_detail = run_phase(f"{len(deletes)} deletes", writer, session, deletes)
        assert sim.sso_admin.assignments == {}, "deletes left assignments behind"
    rows = create_rows + delete_rows
    print(format_table(rows), flush=True)
    path = write_results(
        "apply",
        rows,
        {
            "realism": {"latency_s": LATENCY, "tps": TPS, "async_delay_s": ASYNC_DELAY},
            "creates": create_detail,
            "deletes": delete_detail,
        },
    )
    print(f"wrote {path}", flush=True)
    return rows


if __name__ == "__main__":
    main()
