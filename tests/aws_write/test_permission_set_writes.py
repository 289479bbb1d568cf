"""Permission sets written through the Writer, read back with the live reader."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.aws.read_context import ReadContext
from reconciler.aws.read_permission_sets import read_permission_set
from reconciler.aws.writer import Writer
from reconciler.errors import AwsError, InputError
from reconciler.model import PermissionSet
from reconciler.model.codec import permission_set_from_doc
from reconciler.model.operations import Op
from reconciler.sim.realism import Realism
from reconciler.sim.simulator import Simulator

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}
FULL: dict[str, Any] = {
    "name": "DataEngineer",
    "description": "Data pipelines",
    "session_duration": "PT4H",
    "relay_state": "https://console.aws.amazon.com/s3/",
    "managed_policies": [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
    ],
    "customer_managed_policies": [{"name": "DataExtras", "path": "/data/"}],
    "inline_policy": POLICY,
    "permissions_boundary": {"managed_policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"},
    "tags": {"team": "data", "cost": "analytics"},
}
# Every attribute different from FULL (and inline policy/boundary swapped kind).
CHANGED: dict[str, Any] = {
    "name": "DataEngineer",
    "description": "Data pipelines and warehouses",
    "session_duration": "PT8H",
    "relay_state": "https://console.aws.amazon.com/athena/",
    "managed_policies": [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonAthenaFullAccess",
    ],
    "customer_managed_policies": [{"name": "WarehouseExtras", "path": "/"}],
    "inline_policy": {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": ["s3:*"]}]},
    "permissions_boundary": {"customer_managed_policy": {"name": "Boundary", "path": "/b/"}},
    "tags": {"team": "data-platform", "tier": "gold"},
}


def live(sim: Simulator, name: str) -> PermissionSet | None:
    from reconciler.aws.clients import AwsSession
    from reconciler.aws.ratelimit import RateLimits

    ctx = ReadContext(AwsSession(limits=RateLimits(None, None, False)))
    ctx.instance_arn, ctx.identity_store_id = sim.instance_arn, sim.identity_store_id
    sso = sim.client("sso-admin")
    arns = sso.list_permission_sets(InstanceArn=sim.instance_arn)["PermissionSets"]
    for arn in arns:
        found = read_permission_set(ctx, arn)
        if found and found.permission_set.name == name:
            return found.permission_set
    return None


def test_create_permission_set_with_every_attribute(sim: Simulator, writer: Writer) -> None:
    op = Op("create_permission_set", {"doc": FULL})
    assert not writer.is_applied(op)

    writer.execute(op)

    assert live(sim, "DataEngineer") == permission_set_from_doc(FULL)
    assert writer.is_applied(op)


def test_update_permission_set_changes_every_attribute(sim: Simulator, writer: Writer) -> None:
    writer.execute(Op("create_permission_set", {"doc": FULL}))
    op = Op("update_permission_set", {"name": "DataEngineer", "before": FULL, "after": CHANGED})
    assert not writer.is_applied(op)

    writer.execute(op)

    assert live(sim, "DataEngineer") == permission_set_from_doc(CHANGED)
    assert writer.is_applied(op)


def test_update_removes_policies_boundary_tags_and_resets_session(
    sim: Simulator, writer: Writer
) -> None:
    writer.execute(Op("create_permission_set", {"doc": FULL}))
    bare = {"name": "DataEngineer", "description": FULL["description"]}
    bare["relay_state"] = FULL["relay_state"]

    writer.execute(
        Op("update_permission_set", {"name": "DataEngineer", "before": FULL, "after": bare})
    )

    got = live(sim, "DataEngineer")
    assert got is not None
    assert (got.inline_policy, got.managed_policies, got.customer_managed_policies) == (
        None,
        (),
        (),
    )
    assert (got.permissions_boundary, got.tags) == (None, ())
    assert got.session_duration == "PT1H"  # AWS's default once ours is dropped
    assert writer.is_applied(
        Op("update_permission_set", {"name": "DataEngineer", "before": FULL, "after": bare})
    )


def test_removing_a_description_is_refused_before_any_call(sim: Simulator, writer: Writer) -> None:
    writer.execute(Op("create_permission_set", {"doc": FULL}))
    after = {k: v for k, v in FULL.items() if k != "description"}
    sim.reset_calls()

    with pytest.raises(InputError, match="cannot remove a description"):
        writer.execute(
            Op("update_permission_set", {"name": "DataEngineer", "before": FULL, "after": after})
        )

    assert not any(name.startswith("sso-admin:Update") for name in sim.calls)


def test_delete_permission_set(sim: Simulator, writer: Writer) -> None:
    writer.execute(Op("create_permission_set", {"doc": FULL}))
    op = Op("delete_permission_set", {"name": "DataEngineer"})
    assert not writer.is_applied(op)

    writer.execute(op)

    assert live(sim, "DataEngineer") is None
    assert writer.is_applied(op)


def test_conflicting_update_is_retried_with_backoff(sim: Simulator, writer: Writer) -> None:
    """AWS answers ConflictException while a previous write propagates."""
    writer.execute(Op("create_permission_set", {"doc": FULL}))
    sim.realism = Realism(conflicts=True, conflict_window=0.15)

    writer.execute(
        Op("update_permission_set", {"name": "DataEngineer", "before": FULL, "after": CHANGED})
    )

    assert writer.conflicts_retried > 0
    assert live(sim, "DataEngineer") == permission_set_from_doc(CHANGED)


def test_delete_waits_out_assignment_deletions(sim: Simulator, writer: Writer) -> None:
    """DeletePermissionSet conflicts until the last assignment deletion finished."""
    sso, arn = sim.client("sso-admin"), writer.ctx.names.permission_set_arn("ReadOnly")
    group_id = writer.ctx.names.group_id("Developers")
    sim.realism = Realism(async_delay=0.3)
    for account in ("444444444444", "444444444445", "444444444446"):
        sso.delete_account_assignment(
            InstanceArn=sim.instance_arn,
            TargetId=account,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=arn,
            PrincipalType="GROUP",
            PrincipalId=group_id,
        )

    writer.execute(Op("delete_permission_set", {"name": "ReadOnly"}))

    assert writer.conflicts_retried > 0
    assert live(sim, "ReadOnly") is None


def test_conflict_that_outlasts_the_retries_reports_aws_reason(
    sim: Simulator, writer: Writer
) -> None:
    with pytest.raises(AwsError) as caught:
        writer.execute(Op("delete_permission_set", {"name": "ReadOnly"}))  # still assigned

    assert caught.value.operation == "DeletePermissionSet"
    assert caught.value.resource == "delete_permission_set ReadOnly"
    assert caught.value.code == "ConflictException"
    assert caught.value.reason.startswith(
        "Could not delete because PermissionSet is still assigned"
    )
    assert writer.conflicts_retried == 7  # attempts - 1


def test_a_rejected_huge_policy_is_reported_without_echoing_it_whole(
    sim: Simulator, writer: Writer
) -> None:
    """AWS echoes the rejected value; the user needs the reason, not 40 kB of JSON."""
    statements = [
        {"Sid": f"S{i}", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": [f"arn:aws:s3:::bucket-number-{i}/*"]}
        for i in range(400)
    ]  # fmt: skip
    big = {**FULL, "inline_policy": {"Version": "2012-10-17", "Statement": statements}}
    with pytest.raises(AwsError) as caught:
        writer.execute(Op("create_permission_set", {"doc": big}))
    message = str(caught.value)
    assert "PutInlinePolicyToPermissionSet" in message and "ValidationException" in message
    assert "characters) at 'inlinePolicy' failed to satisfy constraint: " in message
    assert "Member must have length between 1 and 32768" in message
    assert len(message) < 600
