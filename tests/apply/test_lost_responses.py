"""A write AWS carried out whose response was lost is the apply's own effect.

The simulator performs the call and then answers 500 (FaultRule.after_effect),
so the client retries and meets its own first attempt: "already exists" for
a create, "not found" for a delete, "already attached" for an attach. Apply
must settle that against live state and carry on, and so must a rollback:
neither may stop, retry for half a minute, or roll back a change that
happened exactly as planned.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.apply.runner import rollback
from reconciler.sim import FaultRule, Realism, Simulator, seed_demo
from tests.apply.simhelp import apply_state, comparable, fast_session, live, plan_for, target
from tests.apply.test_sim_apply import changed_everything

# Every write the demo's change-everything plan makes, and its rollback.
WRITES = [
    "CreateUser",
    "UpdateUser",
    "DeleteUser",
    "CreateGroup",
    "UpdateGroup",
    "DeleteGroup",
    "CreateGroupMembership",
    "DeleteGroupMembership",
    "CreatePermissionSet",
    "UpdatePermissionSet",
    "AttachManagedPolicyToPermissionSet",
    "DeletePermissionSet",
    "CreateAccountAssignment",
    "DeleteAccountAssignment",
    "ProvisionPermissionSet",
]


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as sim:
        seed_demo(sim)
        yield sim


@pytest.mark.parametrize("call", WRITES)
def test_a_lost_response_is_settled_as_done_by_apply_and_by_rollback(
    sim: Simulator, tmp_path: Path, call: str
) -> None:
    session = fast_session()
    before = live(session)
    want = changed_everything(before)

    lost = FaultRule(call, after_effect=True, times=1)
    sim.realism = Realism(faults=[lost])
    result = apply_state(session, want, tmp_path)
    assert lost.fired == 1, f"the apply made no {call}"
    assert result.ok, result.first_failure
    plan, _ = plan_for(fast_session(), want)
    assert plan.empty, [c.key_text() for c in plan.changes]

    lost_again = FaultRule(call, after_effect=True, times=1)
    sim.realism = Realism(faults=[lost_again])
    fresh = fast_session()
    undo = rollback(target(fresh, live(fresh), tmp_path), result.journal)
    assert undo.ok, undo.first_failure
    assert comparable(live(fast_session())) == comparable(before)
