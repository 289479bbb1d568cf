"""Least-privilege IAM policies for idc's three jobs: snapshot, plan, apply.

The CI workflows assume one role per job (IDC_SNAPSHOT_ROLE_ARN,
IDC_PLAN_ROLE_ARN, IDC_APPLY_ROLE_ARN). Granting `sso:*` to a pull-request
plan would let any workflow change on a branch rewrite Identity Center, so
each role gets exactly the API operations its job calls, named one by one (a
wildcard like `sso:List*` silently grows when AWS adds operations).

This is knowledge about the AWS APIs the reader and writer call, kept here as
data beside them; tests/cli/test_iam_policy.py runs every job against the
simulator, records each operation called and fails when one is missing here
or when a read job's policy lists an operation it never calls.

Both read strategies are listed (ListAccountAssignments per pair and
ListAccountAssignmentsForPrincipal; ListGroupMemberships per group and
ListGroupMembershipsForMember; provisioning per permission set or per
account): which one runs depends on the organization's size, so a role
lacking one would work today and fail after the organization grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JOBS: tuple[str, ...] = ("snapshot", "plan", "apply")

# boto3 service name -> IAM action prefix. sso-admin is authorized as `sso:`.
IAM_PREFIX: dict[str, str] = {
    "sso-admin": "sso",
    "identitystore": "identitystore",
    "organizations": "organizations",
    "s3": "s3",
    "sns": "sns",
    "iam": "iam",
    "kms": "kms",
}

# Calls that need no permission: AWS answers GetCallerIdentity for any caller.
FREE_CALLS: frozenset[str] = frozenset({"sts:GetCallerIdentity"})

# Operations authorized by another action than their own name.
ACTION_OF_CALL: dict[str, str] = {
    "s3:HeadObject": "s3:GetObject",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:DeleteObjects": "s3:DeleteObject",
    "s3:CreateMultipartUpload": "s3:PutObject",
    "s3:UploadPart": "s3:PutObject",
    "s3:CompleteMultipartUpload": "s3:PutObject",
}

# What snapshot and plan read (reconciler.aws.reader and its read_* modules).
READS: dict[str, tuple[str, ...]] = {
    "sso-admin": (
        "ListInstances",
        "ListPermissionSets",
        "DescribePermissionSet",
        "GetInlinePolicyForPermissionSet",
        "ListManagedPoliciesInPermissionSet",
        "ListCustomerManagedPolicyReferencesInPermissionSet",
        "GetPermissionsBoundaryForPermissionSet",
        "ListTagsForResource",
        "ListAccountsForProvisionedPermissionSet",
        "ListPermissionSetsProvisionedToAccount",
        "ListAccountAssignments",
        "ListAccountAssignmentsForPrincipal",
    ),
    "identitystore": (
        "ListUsers",
        "ListGroups",
        "ListGroupMemberships",
        "ListGroupMembershipsForMember",
    ),
    "organizations": (
        "DescribeOrganization",
        "ListRoots",
        "ListOrganizationalUnitsForParent",
        "ListAccountsForParent",
        "ListTagsForResource",
    ),
}

# What only the writer reads: ids by name, async request status, and the
# checks behind resume and rollback (reconciler.aws.write_*).
WRITER_READS: dict[str, tuple[str, ...]] = {
    "sso-admin": (
        "DescribeAccountAssignmentCreationStatus",
        "DescribeAccountAssignmentDeletionStatus",
        "DescribePermissionSetProvisioningStatus",
        "ListAccountAssignmentCreationStatus",
        "ListAccountAssignmentDeletionStatus",
        "ListPermissionSetProvisioningStatus",
    ),
    "identitystore": (
        "GetUserId",
        "GetGroupId",
        "GetGroupMembershipId",
        "DescribeUser",
        "DescribeGroup",
    ),
}

# What apply and rollback change.
WRITES: dict[str, tuple[str, ...]] = {
    "sso-admin": (
        "CreatePermissionSet",
        "UpdatePermissionSet",
        "DeletePermissionSet",
        "PutInlinePolicyToPermissionSet",
        "DeleteInlinePolicyFromPermissionSet",
        "AttachManagedPolicyToPermissionSet",
        "DetachManagedPolicyFromPermissionSet",
        "AttachCustomerManagedPolicyReferenceToPermissionSet",
        "DetachCustomerManagedPolicyReferenceFromPermissionSet",
        "PutPermissionsBoundaryToPermissionSet",
        "DeletePermissionsBoundaryFromPermissionSet",
        "TagResource",
        "UntagResource",
        "ProvisionPermissionSet",
        "CreateAccountAssignment",
        "DeleteAccountAssignment",
    ),
    "identitystore": (
        "CreateUser",
        "UpdateUser",
        "DeleteUser",
        "CreateGroup",
        "UpdateGroup",
        "DeleteGroup",
        "CreateGroupMembership",
        "DeleteGroupMembership",
    ),
}

# What only restore reads (its compatibility check, reconciler.aws.read_policies):
# whether the AWS managed policies a backup attaches exist. Granted with
# apply's writes, on AWS managed policies only.
RESTORE_READS: dict[str, tuple[str, ...]] = {"iam": ("GetPolicy",)}

# The cross-machine apply lock (reconciler.aws.s3_lock, a lease): conditional
# puts to take, take over and renew it, GetObject to read its holder and
# expiry, a conditional delete on release and in `idc unlock` (conditional
# requests need no permission of their own). No s3:ListBucket: it would
# expose the whole bucket, and its only use is turning a 403 into a 404 for
# a lock deleted by hand (a renewal treats that as a lost lock anyway).
S3_LOCK_ACTIONS: tuple[str, ...] = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")

# Exported backups under one S3 prefix (reconciler.aws.s3_objects): listing
# is granted on the bucket for that prefix only (the s3:prefix condition),
# objects under the prefix only. Reading (import, restore and history diff of
# a backup) is for every job; writing (export, prune) only for the jobs that
# may change things, never for the pull-request plan.
BACKUP_READ_ACTIONS: tuple[str, ...] = ("s3:GetObject",)
BACKUP_WRITE_ACTIONS: tuple[str, ...] = (
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
)
BACKUP_WRITERS: frozenset[str] = frozenset({"snapshot", "apply"})

# `encryption.key: kms:...` (reconciler.aws.kms_keys): envelope encryption of
# backups and of personal fields in state/. Every job may need both: a
# snapshot makes the fields' data key once, later runs only unwrap it, and
# export makes one data key per backup. Granted on that one key only.
KMS_KEY_ACTIONS: dict[str, tuple[str, ...]] = {"kms": ("GenerateDataKey", "Decrypt")}

# Assigning or provisioning in the management account: Identity Center acts
# there with the caller's own IAM permissions on the AWSReservedSSO_* roles
# (path aws-reserved/sso.amazonaws.com/) and the AWSSSO_* SAML provider
# (docs/aws.md; the exact list is not in AWS's docs).
MANAGEMENT_ROLE_ACTIONS: tuple[str, ...] = (
    "iam:GetRole",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:ListRolePolicies",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
)
MANAGEMENT_SAML_ACTIONS: tuple[str, ...] = (
    "iam:GetSAMLProvider",
    "iam:CreateSAMLProvider",
    "iam:UpdateSAMLProvider",
    "iam:DeleteSAMLProvider",
)

_SIDS = {"sso-admin": "IdentityCenter", "identitystore": "IdentityStore"}
_ORG_SID = "OrganizationsRead"


@dataclass(frozen=True)
class PolicyOptions:
    """What the role does beyond its job: lock, notify, management account."""

    s3_lock: tuple[str, str] | None = None  # (bucket, key)
    sns_topic: str | None = None
    management_account: bool = False
    partition: str = "aws"
    kms_key: str | None = None  # the ref of `kms:REF` (key id, key ARN, alias, alias ARN)
    backups: tuple[str, str] | None = None  # (bucket, prefix) of exported backups


def action(service: str, operation: str) -> str:
    """`sso-admin`, `ListInstances` -> `sso:ListInstances`."""
    return f"{IAM_PREFIX[service]}:{operation}"


def action_for_call(call: str) -> str | None:
    """The IAM action a recorded `service:Operation` call needs (None: none)."""
    if call in FREE_CALLS:
        return None
    service, operation = call.split(":", 1)
    return ACTION_OF_CALL.get(call, action(service, operation))


def _statement(sid: str, actions: list[str], resources: list[str] | str = "*") -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}


def kms_key_statement(ref: str, partition: str = "aws") -> dict[str, Any]:
    """kms:GenerateDataKey and kms:Decrypt on one key. IAM matches a key ARN
    only, never an alias: an alias is granted on the keys it names through
    the kms:ResourceAliases condition key."""
    actions = [f"kms:{op}" for op in KMS_KEY_ACTIONS["kms"]]
    alias = ref.split(":", 5)[-1] if ref.startswith("arn:") else ref
    if alias.startswith("alias/"):
        statement = _statement("EncryptionKey", actions, f"arn:{partition}:kms:*:*:key/*")
        statement["Condition"] = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}}
        return statement
    if ref.startswith("arn:"):
        return _statement("EncryptionKey", actions, ref)
    return _statement("EncryptionKey", actions, f"arn:{partition}:kms:*:*:key/{ref}")


def backup_statements(
    job: str, bucket: str, prefix: str, partition: str = "aws"
) -> list[dict[str, Any]]:
    """Listing and objects under `prefix` of `bucket`; writes for BACKUP_WRITERS."""
    listing = _statement("BackupList", ["s3:ListBucket"], f"arn:{partition}:s3:::{bucket}")
    listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
    actions = list(BACKUP_READ_ACTIONS)
    if job in BACKUP_WRITERS:
        actions += BACKUP_WRITE_ACTIONS
    objects = _statement("BackupObjects", actions, f"arn:{partition}:s3:::{bucket}/{prefix}*")
    return [listing, objects]


def policy_document(job: str, options: PolicyOptions | None = None) -> dict[str, Any]:
    """The IAM policy document for `job` (one of JOBS) with `options`."""
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}; jobs: {', '.join(JOBS)}")
    opts = options or PolicyOptions()
    writes = job == "apply"
    statements = []
    for service, sid in _SIDS.items():
        reads = list(READS[service]) + (list(WRITER_READS[service]) if writes else [])
        statements.append(_statement(f"{sid}Read", [action(service, op) for op in reads]))
        if writes:
            statements.append(
                _statement(f"{sid}Write", [action(service, op) for op in WRITES[service]])
            )
    statements.append(
        _statement(_ORG_SID, [action("organizations", op) for op in READS["organizations"]])
    )
    p = opts.partition
    if writes:
        statements.append(
            _statement(
                "RestoreCheckAwsManagedPolicies",
                [action(service, op) for service, ops in RESTORE_READS.items() for op in ops],
                f"arn:{p}:iam::aws:policy/*",
            )
        )
    if writes and opts.s3_lock:
        bucket, key = opts.s3_lock
        statements.append(
            _statement("ApplyLockObject", list(S3_LOCK_ACTIONS), f"arn:{p}:s3:::{bucket}/{key}")
        )
    if opts.backups:
        statements += backup_statements(job, *opts.backups, partition=p)
    if opts.kms_key:
        statements.append(kms_key_statement(opts.kms_key, p))
    if opts.sns_topic:
        statements.append(_statement("NotifyFailures", ["sns:Publish"], opts.sns_topic))
    if writes and opts.management_account:
        statements.append(
            _statement(
                "ManagementAccountReservedSsoRoles",
                list(MANAGEMENT_ROLE_ACTIONS),
                f"arn:{p}:iam::*:role/aws-reserved/sso.amazonaws.com/*",
            )
        )
        statements.append(
            _statement(
                "ManagementAccountSsoSamlProvider",
                list(MANAGEMENT_SAML_ACTIONS),
                f"arn:{p}:iam::*:saml-provider/AWSSSO_*_DO_NOT_DELETE",
            )
        )
    return {"Version": "2012-10-17", "Statement": statements}


def allowed_actions(document: dict[str, Any]) -> set[str]:
    """Every action an Allow statement of `document` names."""
    out: set[str] = set()
    for statement in document["Statement"]:
        if statement["Effect"] == "Allow":
            actions = statement["Action"]
            out.update([actions] if isinstance(actions, str) else actions)
    return out
