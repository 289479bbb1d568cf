"""Every account assignment, resolved to permission set and principal names.

ListAccountAssignments needs both an account and a permission set, so there
are two complete readings, and the cheaper one depends on the organization:

- per pair: one ListAccountAssignments per (permission set, account it is
  provisioned to). Creating an assignment provisions the permission set to
  the account, so the provisioned pairs (already read) cover every
  assignment. Cost: one call per provisioned pair, plus one per further 100
  principals in a pair.
- per principal: one ListAccountAssignmentsForPrincipal per user and per
  group (both lists already read). Cost: one call per principal, plus one per
  further 100 assignments of a principal. Only valid for an organization
  instance read from the management account (or a delegated admin).

The estimate compares the first-page counts, which are exact: provisioned
pairs against users + groups. Further pages are bounded by assignments/100 on
either side and cannot be known before reading, so they are left out.
Many accounts with broad permission sets (1,000 accounts x 100 permission
sets) favour per principal; few users and groups favour per pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.aws.errors import unless_missing
from reconciler.aws.paging import list_all
from reconciler.aws.read_context import ReadContext
from reconciler.model import Assignment, Group, User


@dataclass(frozen=True)
class AssignmentStrategy:
    name: str  # "per-pair" | "per-principal"
    per_pair_calls: int
    per_principal_calls: int

    def describe(self) -> str:
        return (
            f"assignments: {self.name} (estimated calls: per-pair {self.per_pair_calls} "
            f"= provisioned pairs, per-principal {self.per_principal_calls} = users + groups)"
        )


def choose_assignment_strategy(
    provisioned_pairs: int, users: int, groups: int
) -> AssignmentStrategy:
    principals = users + groups
    name = "per-principal" if principals < provisioned_pairs else "per-pair"
    return AssignmentStrategy(name, provisioned_pairs, principals)


def list_pair_assignments(
    sso: Any, instance: str, arn: str, account: str, ps_name: str
) -> list[dict[str, Any]] | None:
    """AWS's assignments of one permission set in one account (one
    ListAccountAssignments, paged); None when either is gone meanwhile."""
    items: list[dict[str, Any]] | None = unless_missing(
        lambda: list_all(
            sso,
            "ListAccountAssignments",
            "AccountAssignments",
            f"permission set {ps_name} in account {account}",
            InstanceArn=instance,
            AccountId=account,
            PermissionSetArn=arn,
        )
    )
    return items


def read_assignments(
    ctx: ReadContext,
    ps_names: Mapping[str, str],
    provisioned: Mapping[str, set[str]],
    users: Mapping[str, User],
    groups: Mapping[str, Group],
) -> set[Assignment]:
    """Every assignment whose permission set and principal the snapshot holds
    (an assignment to something created or deleted meanwhile is left out)."""
    pairs = [(arn, account) for arn in sorted(provisioned) for account in sorted(provisioned[arn])]
    strategy = choose_assignment_strategy(len(pairs), len(users), len(groups))
    ctx.note(strategy.describe())
    sso, instance = ctx.client("sso-admin"), ctx.instance_arn

    def resolve(items: list[dict[str, Any]]) -> list[Assignment]:
        out = []
        for item in items:
            ps = ps_names.get(item["PermissionSetArn"])
            kind, pid = item["PrincipalType"], item["PrincipalId"]
            principal = (
                users[pid].user_name
                if kind == "USER" and pid in users
                else groups[pid].name
                if kind == "GROUP" and pid in groups
                else None
            )
            if ps is not None and principal is not None:
                out.append(Assignment(ps, kind, principal, item["AccountId"]))
        return out

    def of_pair(pair: tuple[str, str]) -> list[Assignment] | None:
        arn, account = pair
        items = list_pair_assignments(sso, instance, arn, account, ps_names.get(arn, arn))
        return None if items is None else resolve(items)

    def of_principal(principal: tuple[str, str, str]) -> list[Assignment] | None:
        kind, pid, label = principal
        items = unless_missing(
            lambda: list_all(
                sso,
                "ListAccountAssignmentsForPrincipal",
                "AccountAssignments",
                f"{kind.lower()} {label}",
                InstanceArn=instance,
                PrincipalId=pid,
                PrincipalType=kind,
            )
        )
        return None if items is None else resolve(items)

    if strategy.name == "per-pair":
        chunks = ctx.fan_out("sso-admin", "assignments", of_pair, pairs)
    else:
        principals = [("GROUP", gid, g.name) for gid, g in groups.items()]
        principals += [("USER", uid, u.user_name) for uid, u in users.items()]
        chunks = ctx.fan_out("sso-admin", "assignments", of_principal, principals)
    return {a for chunk in chunks for a in chunk}
