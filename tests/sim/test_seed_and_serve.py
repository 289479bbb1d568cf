"""Demo seed determinism, seed_scale sizes, `idc --sim` persistence, the served endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from reconciler.sim import Simulator, seed_demo, seed_scale
from reconciler.sim.embedded import embedded_simulator
from reconciler.sim.server import serving
from tests.conftest import IdcRunner
from tests.sim.conftest import Clients, make_clients


def listing(c: Clients) -> dict[str, Any]:
    """What a snapshot reads, minus timestamps."""
    sso, ids, org = c.sso, c.ids, c.org
    out: dict[str, Any] = {"instances": sso.list_instances()["Instances"]}
    for inst in out["instances"]:
        inst.pop("CreatedDate")
    out["accounts"] = [
        {k: a[k] for k in ("Id", "Name", "Status", "State", "Arn")}
        for a in org.list_accounts()["Accounts"]
    ]
    out["tags"] = {
        a["Id"]: org.list_tags_for_resource(ResourceId=a["Id"])["Tags"] for a in out["accounts"]
    }
    out["users"] = ids.list_users(IdentityStoreId=c.store)["Users"]
    out["groups"] = ids.list_groups(IdentityStoreId=c.store)["Groups"]
    out["memberships"] = {
        g["GroupId"]: ids.list_group_memberships(IdentityStoreId=c.store, GroupId=g["GroupId"])[
            "GroupMemberships"
        ]
        for g in out["groups"]
    }
    out["permission_sets"] = {}
    for arn in sso.list_permission_sets(InstanceArn=c.instance)["PermissionSets"]:
        args = {"InstanceArn": c.instance, "PermissionSetArn": arn}
        ps = sso.describe_permission_set(**args)["PermissionSet"]
        accounts = sso.list_accounts_for_provisioned_permission_set(**args)["AccountIds"]
        out["permission_sets"][arn] = {
            "ps": ps,
            "tags": sso.list_tags_for_resource(ResourceArn=arn)["Tags"],
            "inline": sso.get_inline_policy_for_permission_set(**args)["InlinePolicy"],
            "assignments": [
                sso.list_account_assignments(AccountId=a, **args)["AccountAssignments"]
                for a in accounts
            ],
        }
    return out


def seeded_listing() -> dict[str, Any]:
    with Simulator() as sim:
        seed_demo(sim)
        return listing(make_clients(sim))


def test_demo_seed_is_deterministic_and_complete() -> None:
    first = seeded_listing()
    assert first == seeded_listing()
    accounts = {a["Id"]: a for a in first["accounts"]}
    assert len(accounts) == 11
    assert (accounts["666666666667"]["Status"], accounts["666666666667"]["State"]) == (
        "SUSPENDED",
        "SUSPENDED",
    )
    assert {"Key": "cost center", "Value": "R&D"} in first["tags"]["333333333333"]
    alice = next(u for u in first["users"] if u["UserName"] == "alice@example.com")
    assert alice["Photos"][0]["Display"] == "Alice" and alice["Name"]["HonorificSuffix"] == "PhD"
    names = {v["ps"]["Name"] for v in first["permission_sets"].values()}
    assert names == {"AdministratorAccess", "ReadOnly", "Developer", "SecurityAudit", "Billing"}
    total = sum(len(a) for v in first["permission_sets"].values() for a in v["assignments"])
    assert total == 9 + 10 + 3 + 3 + 1 + 1 + 9 + 2 + 1


def test_seed_scale_creates_what_it_reports() -> None:
    with Simulator() as sim:
        counts = seed_scale(
            sim,
            users=300,
            groups=30,
            permission_sets=12,
            accounts=120,
            assignments=2000,
            memberships_per_user=2,
            seed=3,
        )
        assert (
            counts["users"] == 300
            and counts["assignments"] == 2000
            and counts["memberships"] == 600
        )
        c = make_clients(sim)
        accounts = [
            a for p in c.org.get_paginator("list_accounts").paginate() for a in p["Accounts"]
        ]
        assert len(accounts) == 120 + 1  # plus the management account
        users = [
            u
            for p in c.ids.get_paginator("list_users").paginate(IdentityStoreId=c.store)
            for u in p["Users"]
        ]
        assert len(users) == 300
        leaf = next(ou for ou in sim.organizations.ou if ou.id.startswith("ou-") and "-l" in ou.id)
        parents = c.org.list_parents(ChildId=leaf.id)["Parents"]
        assert parents[0]["Type"] == "ORGANIZATIONAL_UNIT"  # nested OUs
        found = 0
        for arn in c.sso.list_permission_sets(InstanceArn=c.instance)["PermissionSets"]:
            for account in c.sso.list_accounts_for_provisioned_permission_set(
                InstanceArn=c.instance, PermissionSetArn=arn
            )["AccountIds"]:
                pages = c.sso.get_paginator("list_account_assignments").paginate(
                    InstanceArn=c.instance, AccountId=account, PermissionSetArn=arn
                )
                found += sum(len(p["AccountAssignments"]) for p in pages)
        assert found == 2000


def test_embedded_state_survives_between_commands(tmp_path: Path) -> None:
    state = tmp_path / ".idc" / "sim"
    with embedded_simulator(state) as sim:
        ids = boto3.client("identitystore")
        ids.create_group(IdentityStoreId=sim.identity_store_id, DisplayName="Persisted")
        sso = boto3.client("sso-admin")
        sso.create_permission_set(
            InstanceArn=sim.instance_arn, Name="Kept", Tags=[{"Key": "a", "Value": "b"}]
        )
    assert (state / "state.pickle").exists()
    with embedded_simulator(state) as sim:
        ids = boto3.client("identitystore")
        found = ids.get_group_id(
            IdentityStoreId=sim.identity_store_id,
            AlternateIdentifier={
                "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "Persisted"}
            },
        )
        assert found["GroupId"]
        sso = boto3.client("sso-admin")
        names = []
        for arn in sso.list_permission_sets(InstanceArn=sim.instance_arn)["PermissionSets"]:
            names.append(
                sso.describe_permission_set(InstanceArn=sim.instance_arn, PermissionSetArn=arn)[
                    "PermissionSet"
                ]["Name"]
            )
        assert "Kept" in names and "AdministratorAccess" in names
        assert len(boto3.client("organizations").list_accounts()["Accounts"]) == 11


def test_served_endpoint_answers_boto3_with_the_fixes() -> None:
    with serving(port=0, seed="demo") as endpoint:
        assert endpoint.host == "127.0.0.1"
        session = boto3.Session(
            aws_access_key_id="a", aws_secret_access_key="b", region_name="eu-west-1"
        )
        config = Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=10,
        )
        sso = session.client("sso-admin", endpoint_url=endpoint.url, config=config)
        instance = sso.list_instances()["Instances"][0]["InstanceArn"]
        arn = sso.list_permission_sets(InstanceArn=instance)["PermissionSets"][0]
        assert sso.list_tags_for_resource(ResourceArn=arn)["Tags"]
        with pytest.raises(sso.exceptions.ValidationException):
            sso.list_permission_sets(InstanceArn=instance, MaxResults=500)
        org = session.client("organizations", endpoint_url=endpoint.url, config=config)
        assert len(org.list_accounts()["Accounts"]) == 11
        assert endpoint.sim.calls["sso-admin:ListPermissionSets"] == 2


def test_serve_refuses_non_loopback_hosts(idc: IdcRunner) -> None:
    result = idc("sim", "serve", "--host", "0.0.0.0", "--port", "0", "--stop-after", "0")
    assert result.exit_code == 1 and "loopback" in result.stderr


def test_cli_serve_stops_by_itself_and_reset_forgets_state(idc: IdcRunner, tmp_path: Path) -> None:
    result = idc("sim", "serve", "--port", "0", "--seed", "empty", "--stop-after", "0.1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("http://127.0.0.1:")
    state = tmp_path / ".idc" / "sim"
    with embedded_simulator(state):
        pass
    assert state.exists()
    result = idc("--repo", str(tmp_path), "sim", "reset")
    assert result.exit_code == 0 and not (state / "state.pickle").exists()
