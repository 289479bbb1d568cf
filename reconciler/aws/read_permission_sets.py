"""Permission sets with every attribute: six calls per permission set.

sso-admin has no bulk read: DescribePermissionSet (name, description,
session duration, relay state), GetInlinePolicyForPermissionSet,
ListManagedPoliciesInPermissionSet, ListCustomerManagedPolicyReferences...,
GetPermissionsBoundaryForPermissionSet and ListTagsForResource are each one
call per permission set. Readers that only need names (assignments, when
permission sets are not managed) call DescribePermissionSet alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.aws.errors import is_not_found, unless_missing
from reconciler.aws.paging import call, list_all, paginate
from reconciler.aws.read_context import ReadContext
from reconciler.errors import AwsError
from reconciler.model import CustomerManagedPolicy, PermissionsBoundary, PermissionSet

# Calls per permission set for a complete read (see module docstring).
CALLS_PER_PERMISSION_SET = 6


@dataclass(frozen=True)
class LivePermissionSet:
    arn: str
    permission_set: PermissionSet


def list_permission_set_arns(ctx: ReadContext) -> list[str]:
    arns = list(
        paginate(
            ctx.client("sso-admin"),
            "ListPermissionSets",
            "PermissionSets",
            f"instance {ctx.instance_arn}",
            InstanceArn=ctx.instance_arn,
        )
    )
    ctx.report("permission sets", 0, len(arns))
    return arns


def _boundary(raw: Mapping[str, Any] | None) -> PermissionsBoundary | None:
    if not raw:
        return None
    ref = raw.get("CustomerManagedPolicyReference")
    if ref:
        return PermissionsBoundary(
            customer_managed_policy=CustomerManagedPolicy(ref["Name"], ref.get("Path") or "/")
        )
    arn = raw.get("ManagedPolicyArn")
    return PermissionsBoundary(managed_policy_arn=arn) if arn else None


def _read_boundary(sso: Any, instance: str, arn: str, name: str) -> PermissionsBoundary | None:
    """AWS answers ResourceNotFoundException when a permission set has no
    boundary; the permission set itself was just described, so not-found here
    means "no boundary"."""
    try:
        raw = call(
            sso,
            "GetPermissionsBoundaryForPermissionSet",
            f"permission set {name}",
            InstanceArn=instance,
            PermissionSetArn=arn,
        )
    except AwsError as exc:
        if is_not_found(exc):
            return None
        raise
    return _boundary(raw.get("PermissionsBoundary"))


def describe_permission_set(ctx: ReadContext, arn: str) -> Mapping[str, Any] | None:
    """DescribePermissionSet's record; None when it was deleted meanwhile."""
    raw = unless_missing(
        lambda: call(
            ctx.client("sso-admin"),
            "DescribePermissionSet",
            f"permission set {arn}",
            InstanceArn=ctx.instance_arn,
            PermissionSetArn=arn,
        )
    )
    return None if raw is None else raw["PermissionSet"]


def read_permission_set(ctx: ReadContext, arn: str) -> LivePermissionSet | None:
    """Every attribute of one permission set; None when deleted meanwhile."""
    described = describe_permission_set(ctx, arn)
    if described is None:
        return None
    sso, instance, name = ctx.client("sso-admin"), ctx.instance_arn, described["Name"]
    where = f"permission set {name}"
    ids = {"InstanceArn": instance, "PermissionSetArn": arn}

    def rest() -> LivePermissionSet:
        inline = call(sso, "GetInlinePolicyForPermissionSet", where, **ids).get("InlinePolicy")
        managed = list_all(
            sso, "ListManagedPoliciesInPermissionSet", "AttachedManagedPolicies", where, **ids
        )
        customer = list_all(
            sso,
            "ListCustomerManagedPolicyReferencesInPermissionSet",
            "CustomerManagedPolicyReferences",
            where,
            **ids,
        )
        boundary = _read_boundary(sso, instance, arn, name)
        tags = list_all(
            sso, "ListTagsForResource", "Tags", where, InstanceArn=instance, ResourceArn=arn
        )
        return LivePermissionSet(
            arn=arn,
            permission_set=PermissionSet.build(
                name,
                description=described.get("Description") or None,
                # AWS reports its default (PT1H) like any other value.
                session_duration=described.get("SessionDuration") or None,
                relay_state=described.get("RelayState") or None,
                managed_policies=[m["Arn"] for m in managed],
                customer_managed_policies=[
                    CustomerManagedPolicy(c["Name"], c.get("Path") or "/") for c in customer
                ],
                # An empty string is AWS's "no inline policy".
                inline_policy=inline or None,
                permissions_boundary=boundary,
                tags={t["Key"]: t.get("Value", "") for t in tags},
            ),
        )

    return unless_missing(rest)


def read_permission_sets(ctx: ReadContext, arns: list[str]) -> list[LivePermissionSet]:
    """Every attribute of every permission set (6 calls each)."""
    return ctx.fan_out(
        "sso-admin", "permission sets", lambda arn: read_permission_set(ctx, arn), arns
    )


def read_permission_set_names(ctx: ReadContext, arns: list[str]) -> dict[str, str]:
    """ARN -> name only (1 call each), for reads that need no attributes."""

    def name_of(arn: str) -> tuple[str, str] | None:
        described = describe_permission_set(ctx, arn)
        return None if described is None else (arn, described["Name"])

    return dict(ctx.fan_out("sso-admin", "permission sets", name_of, arns))
