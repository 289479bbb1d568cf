"""A permission-set change is many AWS calls; a fault in any one of them is
undone exactly by rollback and finished exactly by resume.

Each case drives a fault into one sub-call of a permission-set create or
update (asserting it fired), then either rolls the failed apply back (live
state must equal the state before the apply) or resumes it once the fault is
gone (live state must equal the desired state). Two kinds of fault: AWS
refusing the call (400), and a call whose outcome is unknown (500s through
every retry: the request may or may not have been done).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from reconciler.apply.ops import ops_from_plan
from reconciler.apply.runner import apply_pairs, resume, rollback
from reconciler.aws import clients
from reconciler.model import CustomerManagedPolicy, PermissionsBoundary, PermissionSet, State
from reconciler.sim import FaultRule, Realism, Simulator, seed_demo
from tests.apply.simhelp import comparable, fast_session, live, plan_for, target

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}],
}


@dataclass(frozen=True)
class Case:
    change: str  # "create" or "update"
    call: str  # the sub-call the fault hits


CREATE_CALLS = [
    "CreatePermissionSet",
    "PutInlinePolicyToPermissionSet",
    "AttachManagedPolicyToPermissionSet",
    "AttachCustomerManagedPolicyReferenceToPermissionSet",
    "PutPermissionsBoundaryToPermissionSet",
]
UPDATE_CALLS = [
    "UpdatePermissionSet",
    "PutInlinePolicyToPermissionSet",
    "DetachManagedPolicyFromPermissionSet",
    "DetachCustomerManagedPolicyReferenceFromPermissionSet",
    "AttachManagedPolicyToPermissionSet",
    "AttachCustomerManagedPolicyReferenceToPermissionSet",
    "PutPermissionsBoundaryToPermissionSet",
    "UntagResource",
    "TagResource",
]
CASES = [Case("create", c) for c in CREATE_CALLS] + [Case("update", c) for c in UPDATE_CALLS]
FAULTS = {
    "refused": {"code": "ValidationException", "status": 400, "message": "refused by AWS"},
    "unknown": {"code": "InternalServerException", "status": 500},
}
# `make test` runs the harder kind (the outcome unknown) on every sub-call;
# `make faults` adds refusals.
FAULT_KINDS = [
    pytest.param("refused", marks=pytest.mark.faults),
    "unknown",
]


def wanted(state: State, change: str) -> State:
    """The demo with one permission set created, or Developer changed in every part."""
    sets = dict(state.permission_sets)
    if change == "create":
        sets["Fresh"] = PermissionSet.build(
            "Fresh",
            description="new",
            session_duration="PT2H",
            relay_state="https://console.aws.amazon.com/",
            inline_policy=json.dumps(POLICY),
            managed_policies=[READ_ONLY],
            customer_managed_policies=[CustomerManagedPolicy("FreshExtras")],
            permissions_boundary=PermissionsBoundary(managed_policy_arn=READ_ONLY),
            tags={"team": "fresh"},
        )
    else:
        sets["Developer"] = replace(
            sets["Developer"],
            description="changed in every part",
            session_duration="PT2H",
            relay_state="https://console.aws.amazon.com/changed",
            inline_policy=json.dumps(POLICY),
            managed_policies=(READ_ONLY,),
            customer_managed_policies=(CustomerManagedPolicy("DeveloperTools"),),
            permissions_boundary=PermissionsBoundary(managed_policy_arn=READ_ONLY),
            tags=(("owner", "dev"),),
        )
    return replace(state, permission_sets=sets)


@pytest.fixture(autouse=True)
def _few_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two attempts, not twelve: "500s through every retry" without the wait."""
    monkeypatch.setattr(clients, "RETRY_CONFIG", {"mode": "standard", "max_attempts": 2})


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as sim:
        seed_demo(sim)
        yield sim


def _failed_apply(sim: Simulator, case: Case, fault: str, journal_dir: Path) -> tuple[State, Path]:
    """Apply the case's change with the fault on; it must fail there."""
    session = fast_session()
    before = comparable(live(session))
    plan, current = plan_for(session, wanted(live(session), case.change))
    rule = FaultRule(case.call, permanent=True, **FAULTS[fault])  # type: ignore[arg-type]
    sim.realism = Realism(faults=[rule])
    result = apply_pairs(target(session, current, journal_dir), ops_from_plan(plan))
    sim.realism = Realism()
    assert rule.fired, f"{case.call} was never called"
    assert not result.ok, "the fault did not stop the apply"
    return before, result.journal


@pytest.mark.parametrize("fault", FAULT_KINDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.change}-{c.call}")
def test_rollback_after_a_fault_in_any_sub_call_restores_exactly(
    sim: Simulator, tmp_path: Path, case: Case, fault: str
) -> None:
    before, journal = _failed_apply(sim, case, fault, tmp_path)
    session = fast_session()
    undo = rollback(target(session, live(session), tmp_path), journal)
    assert undo.ok, undo.first_failure
    assert comparable(live(fast_session())) == before


@pytest.mark.parametrize("fault", FAULT_KINDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.change}-{c.call}")
def test_resume_after_a_fault_in_any_sub_call_reaches_desired(
    sim: Simulator, tmp_path: Path, case: Case, fault: str
) -> None:
    _, journal = _failed_apply(sim, case, fault, tmp_path)
    session = fast_session()
    finished = resume(target(session, live(session), tmp_path), journal)
    assert finished.ok, finished.first_failure
    now = live(fast_session())
    assert comparable(now) == comparable(wanted(now, case.change))
    plan, _ = plan_for(session, wanted(now, case.change))
    assert not plan.changes  # nothing left to do, re-provisioning included
