"""Seed the simulator: the fixed demo organization, or a large random one.

Both write straight into the backends (no API calls), so seeding is fast,
never counted as product calls, and untouched by realism. Ids that a
snapshot records (instance, identity store, root, OUs, accounts) are fixed;
user, group and permission set ids come from moto's random source seeded
here, so two seeds of the demo produce identical API responses.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from moto.moto_api._internal import mock_random

from reconciler.desired.yaml_io import load_yaml
from reconciler.model import PermissionSet, State, User
from reconciler.model.accounts import ou_name
from reconciler.model.codec import group_from_doc, permission_set_from_doc, user_from_doc
from reconciler.sim import org_builder, sts
from reconciler.sim.simulator import Simulator

DEMO_FILE = Path(__file__).with_name("data") / "demo.yaml"
DEMO_SEED = 20240601


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


NAME_FIELDS = {
    "formatted": "Formatted",
    "family": "FamilyName",
    "given": "GivenName",
    "middle": "MiddleName",
    "honorific_prefix": "HonorificPrefix",
    "honorific_suffix": "HonorificSuffix",
}


def _record(value: Any) -> dict[str, Any]:
    return {
        _pascal(f.name): getattr(value, f.name)
        for f in fields(value)
        if getattr(value, f.name) is not None
    }


def user_document(user: User) -> dict[str, Any]:
    """A model User as the Identity Store's CreateUser/DescribeUser document."""
    doc: dict[str, Any] = {"UserName": user.user_name}
    if user.name:
        doc["Name"] = {NAME_FIELDS[k]: v for k, v in vars(user.name).items() if v is not None}
    for attr in (
        "display_name",
        "nick_name",
        "profile_url",
        "title",
        "user_type",
        "preferred_language",
        "locale",
        "timezone",
        "website",
        "birthdate",
    ):
        if getattr(user, attr) is not None:
            doc[_pascal(attr)] = getattr(user, attr)
    for attr in ("emails", "phone_numbers", "addresses", "roles", "photos", "external_ids"):
        if getattr(user, attr):
            doc[_pascal(attr)] = [_record(v) for v in getattr(user, attr)]
    return doc


def add_permission_set(sim: Simulator, ps: PermissionSet) -> str:
    backend = sim.sso_admin
    arn = sim.instance_arn
    tags = [{"Key": k, "Value": v} for k, v in ps.tags]
    created = backend.create_permission_set(
        ps.name, ps.description, arn, ps.session_duration or "PT1H", ps.relay_state, tags
    )
    ps_arn: str = created["PermissionSetArn"]
    obj = backend.find_by_arn(ps_arn)
    if ps.inline_policy:
        obj.inline_policy = json.dumps(ps.inline_policy_document, indent=2)
    for policy_arn in ps.managed_policies:
        backend.attach_managed_policy_to_permission_set(arn, ps_arn, policy_arn)
    for cmp in ps.customer_managed_policies:
        backend.attach_customer_managed_policy_reference_to_permission_set(
            arn, ps_arn, {"Name": cmp.name, "Path": cmp.path}
        )
    pb = ps.permissions_boundary
    if pb is not None:
        if pb.managed_policy_arn:
            backend.put_boundary(obj, {"ManagedPolicyArn": pb.managed_policy_arn})
        elif pb.customer_managed_policy is not None:
            ref = pb.customer_managed_policy
            backend.put_boundary(
                obj, {"CustomerManagedPolicyReference": {"Name": ref.name, "Path": ref.path}}
            )
    obj.version = 1
    obj.created_date = org_builder.EPOCH_SECONDS
    return ps_arn


DEMO_ROLE = "idc-apply"  # trusted by the simulated account: try `--role-arn` with it


def seed_demo(sim: Simulator) -> None:
    """Seed reconciler/sim/data/demo.yaml exactly, and the role DEMO_ROLE."""
    sts.add_role(DEMO_ROLE, sts.account_trust(sim.account_id))
    mock_random.seed(DEMO_SEED)
    demo = load_yaml(DEMO_FILE)
    org = demo["organization"]
    backend = sim.organizations
    org_builder.ensure_organization(backend, "o-demo9067ab", str(org["root_id"]))
    paths = {"/Root": str(org["root_id"])}
    for unit in sorted(org["org_units"], key=lambda u: str(u["path"]).count("/")):
        parent, _, name = str(unit["path"]).rpartition("/")
        org_builder.add_org_unit(backend, str(unit["id"]), ou_name(name), paths[parent])
        paths[str(unit["path"])] = str(unit["id"])
    for index, account in enumerate(org["accounts"], start=1):
        tags = {str(k): str(v) for k, v in (account.get("tags") or {}).items()}
        if str(account["id"]) == str(org["management_account"]):
            org_builder.configure_management(backend, str(account["name"]), tags)
            continue
        org_builder.add_account(
            backend,
            str(account["id"]),
            str(account["name"]),
            paths[str(account["ou"])],
            tags,
            state=str(account.get("status", "ACTIVE")),
            index=index,
        )
    store = sim.identity_store
    user_ids = {}
    for doc in demo["users"]:
        user = user_from_doc(doc)
        user_ids[user.user_name] = store.put_user(user_document(user))
    group_ids = {}
    for doc in demo["groups"]:
        group, members = group_from_doc(doc)
        body = {"DisplayName": group.name}
        if group.description:
            body["Description"] = group.description
        group_ids[group.name] = store.put_group(body)
        for member in members:
            store.add_membership(group_ids[group.name], user_ids[member])
    ps_arns = {}
    for doc in demo["permission_sets"]:
        ps = permission_set_from_doc(doc)
        ps_arns[ps.name] = add_permission_set(sim, ps)
    for rule in demo["assignments"]:
        principals = [("GROUP", group_ids[g]) for g in rule.get("groups") or ()]
        principals += [("USER", user_ids[u]) for u in rule.get("users") or ()]
        for account in rule["accounts"]:
            for ptype, pid in principals:
                sim.sso_admin.add_assignment(
                    (ps_arns[rule["permission_set"]], str(account), ptype, pid), 0.0
                )


def seed_organization(sim: Simulator, state: State) -> None:
    """Give an empty simulator the organization a snapshot recorded (OUs,
    accounts with their names, tags and status), and nothing else, so a
    backup can be restored into it (`idc restore --test`) with every
    assignment finding its account. The simulated management account keeps
    its id; a snapshot's other management account becomes a member account."""
    backend = sim.organizations
    root = next((u.id for u in state.org_units.values() if u.path == "/Root"), "r-root")
    org_builder.ensure_organization(backend, "o-restoretest", root)
    paths = {"/Root": root}
    for unit in sorted(state.org_units.values(), key=lambda u: (u.path.count("/"), u.path)):
        if unit.path == "/Root":
            continue
        parent = unit.path.rpartition("/")[0]  # canonical: the last / separates
        org_builder.add_org_unit(backend, unit.id, unit.name, paths.get(parent, root))
        paths[unit.path] = unit.id
    management = backend.org.master_account_id
    for index, account in enumerate(state.sorted_accounts(), start=1):
        tags = dict(account.tags)
        if account.id == management:
            org_builder.configure_management(backend, account.name, tags)
            continue
        org_builder.add_account(
            backend,
            account.id,
            account.name,
            paths.get(account.ou_path, root),
            tags,
            state=account.status,
            index=index,
        )
