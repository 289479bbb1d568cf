"""The Organizations inventory: accounts with state, OU path and tags; OUs.

Account filters (`ou:/Root/Prod`, `tag:env=prod`) expand against this, so it
must be complete and exact. We walk the OU tree from the root, level by
level: per parent one ListOrganizationalUnitsForParent and one
ListAccountsForParent (20 per page, Organizations' maximum). That reads every
account once together with its OU path, which ListAccounts cannot give
without a ListParents call per account. Tags cost one ListTagsForResource per
account; nothing lists them in bulk. OU names may hold `/`: paths encode it
(model.accounts), so `Prod/Legacy` beside `Prod` never reads as inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.aws.errors import unless_missing
from reconciler.aws.paging import call, list_all
from reconciler.aws.read_context import ReadContext
from reconciler.model import Account, OrgUnit
from reconciler.model.accounts import ou_child_path, ou_segment


def account_status(raw: Mapping[str, Any]) -> str:
    """`State` (ACTIVE, SUSPENDED, CLOSED, ...); `Status` retires in 2026
    and is only the fallback for older responses."""
    return str(raw.get("State") or raw.get("Status") or "ACTIVE")


def _children(ctx: ReadContext, parent: OrgUnit) -> tuple[list[OrgUnit], list[dict[str, Any]]]:
    """Child OUs and the accounts directly in `parent` ([] if it vanished)."""
    org = ctx.client("organizations")
    where = f"OU {parent.path} ({parent.id})"
    ous = unless_missing(
        lambda: list_all(
            org,
            "ListOrganizationalUnitsForParent",
            "OrganizationalUnits",
            where,
            ParentId=parent.id,
        )
    )
    accounts = unless_missing(
        lambda: list_all(org, "ListAccountsForParent", "Accounts", where, ParentId=parent.id)
    )
    children = [OrgUnit(ou["Id"], ou_child_path(parent.path, ou["Name"])) for ou in ous or ()]
    return children, [dict(a, OuPath=parent.path) for a in accounts or ()]


def _tags(ctx: ReadContext, account_id: str) -> tuple[tuple[str, str], ...] | None:
    tags = unless_missing(
        lambda: list_all(
            ctx.client("organizations"),
            "ListTagsForResource",
            "Tags",
            f"account {account_id}",
            ResourceId=account_id,
        )
    )
    return None if tags is None else tuple(sorted((t["Key"], t.get("Value", "")) for t in tags))


@dataclass(frozen=True)
class OrgTree:
    """The walked tree: OUs and the raw account records, before tags."""

    management_account_id: str
    org_units: tuple[OrgUnit, ...]
    raw_accounts: tuple[dict[str, Any], ...]


def walk_organization(ctx: ReadContext) -> OrgTree:
    """Management account, every OU with its path, every account with its OU."""
    org = ctx.client("organizations")
    described = call(org, "DescribeOrganization", "organization")["Organization"]
    roots = list_all(org, "ListRoots", "Roots", "organization")
    level = [OrgUnit(r["Id"], "/" + ou_segment(r.get("Name") or "Root")) for r in roots]
    units: list[OrgUnit] = []
    by_id: dict[str, dict[str, Any]] = {}
    while level:
        units.extend(level)
        found = ctx.fan_out(
            "organizations", "organizational units", lambda p: _children(ctx, p), level
        )
        level = [ou for children, _ in found for ou in children]
        for _, accounts in found:
            for raw in accounts:
                # An account moved mid-walk may show up twice; keep one.
                by_id.setdefault(raw["Id"], raw)
    return OrgTree(
        management_account_id=str(described.get("MasterAccountId", "")),
        org_units=tuple(sorted(units)),
        raw_accounts=tuple(by_id[k] for k in sorted(by_id)),
    )


def read_accounts(ctx: ReadContext, tree: OrgTree) -> list[Account]:
    """Every account of the walked tree with its tags."""

    def with_tags(raw: dict[str, Any]) -> Account | None:
        tags = _tags(ctx, raw["Id"])
        if tags is None:
            return None  # left the organization while we read
        return Account(
            id=raw["Id"],
            name=raw.get("Name", ""),
            status=account_status(raw),
            ou_path=raw["OuPath"],
            tags=tags,
        )

    return ctx.fan_out("organizations", "accounts", with_tags, tree.raw_accounts)
