"""Pagination the way these AWS APIs do it, with the limits their models set.

moto pages some operations by a "unique attribute" (which breaks when two
items share it, e.g. accounts joined in the same second) and ignores
MaxResults upper bounds. Here a token is an opaque offset into a listing the
simulator always produces in a stable order, and MaxResults outside the
model's range is rejected server-side as AWS does (botocore only checks min).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar

from reconciler.sim.awserrors import SimAwsError, validation

T = TypeVar("T")

# service -> operation -> (MaxResults max, default page size); AWS-NOTES section 2.
PAGE_LIMITS: dict[str, dict[str, tuple[int, int]]] = {
    "sso-admin": {
        op: (100, 100)
        for op in (
            "ListInstances",
            "ListPermissionSets",
            "ListAccountAssignments",
            "ListAccountAssignmentsForPrincipal",
            "ListAccountsForProvisionedPermissionSet",
            "ListPermissionSetsProvisionedToAccount",
            "ListManagedPoliciesInPermissionSet",
            "ListCustomerManagedPolicyReferencesInPermissionSet",
            "ListAccountAssignmentCreationStatus",
            "ListAccountAssignmentDeletionStatus",
            "ListPermissionSetProvisioningStatus",
        )
    },
    "identitystore": {
        op: (100, 100)
        for op in (
            "ListUsers",
            "ListGroups",
            "ListGroupMemberships",
            "ListGroupMembershipsForMember",
        )
    },
    "organizations": {
        op: (20, 20)
        for op in (
            "ListAccounts",
            "ListAccountsForParent",
            "ListOrganizationalUnitsForParent",
            "ListRoots",
            "ListChildren",
            "ListParents",
        )
    },
}


def max_results_error(service: str, operation: str, body: dict[str, Any]) -> SimAwsError | None:
    """The error AWS returns for a MaxResults above the model's maximum."""
    limits = PAGE_LIMITS.get(service, {}).get(operation)
    value = body.get("MaxResults")
    if limits is None or value is None:
        return None
    if isinstance(value, int) and 1 <= value <= limits[0]:
        return None
    message = (
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy "
        f"constraint: Member must have value less than or equal to {limits[0]}"
    )
    if service == "organizations":
        return SimAwsError("InvalidInputException", message, Reason="MAX_VALUE_EXCEEDED")
    return validation(message)


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        kind, _, number = text.partition(":")
        if kind != "offset" or int(number) < 0:
            raise ValueError(token)
        return int(number)
    except (ValueError, UnicodeDecodeError):
        raise validation("The NextToken is invalid or expired") from None


def page(
    items: Sequence[T], max_results: int | None, next_token: str | None, default: int = 100
) -> tuple[list[T], str | None]:
    """One page of `items` and the token for the next page (None on the last)."""
    start = decode_token(next_token)
    size = max_results or default
    chunk = list(items[start : start + size])
    end = start + len(chunk)
    return chunk, (encode_token(end) if end < len(items) else None)
