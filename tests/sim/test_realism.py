"""Realism: throttling shapes and retries, async lifecycle, conflicts, faults, counting."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from reconciler.sim import FaultRule, Realism, Simulator
from tests.sim.conftest import Clients, error_of, make_clients
from tests.sim.test_assignments import assign, setup


def test_sso_admin_throttling_is_aws_shaped(empty: Clients) -> None:
    empty.sim.realism.rate_limits = True
    empty.sim.realism.sso_admin_tps = 3
    with pytest.raises(ClientError) as exc:
        for _ in range(10):  # collective: different operations share one budget
            empty.sso.list_instances()
            empty.sso.list_permission_sets(InstanceArn=empty.instance)
    error = error_of(exc)
    assert (error["Code"], error["HTTPStatusCode"]) == ("ThrottlingException", 400)


def test_identitystore_throttling_is_per_api_and_says_when_to_retry(empty: Clients) -> None:
    # One call per second per API: a second ListUsers at once is throttled
    # (retried until it is, so a slow machine's refill cannot hide it), while
    # ListGroups, another API, still has its own budget.
    empty.sim.realism = Realism(rate_limits=True, identitystore_tps=1)
    empty.ids.list_users(IdentityStoreId=empty.store)
    empty.ids.list_groups(IdentityStoreId=empty.store)
    with pytest.raises(ClientError) as exc:
        for _ in range(5):
            empty.ids.list_users(IdentityStoreId=empty.store)
    assert error_of(exc)["Code"] == "ThrottlingException"
    assert isinstance(error_of(exc)["RetryAfterSeconds"], int)
    assert empty.sim.realism.throttled == 1  # tests can tell throttling happened


def test_organizations_throttles_with_too_many_requests(demo: Clients) -> None:
    demo.sim.realism.rate_limits = True
    with pytest.raises(ClientError) as exc:
        for _ in range(4):  # ListRoots: 1/s, burst 2
            demo.org.list_roots()
    assert error_of(exc)["Code"] == "TooManyRequestsException"


def test_adaptive_retries_recover_from_throttling(demo: Clients) -> None:
    # 2 TPS against 4 threads: throttled however slow the machine is
    demo.sim.realism = Realism(rate_limits=True, sso_admin_tps=2)
    clients = make_clients(demo.sim, Config(retries={"mode": "adaptive", "max_attempts": 12}))
    demo.sim.reset_calls()

    def read(_: int) -> int:
        return len(clients.sso.list_permission_sets(InstanceArn=demo.instance)["PermissionSets"])

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(read, range(12))) == [5] * 12
    assert (
        demo.sim.calls["sso-admin:ListPermissionSets"] > 12
    )  # throttled attempts reached the server


def test_async_assignment_takes_effect_only_when_succeeded(empty: Clients) -> None:
    ps, group = setup(empty)
    empty.sim.realism.async_delay = 0.3
    status = assign(empty, ps, group, "111111111111")
    assert status["Status"] == "IN_PROGRESS"
    args = {"InstanceArn": empty.instance, "AccountId": "111111111111", "PermissionSetArn": ps}
    assert empty.sso.list_account_assignments(**args)["AccountAssignments"] == []
    in_progress = empty.sso.list_account_assignment_creation_status(
        InstanceArn=empty.instance, Filter={"Status": "IN_PROGRESS"}
    )
    assert [s["RequestId"] for s in in_progress["AccountAssignmentsCreationStatus"]] == [
        status["RequestId"]
    ]
    time.sleep(0.35)
    done = empty.sso.describe_account_assignment_creation_status(
        InstanceArn=empty.instance, AccountAssignmentCreationRequestId=status["RequestId"]
    )
    assert done["AccountAssignmentCreationStatus"]["Status"] == "SUCCEEDED"
    assert len(empty.sso.list_account_assignments(**args)["AccountAssignments"]) == 1


def test_writes_conflict_while_a_permission_set_is_being_provisioned(empty: Clients) -> None:
    ps, _ = setup(empty)
    empty.sim.realism = Realism(async_delay=0.3, conflicts=True)
    empty.sso.provision_permission_set(
        InstanceArn=empty.instance,
        PermissionSetArn=ps,
        TargetType="AWS_ACCOUNT",
        TargetId="111111111111",
    )
    with pytest.raises(ClientError) as exc:
        empty.sso.update_permission_set(
            InstanceArn=empty.instance, PermissionSetArn=ps, Description="x"
        )
    assert error_of(exc)["Code"] == "ConflictException"
    time.sleep(0.35)
    empty.sso.update_permission_set(
        InstanceArn=empty.instance, PermissionSetArn=ps, Description="x"
    )
    with pytest.raises(ClientError) as exc:  # too soon after the previous write
        empty.sim.realism.conflict_window = 5
        empty.sso.update_permission_set(
            InstanceArn=empty.instance, PermissionSetArn=ps, Description="y"
        )
    assert error_of(exc)["Code"] == "ConflictException"


def test_async_fault_ends_failed_with_reason_and_no_effect(empty: Clients) -> None:
    ps, group = setup(empty)
    reason = "Received a 404 status error: Assignment not found."
    empty.sim.realism.faults = [FaultRule("CreateAccountAssignment", async_failure=reason, times=1)]
    status = assign(empty, ps, group, "111111111111")
    got = empty.sso.describe_account_assignment_creation_status(
        InstanceArn=empty.instance, AccountAssignmentCreationRequestId=status["RequestId"]
    )
    assert got["AccountAssignmentCreationStatus"]["Status"] == "FAILED"
    assert got["AccountAssignmentCreationStatus"]["FailureReason"] == reason
    assert (
        empty.sso.list_account_assignments(
            InstanceArn=empty.instance, AccountId="111111111111", PermissionSetArn=ps
        )["AccountAssignments"]
        == []
    )
    assert assign(empty, ps, group, "111111111111")["Status"] == "SUCCEEDED"  # times=1


def _failure_pattern(seed: int) -> list[bool]:
    rule = FaultRule("identitystore:ListUsers", probability=0.5)
    with Simulator(Realism(faults=[rule], seed=seed)) as sim:
        clients = make_clients(sim)
        pattern = []
        for _ in range(24):
            try:
                clients.ids.list_users(IdentityStoreId=sim.identity_store_id)
                pattern.append(False)
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "InternalServerException"
                assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 500
                pattern.append(True)
        return pattern


def test_probabilistic_faults_repeat_for_a_seed() -> None:
    first = _failure_pattern(7)
    assert first == _failure_pattern(7)
    assert 0 < sum(first) < len(first)
    assert first != _failure_pattern(8)


def test_every_nth_fault_and_resource_match(demo: Clients) -> None:
    demo.sim.realism.faults = [
        FaultRule(
            "DescribeAccount",
            code="ServiceException",
            status=503,
            every_nth=2,
            resource="444444444444",
        )
    ]
    outcomes = []
    for account in ["444444444444", "555555555555", "444444444444", "444444444444", "444444444444"]:
        try:
            demo.org.describe_account(AccountId=account)
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
    assert outcomes == ["ok", "ok", "ServiceException", "ok", "ServiceException"]


def test_a_held_call_waits_while_others_go_on_then_fails(demo: Clients) -> None:
    release = threading.Event()
    rule = FaultRule("ListUsers", hold=release, times=1)
    demo.sim.realism.faults = [rule]
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(demo.ids.list_users, IdentityStoreId=demo.store)
        while rule.fired == 0:  # the call has reached the simulator and is held
            time.sleep(0.001)
        assert not held.done()
        assert demo.sso.list_instances()["Instances"]  # other calls are answered meanwhile
        assert demo.ids.list_users(IdentityStoreId=demo.store)["Users"]  # times=1
        assert not held.done()
        release.set()
        with pytest.raises(ClientError) as exc:
            held.result()
    assert error_of(exc)["Code"] == "InternalServerException"


def test_calls_are_counted_per_operation_and_reset(demo: Clients) -> None:
    demo.sim.reset_calls()
    demo.sso.list_instances()
    demo.ids.list_users(IdentityStoreId=demo.store)
    demo.ids.list_users(IdentityStoreId=demo.store)
    assert demo.sim.calls == {"sso-admin:ListInstances": 1, "identitystore:ListUsers": 2}
    demo.sim.reset_calls()
    assert sum(demo.sim.calls.values()) == 0


def test_concurrent_readers_and_writers_stay_consistent(demo: Clients) -> None:
    group = demo.ids.create_group(IdentityStoreId=demo.store, DisplayName="Many")["GroupId"]

    def work(n: int) -> int:
        user = demo.ids.create_user(
            IdentityStoreId=demo.store,
            UserName=f"t{n}",
            DisplayName=f"T{n}",
            Name={"GivenName": "T", "FamilyName": str(n)},
        )["UserId"]
        demo.ids.create_group_membership(
            IdentityStoreId=demo.store, GroupId=group, MemberId={"UserId": user}
        )
        return len(demo.sso.list_permission_sets(InstanceArn=demo.instance)["PermissionSets"])

    with ThreadPoolExecutor(16) as pool:
        assert set(pool.map(work, range(48))) == {5}
    pages = demo.ids.get_paginator("list_group_memberships").paginate(
        IdentityStoreId=demo.store, GroupId=group
    )
    assert sum(len(p["GroupMemberships"]) for p in pages) == 48
