"""Reads survive what live organizations do to them: deletions while reading,
throttling storms, transient server errors; real failures say what failed."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from reconciler.aws.clients import AwsSession
from reconciler.aws.reader import read_state
from reconciler.errors import AwsError
from reconciler.sim import FaultRule, Realism, Simulator, seed_demo
from tests.aws.test_read_demo import demo_state


def once_before(session: AwsSession, service: str, operation: str, action: Any) -> None:
    """Run `action` before the first `operation` call the reader makes; the
    reader's other threads wait until it is done, so every later call sees it."""
    done: list[bool] = []
    lock = threading.Lock()

    def handler(**_: Any) -> None:
        with lock:
            if not done:
                action()
                done.append(True)

    event = f"before-call.{service}.{operation}"
    session.client(service).meta.events.register(event, handler)


def test_permission_set_deleted_mid_read_is_left_out(sim: Simulator, session: AwsSession) -> None:
    seed_demo(sim)
    admin = sim.client("sso-admin")
    temp = admin.create_permission_set(InstanceArn=sim.instance_arn, Name="Temp")
    arn = temp["PermissionSet"]["PermissionSetArn"]
    once_before(
        session,
        "sso-admin",
        "DescribePermissionSet",
        lambda: admin.delete_permission_set(InstanceArn=sim.instance_arn, PermissionSetArn=arn),
    )
    live = read_state(session)
    expected, _ = demo_state()
    assert live.permission_sets == expected.permission_sets
    assert live.assignments == expected.assignments


def test_group_deleted_mid_read_loses_only_its_members(sim: Simulator, session: AwsSession) -> None:
    seed_demo(sim)
    ids = sim.client("identitystore")
    store = sim.identity_store_id

    def delete_auditors() -> None:
        group = ids.get_group_id(
            IdentityStoreId=store,
            AlternateIdentifier={
                "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "Auditors"}
            },
        )
        ids.delete_group(IdentityStoreId=store, GroupId=group["GroupId"])

    once_before(session, "identitystore", "ListGroupMemberships", delete_auditors)
    live = read_state(session, kinds=frozenset({"membership"}))
    expected, _ = demo_state()
    assert live.memberships == {m for m in expected.memberships if m.group != "Auditors"}


def test_throttling_storm_still_reads_everything(sim: Simulator) -> None:
    """No client-side pacing, a service at half AWS's rate: adaptive retries
    absorb the ThrottlingExceptions and the read is complete."""
    from tests.aws.conftest import UNLIMITED

    seed_demo(sim)
    sim.realism = Realism(rate_limits=True, sso_admin_tps=15, identitystore_tps=10)
    session = AwsSession(region=sim.region, limits=UNLIMITED)
    live = read_state(session)
    expected, _ = demo_state()
    assert live.assignments == expected.assignments
    assert live.permission_sets == expected.permission_sets
    assert live.memberships == expected.memberships
    assert session.stats.total_attempts > session.stats.total_calls  # it was a storm


def test_transient_server_errors_are_retried(sim: Simulator, session: AwsSession) -> None:
    seed_demo(sim)
    sim.realism = Realism(
        faults=[FaultRule("*", code="InternalServerException", status=500, probability=0.2)],
        seed=7,
    )
    live = read_state(session)
    sim.realism = Realism()
    expected, _ = demo_state()
    assert live.users == expected.users
    assert live.assignments == expected.assignments
    assert live.accounts == expected.accounts
    assert session.stats.total_attempts > session.stats.total_calls


def test_denied_call_names_operation_resource_and_reason(
    sim: Simulator, session: AwsSession
) -> None:
    seed_demo(sim)
    reason = "User: arn:aws:iam::123456789012:user/ci is not authorized to perform ListUsers"
    sim.realism = Realism(
        faults=[
            FaultRule(
                "identitystore:ListUsers",
                code="AccessDeniedException",
                status=400,
                message=reason,
                permanent=True,
            )
        ]
    )
    with pytest.raises(AwsError) as caught:
        read_state(session)
    error = caught.value
    assert error.operation == "ListUsers"
    assert error.resource == f"identity store {sim.identity_store_id}"
    assert error.code == "AccessDeniedException"
    assert str(error) == (
        f"ListUsers on identity store {sim.identity_store_id} failed: "
        f"AccessDeniedException: {reason}; the caller needs identitystore:ListUsers; "
        "`idc iam-policy snapshot` (or plan, apply: the job you run) prints the IAM "
        "policy that grants what it needs"
    )


def test_unknown_instance_is_named(sim: Simulator, session: AwsSession) -> None:
    wrong = "arn:aws:sso:::instance/ssoins-0000000000000000"
    with pytest.raises(AwsError, match=f"ListInstances on {wrong} failed: InstanceNotFound"):
        read_state(session, instance=wrong)


@pytest.mark.parametrize(
    ("operation", "resource"),
    [
        ("organizations:ListTagsForResource", "account "),
        ("sso-admin:GetInlinePolicyForPermissionSet", "permission set "),
        ("identitystore:ListGroupMemberships", "group "),
    ],
)
def test_a_failing_phase_stops_the_read_with_its_own_error(
    sim: Simulator, session: AwsSession, operation: str, resource: str
) -> None:
    """Whichever API family fails, the others stop and the caller gets the
    failing call's error (not a hang, not a secondary error)."""
    seed_demo(sim)
    sim.realism = Realism(
        faults=[FaultRule(operation, code="AccessDeniedException", status=400, permanent=True)]
    )
    with pytest.raises(AwsError) as caught:
        read_state(session)
    assert caught.value.operation == operation.split(":")[1]
    assert caught.value.resource.startswith(resource)
    assert caught.value.code == "AccessDeniedException"
