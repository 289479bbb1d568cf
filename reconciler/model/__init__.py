"""Frozen value objects for Identity Center resources, keyed by natural keys. No I/O."""

from reconciler.model.accounts import Account, OrgUnit
from reconciler.model.assignments import PRINCIPAL_TYPES, Assignment, PrincipalType
from reconciler.model.groups import Group, Membership
from reconciler.model.permission_sets import (
    CustomerManagedPolicy,
    PermissionsBoundary,
    PermissionSet,
    duration_seconds,
    normalize_duration,
)
from reconciler.model.policies import canonical_json, policy_identity
from reconciler.model.state import KINDS, State, StateMeta
from reconciler.model.users import (
    USER_WRITABLE_FIELDS,
    Address,
    ExternalId,
    PersonName,
    Photo,
    TypedValue,
    User,
)

__all__ = [
    "KINDS",
    "PRINCIPAL_TYPES",
    "USER_WRITABLE_FIELDS",
    "Account",
    "Address",
    "Assignment",
    "CustomerManagedPolicy",
    "ExternalId",
    "Group",
    "Membership",
    "OrgUnit",
    "PermissionSet",
    "PermissionsBoundary",
    "PersonName",
    "Photo",
    "PrincipalType",
    "State",
    "StateMeta",
    "TypedValue",
    "User",
    "canonical_json",
    "duration_seconds",
    "normalize_duration",
    "policy_identity",
]
