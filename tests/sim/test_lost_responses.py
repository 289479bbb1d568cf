"""FaultRule(after_effect=True): the write happens, its response is lost.

The client sees the rule's error (500 InternalServerException by default)
although AWS made the change, so its retry meets the first attempt's effect.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from reconciler.sim import FaultRule
from reconciler.sim.embedded import embedded_simulator
from tests.sim.conftest import Clients, error_of


def test_a_lost_create_happened_and_its_retry_conflicts(demo: Clients) -> None:
    rule = FaultRule("identitystore:CreateGroup", after_effect=True, times=1)
    demo.sim.realism.faults = [rule]
    with pytest.raises(ClientError) as exc:
        demo.ids.create_group(IdentityStoreId=demo.store, DisplayName="Lost")
    error = error_of(exc)
    assert (error["Code"], error["HTTPStatusCode"]) == ("InternalServerException", 500)
    assert rule.fired == 1
    found = demo.ids.get_group_id(
        IdentityStoreId=demo.store,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "Lost"}
        },
    )
    assert found["GroupId"]
    with pytest.raises(ClientError) as exc:
        demo.ids.create_group(IdentityStoreId=demo.store, DisplayName="Lost")
    assert error_of(exc)["Code"] == "ConflictException"


def test_a_lost_delete_happened_and_its_retry_is_not_found(demo: Clients) -> None:
    group = demo.ids.create_group(IdentityStoreId=demo.store, DisplayName="Doomed")["GroupId"]
    demo.sim.realism.faults = [
        FaultRule("DeleteGroup", code="ServiceUnavailableException", status=503, after_effect=True)
    ]
    with pytest.raises(ClientError) as exc:
        demo.ids.delete_group(IdentityStoreId=demo.store, GroupId=group)
    assert error_of(exc)["HTTPStatusCode"] == 503
    demo.sim.realism.faults = []
    with pytest.raises(ClientError) as exc:
        demo.ids.describe_group(IdentityStoreId=demo.store, GroupId=group)
    assert error_of(exc)["Code"] == "ResourceNotFoundException"


def test_a_lost_assignment_was_made(demo: Clients) -> None:
    ps = demo.sso.create_permission_set(InstanceArn=demo.instance, Name="LostOps")
    arn = ps["PermissionSet"]["PermissionSetArn"]
    group = demo.ids.create_group(IdentityStoreId=demo.store, DisplayName="LostOps")["GroupId"]
    demo.sim.realism.faults = [
        FaultRule("CreateAccountAssignment", after_effect=True, resource="555555555555", times=1)
    ]
    with pytest.raises(ClientError) as exc:
        demo.sso.create_account_assignment(
            InstanceArn=demo.instance,
            TargetId="555555555555",
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=arn,
            PrincipalType="GROUP",
            PrincipalId=group,
        )
    assert error_of(exc)["Code"] == "InternalServerException"
    listed = demo.sso.list_account_assignments(
        InstanceArn=demo.instance, AccountId="555555555555", PermissionSetArn=arn
    )
    assert [a["PrincipalId"] for a in listed["AccountAssignments"]] == [group]


def test_after_effect_from_the_environment_is_kept_by_idc_sim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = '{"operation": "CreateGroup", "after_effect": true, "times": 1}'
    monkeypatch.setenv("IDC_SIM_REALISM", '{"faults": [' + rule + "]}")
    with embedded_simulator(tmp_path) as sim, pytest.raises(ClientError):
        sim.client("identitystore").create_group(
            IdentityStoreId=sim.identity_store_id, DisplayName="Kept"
        )
    monkeypatch.delenv("IDC_SIM_REALISM")
    with embedded_simulator(tmp_path) as sim:
        groups = sim.client("identitystore").list_groups(IdentityStoreId=sim.identity_store_id)
    assert "Kept" in {g["DisplayName"] for g in groups["Groups"]}
