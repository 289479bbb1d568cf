"""Assignments and provisioning: AWS's asynchronous writes, at its concurrency limits."""

from __future__ import annotations

import threading

import pytest

from reconciler.aws import write_assignments
from reconciler.aws.writer import Writer
from reconciler.errors import AwsError
from reconciler.model.operations import Op
from reconciler.sim.realism import FaultRule, Realism
from reconciler.sim.simulator import Simulator
from tests.aws_write.conftest import make_writer

USERS = ["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]
ACCOUNTS = ["222222222222", "333333333333", "444444444444", "555555555555", "666666666666"]


def assignment(user: str, account: str, ps: str = "Billing") -> Op:
    return Op(
        "create_assignment",
        {"permission_set": ps, "principal_type": "USER", "principal": user, "account": account},
    )


def twenty_assignments() -> list[Op]:
    return [assignment(u, a) for u in USERS for a in ACCOUNTS]


class Recorder:
    """on_start/on_done that remember order and the peak of outstanding ops."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Op, AwsError | None]] = []
        self.outstanding = 0
        self.peak = 0
        self.thread_ids: set[int] = set()

    def start(self, op: Op) -> None:
        self.events.append(("start", op, None))
        self.outstanding += 1
        self.peak = max(self.peak, self.outstanding)
        self.thread_ids.add(threading.get_ident())

    def done(self, op: Op, error: AwsError | None) -> None:
        self.events.append(("done", op, error))
        self.outstanding -= 1
        self.thread_ids.add(threading.get_ident())

    def errors(self) -> list[AwsError]:
        return [e for kind, _, e in self.events if kind == "done" and e is not None]


def live_assignments(sim: Simulator, writer: Writer, ps: str, account: str) -> set[str]:
    arn = writer.ctx.names.permission_set_arn(ps)
    found = sim.client("sso-admin").list_account_assignments(
        InstanceArn=sim.instance_arn, AccountId=account, PermissionSetArn=arn
    )["AccountAssignments"]
    return {a["PrincipalId"] for a in found if a["PrincipalType"] == "USER"}


def test_create_and_delete_many_complete_through_in_progress(
    sim: Simulator, writer: Writer
) -> None:
    sim.realism = Realism(async_delay=0.2)
    creates, rec = twenty_assignments(), Recorder()

    writer.execute_many(creates, rec.start, rec.done)

    assert rec.errors() == []
    user_ids = {writer.ctx.names.user_id(u) for u in USERS}
    for account in ACCOUNTS:
        assert live_assignments(sim, writer, "Billing", account) == user_ids
    assert all(writer.is_applied(op) for op in creates)
    # Every op started before it finished, each exactly once, on the caller's thread.
    for op in creates:
        kinds = [kind for kind, o, _ in rec.events if o is op]
        assert kinds == ["start", "done"]
    assert rec.thread_ids == {threading.get_ident()}
    assert 1 < rec.peak <= 15

    deletes = [Op("delete_assignment", op.args) for op in creates]
    rec = Recorder()
    writer.execute_many(deletes, rec.start, rec.done)

    assert rec.errors() == []
    for account in ACCOUNTS:
        assert live_assignments(sim, writer, "Billing", account) == set()
    assert not any(writer.is_applied(op) for op in creates)
    assert all(writer.is_applied(op) for op in deletes)


def test_outstanding_requests_never_exceed_the_limit(sim: Simulator, writer: Writer) -> None:
    """The simulator refuses a 16th outstanding CreateAccountAssignment, as AWS does."""
    sim.realism = Realism(async_delay=0.3)
    rec = Recorder()

    writer.execute_many(twenty_assignments(), rec.start, rec.done, max_in_flight=15)

    assert rec.errors() == []
    assert rec.peak == 15


def test_failed_request_reports_failure_reason_verbatim(sim: Simulator, writer: Writer) -> None:
    reason = "Received a 404 status error: Assignment not found."
    carol = writer.ctx.names.user_id("carol@example.com")
    sim.realism = Realism(
        async_delay=0.1,
        faults=[FaultRule("CreateAccountAssignment", resource=carol, async_failure=reason)],
    )
    ops = [assignment(u, "555555555555") for u in USERS]
    rec = Recorder()

    writer.execute_many(ops, rec.start, rec.done)

    [error] = rec.errors()
    assert error.operation == "CreateAccountAssignment"
    assert error.resource == "create_assignment Billing USER:carol@example.com 555555555555"
    assert error.reason == reason
    assert str(error).endswith(reason)
    # The other three went through.
    assert len(live_assignments(sim, writer, "Billing", "555555555555")) == 3


def test_execute_raises_the_failure_of_one_async_op(sim: Simulator, writer: Writer) -> None:
    reason = "Permission set provisioning failed: role quota exceeded in the account."
    sim.realism = Realism(
        async_delay=0.05, faults=[FaultRule("ProvisionPermissionSet", async_failure=reason)]
    )

    with pytest.raises(AwsError) as caught:
        writer.execute(
            Op("provision_permission_set", {"name": "Billing", "account": "222222222222"})
        )

    assert caught.value.operation == "ProvisionPermissionSet"
    assert caught.value.reason == reason


def test_unknown_principal_fails_that_op_only(sim: Simulator, writer: Writer) -> None:
    ops = [assignment("ghost@example.com", "555555555555"), assignment(USERS[0], "555555555555")]
    rec = Recorder()

    writer.execute_many(ops, rec.start, rec.done)

    [error] = rec.errors()
    assert error.operation == "GetUserId"
    assert error.resource == "create_assignment Billing USER:ghost@example.com 555555555555"
    assert [kind for kind, o, _ in rec.events if o is ops[0]] == ["start", "done"]


def test_throttling_storm_recovers(sim: Simulator, writer: Writer) -> None:
    """Without the client-side limiter, and with AWS allowing only 2 calls per
    second, concurrent submits are throttled; botocore's adaptive retries
    absorb it and every op still completes."""
    writer.ctx.names.permission_set_arn("Billing")  # resolve before the storm
    sim.realism = Realism(rate_limits=True, sso_admin_tps=2.0, async_delay=0.05)
    ops = [assignment(u, "222222222222") for u in USERS]
    rec = Recorder()

    writer.execute_many(ops, rec.start, rec.done)

    assert rec.errors() == []
    assert sim.calls["sso-admin:CreateAccountAssignment"] > len(ops)  # throttled, retried
    assert len(live_assignments(sim, writer, "Billing", "222222222222")) == len(ops)


def test_provisioning_brings_stale_accounts_up_to_date(sim: Simulator, writer: Writer) -> None:
    """After a permission set change the provisioned accounts are stale until
    ProvisionPermissionSet; at most three run at once, one per permission set."""
    sim.realism = Realism(async_delay=0.1)
    accounts = ["444444444444", "444444444445", "444444444446"]
    before = {"name": "ReadOnly", "description": "Read-only everywhere"}
    after = {"name": "ReadOnly", "description": "Read-only, everywhere"}
    writer.execute(
        Op("update_permission_set", {"name": "ReadOnly", "before": before, "after": after})
    )
    provisions = [
        Op("provision_permission_set", {"name": "ReadOnly", "account": a}) for a in accounts
    ]
    assert not any(writer.is_applied(op) for op in provisions)
    rec = Recorder()

    writer.execute_many(provisions, rec.start, rec.done)

    assert rec.errors() == []
    assert rec.peak == 1  # one provisioning per permission set at a time
    assert all(writer.is_applied(op) for op in provisions)


def test_the_account_less_provision_reaches_whatever_is_stale_when_it_runs(
    sim: Simulator, writer: Writer
) -> None:
    """Nothing stale: one list call and no ProvisionPermissionSet; one stale
    account: that account; several: one request for every provisioned account."""
    sweep = Op("provision_permission_set", {"name": "ReadOnly"})
    stale = {"ProvisioningStatus": "LATEST_PERMISSION_SET_NOT_PROVISIONED"}
    sso, arn = sim.client("sso-admin"), writer.ctx.names.permission_set_arn("ReadOnly")

    def stale_accounts() -> list[str]:
        return list(
            sso.list_accounts_for_provisioned_permission_set(
                InstanceArn=sim.instance_arn, PermissionSetArn=arn, **stale
            )["AccountIds"]
        )

    assert writer.is_applied(sweep)
    sim.reset_calls()
    writer.execute(sweep)
    assert sim.calls["sso-admin:ProvisionPermissionSet"] == 0

    before = {"name": "ReadOnly", "description": "Read-only everywhere"}
    after = {"name": "ReadOnly", "description": "Read-only, everywhere"}
    writer.execute(
        Op("update_permission_set", {"name": "ReadOnly", "before": before, "after": after})
    )
    for account in ("444444444444", "444444444445"):
        writer.execute(Op("provision_permission_set", {"name": "ReadOnly", "account": account}))
    assert stale_accounts() == ["444444444446"] and not writer.is_applied(sweep)
    writer.execute(sweep)
    assert stale_accounts() == [] and writer.is_applied(sweep)

    writer.execute(
        Op("update_permission_set", {"name": "ReadOnly", "before": after, "after": before})
    )
    assert len(stale_accounts()) == 3
    sim.reset_calls()
    writer.execute(sweep)
    assert stale_accounts() == []
    assert sim.calls["sso-admin:ProvisionPermissionSet"] == 1  # all provisioned accounts


def test_above_the_all_provisioned_limit_each_stale_account_is_provisioned_on_its_own(
    sim: Simulator, writer: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ALL_PROVISIONED_ACCOUNTS reaches a bounded number of accounts (AWS:
    3500; 2 here, in the simulator and the writer): a permission set
    provisioned to more is re-provisioned with one AWS_ACCOUNT request per
    stale account, and the sweep succeeds."""
    sim.realism = Realism(async_delay=0.05, all_provisioned_max=2)
    sweep = Op("provision_permission_set", {"name": "ReadOnly"})
    before = {"name": "ReadOnly", "description": "Read-only everywhere"}
    after = {"name": "ReadOnly", "description": "Read-only, everywhere"}
    writer.execute(
        Op("update_permission_set", {"name": "ReadOnly", "before": before, "after": after})
    )
    assert not writer.is_applied(sweep)
    # A writer that ignored the limit sends one request the simulator refuses.
    with pytest.raises(AwsError, match="at most 2"):
        writer.execute(sweep)
    assert not writer.is_applied(sweep)

    monkeypatch.setattr(write_assignments, "ALL_PROVISIONED_MAX", 2)
    sim.reset_calls()
    rec = Recorder()
    writer.execute_many([sweep], rec.start, rec.done)

    assert rec.errors() == []
    assert writer.is_applied(sweep)
    assert sim.calls["sso-admin:ProvisionPermissionSet"] == 3  # one per stale account


def test_synchronous_ops_in_a_batch_run_too(sim: Simulator, writer: Writer) -> None:
    ops = [
        Op("create_group", {"doc": {"name": "Data"}}),
        Op(
            "create_assignment",
            {
                "permission_set": "Billing",
                "principal_type": "GROUP",
                "principal": "Data",
                "account": "222222222222",
            },
        ),
    ]
    rec = Recorder()

    writer.execute_many(ops, rec.start, rec.done)

    assert rec.errors() == []
    assert all(writer.is_applied(op) for op in ops)


def test_request_that_never_finishes_is_reported_not_waited_for_forever(sim: Simulator) -> None:
    writer = make_writer(sim, async_timeout=0.3)
    sim.realism = Realism(async_delay=30.0)
    rec = Recorder()

    writer.execute_many([assignment(USERS[0], "222222222222")], rec.start, rec.done)

    [error] = rec.errors()
    assert error.operation == "DescribeAccountAssignmentCreationStatus"
    assert error.code == "Timeout"
    assert "still IN_PROGRESS" in error.reason


def submit_without_waiting(sim: Simulator, writer: Writer, op: Op) -> None:
    """What a killed apply leaves behind: the request accepted, still IN_PROGRESS."""
    from reconciler.aws.write_assignments import ASYNC_CALLS, submit

    status = submit(writer.ctx, op)
    assert status["Status"] == "IN_PROGRESS", ASYNC_CALLS[op.name].submit


def test_in_doubt_request_still_running_is_waited_for_before_deciding(sim: Simulator) -> None:
    # A crashed apply's CreateAccountAssignment finishes after the recovery
    # started; is_applied must not answer "absent" (a rollback would skip
    # the undo and the assignment would appear a moment later).
    sim.realism = Realism(async_delay=0.4)
    create = assignment(USERS[0], "222222222222")
    submit_without_waiting(sim, make_writer(sim), create)
    recovering = make_writer(sim)

    assert recovering.is_applied(create)


def test_in_doubt_delete_still_running_is_waited_for(sim: Simulator, writer: Writer) -> None:
    create = assignment(USERS[0], "222222222222")
    writer.execute(create)
    sim.realism = Realism(async_delay=0.4)
    delete = Op("delete_assignment", dict(create.args))
    submit_without_waiting(sim, writer, delete)

    assert make_writer(sim).is_applied(delete)
    assert not make_writer(sim).is_applied(create)


def test_request_running_too_long_leaves_in_doubt_undecided(sim: Simulator) -> None:
    sim.realism = Realism(async_delay=30.0)
    create = assignment(USERS[0], "222222222222")
    submit_without_waiting(sim, make_writer(sim), create)

    with pytest.raises(AwsError) as caught:
        make_writer(sim, async_timeout=0.3).is_applied(create)

    assert caught.value.code == "Timeout"
    assert "1 create_assignment" in caught.value.reason
