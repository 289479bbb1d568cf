"""`idc restore REV --test`: prove a backup restorable without touching AWS.

The snapshot is restored into a fresh, in-process simulator that holds only
the snapshot's organization (so every assignment has its account), through
the same compatibility check of AWS managed policies, plan and journaled
apply as a real restore, then read back with the
live reader and compared with the snapshot record by record. Nothing here
reaches the repository's `.idc/sim`, its journal/ or real AWS: the simulator
intercepts every call, and the journal goes to a temporary directory.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.apply.conclude import what_stopped
from reconciler.apply.ops import ops_from_plan
from reconciler.apply.runner import Target, apply_pairs
from reconciler.aws.clients import AwsSession
from reconciler.aws.ratelimit import RateLimits
from reconciler.aws.read_policies import missing_aws_managed_policies
from reconciler.aws.reader import read_state
from reconciler.aws.write_async import PollClock
from reconciler.aws.writer import Writer
from reconciler.cli.sim_extra import simulator_required
from reconciler.desired.settings import AccountScope, Safety, Settings
from reconciler.errors import IdcError
from reconciler.plan import build_plan
from reconciler.store.restore import (
    RESTORABLE_KINDS,
    Source,
    Verdict,
    restore_desired,
    verify_restored,
)
from reconciler.store.restore_check import (
    Incompatible,
    managed_policy_arns,
    missing_policy_problems,
)

if TYPE_CHECKING:
    from reconciler.sim import Simulator

# Everything restored, nothing held back by safety rails: the target is empty.
TEST_SETTINGS = Settings(
    safety=Safety(max_deletes=10**9),
    accounts=AccountScope(include_suspended=True, include_management=True),
)


def restore_into_simulator(source: Source) -> tuple[Verdict, tuple[str, ...]]:
    """The verdict of restoring `source` into an empty simulator, and what the
    restore had to skip (assignments on accounts the snapshot does not list)."""
    with simulator_required("idc restore --test"):
        from reconciler.sim import Simulator, SimulatorError
    try:
        simulator = Simulator()
        with simulator:
            return _restore(simulator, source)
    except SimulatorError as exc:  # only one simulator per process
        raise IdcError(f"--test needs its own simulator: {exc}") from None


def _restore(simulator: Simulator, source: Source) -> tuple[Verdict, tuple[str, ...]]:
    from reconciler.sim import seed_organization

    seed_organization(simulator, source.state)
    # No client-side pacing: this simulator has no rate limits to respect.
    session = AwsSession(
        limits=RateLimits(sso_admin_tps=None, identitystore_tps=None, organizations=False)
    )
    # As a real restore does before its first write: every AWS managed policy
    # the backup names must exist (asked of this simulator's IAM, which holds
    # AWS's catalogue), all missing ones listed together.
    missing = missing_aws_managed_policies(session, managed_policy_arns(source.state))
    if missing:
        raise Incompatible(source.label, missing_policy_problems(source.state, missing))
    empty = read_state(session)
    restore = restore_desired(source, empty, RESTORABLE_KINDS)
    plan = build_plan(restore.desired, empty, TEST_SETTINGS, allow_deletes=True)
    meta = empty.meta
    writer = Writer(
        session,
        meta.instance_arn,
        meta.identity_store_id,
        poll_clock=PollClock(estimate=0.02, floor=0.01),
    )
    with tempfile.TemporaryDirectory(prefix="idc-restore-test-") as journal_dir:
        target = Target(writer, Path(journal_dir), meta.instance_arn, meta.identity_store_id)
        result = apply_pairs(target, ops_from_plan(plan), plan.fingerprint)
    if not result.ok:
        raise IdcError(f"not restorable: restoring {what_stopped(result)}")
    return verify_restored(source.state, read_state(session)), restore.warnings
