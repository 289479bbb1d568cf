"""Build an Organization with chosen ids straight into moto's backend.

The demo needs fixed root, OU and account ids (a snapshot must be identical
on every run) and the scale seed needs a thousand accounts in seconds;
moto's CreateAccount draws random ids and creates an IAM role per account,
so accounts are constructed here with exactly the fields moto's model has.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from moto.organizations import utils as org_utils
from moto.organizations.models import (
    FakeAccount,
    FakeOrganizationalUnit,
    OrganizationsBackend,
    organizations_backends,
)

EPOCH = datetime(2020, 1, 1)  # naive UTC, as moto's models keep times
EPOCH_SECONDS = 1577836800.0
DEFAULT_POLICIES = (org_utils.DEFAULT_SCP_POLICY_ID, org_utils.DEFAULT_RCP_POLICY_ID)


def ensure_organization(backend: OrganizationsBackend, org_id: str, root_id: str) -> None:
    """Create the organization (if none) and give it the chosen ids."""
    if backend.org is None:
        backend.create_organization(region="us-east-1", FeatureSet="ALL")
    org = backend.org
    assert org is not None
    old_root = org.root_id
    org.id, org.root_id = org_id, root_id
    for unit in backend.ou:
        if unit.id == old_root:
            unit.id = root_id
        unit.organization_id = org_id
        if unit.parent_id == old_root:
            unit.parent_id = root_id
    for account in backend.accounts:
        account.organization_id = org_id
        if account.parent_id == old_root:
            account.parent_id = root_id


def add_org_unit(backend: OrganizationsBackend, ou_id: str, name: str, parent_id: str) -> None:
    unit = FakeOrganizationalUnit(backend.org, Name=name, ParentId=parent_id)  # type: ignore[arg-type]
    unit.id = ou_id
    backend.ou.append(unit)
    for policy_id in DEFAULT_POLICIES:
        backend.attach_policy(PolicyId=policy_id, TargetId=ou_id)


def add_account(
    backend: OrganizationsBackend,
    account_id: str,
    name: str,
    parent_id: str,
    tags: dict[str, str],
    state: str = "ACTIVE",
    index: int = 0,
) -> None:
    """An account as moto models it, without moto's per-account IAM side effects."""
    org = backend.org
    assert org is not None
    account: Any = FakeAccount.__new__(FakeAccount)
    account.type = "ACCOUNT"
    account.region = org.region
    account.organization_id = org.id
    account.master_account_id = org.master_account_id
    account.create_account_status_id = f"car-{account_id}"
    account.id = account_id
    account.name = name
    account.email = f"aws+{name}@example.com"
    account.create_time = EPOCH + timedelta(minutes=index)
    account.status = "SUSPENDED" if state == "SUSPENDED" else "ACTIVE"
    account.state = state
    account.joined_method = "CREATED"
    account.parent_id = parent_id
    account.attached_policies = []
    account.tags = dict(tags)
    backend.accounts.append(account)
    for policy_id in DEFAULT_POLICIES:
        backend.attach_policy(PolicyId=policy_id, TargetId=account_id)
    organizations_backends.master_accounts[account_id] = (org.master_account_id, backend.partition)


def configure_management(backend: OrganizationsBackend, name: str, tags: dict[str, str]) -> None:
    org = backend.org
    assert org is not None
    account = backend.get_account_by_id(org.master_account_id)
    account.name, account.tags, account.create_time = name, dict(tags), EPOCH
    account.email = f"aws+{name}@example.com"
    account.parent_id = org.root_id
