"""Permission set writes: create with everything, update by difference, delete.

A permission set is spread over many AWS calls (the set itself, inline
policy, managed policies, customer managed policy references, permissions
boundary, tags). Create makes all of them; update compares the before/after
documents through the model (so policy JSON is compared semantically and
PT60M equals PT1H) and makes only the calls for what differs. Detaches run
before attaches so a swap never trips the managed-policy quota.

`converge_permission_set` is the same update taken from live state rather
than from the journal's `before`: it finishes an op a failure, kill or lost
response left half done (reconciler.aws.writer), whichever calls had run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from reconciler.aws.read_context import ReadContext
from reconciler.aws.read_permission_sets import read_permission_set
from reconciler.errors import InputError
from reconciler.model import CustomerManagedPolicy, PermissionsBoundary, PermissionSet
from reconciler.model.codec import permission_set_from_doc

if TYPE_CHECKING:
    from reconciler.aws.write_context import WriteContext

# What AWS uses when a permission set has no session duration of its own.
DEFAULT_SESSION_DURATION = "PT1H"


def _boundary_api(boundary: PermissionsBoundary) -> dict[str, Any]:
    if boundary.managed_policy_arn:
        return {"ManagedPolicyArn": boundary.managed_policy_arn}
    cmp = boundary.customer_managed_policy
    assert cmp is not None
    return {"CustomerManagedPolicyReference": {"Name": cmp.name, "Path": cmp.path}}


def _cmp_api(cmp: CustomerManagedPolicy) -> dict[str, str]:
    return {"Name": cmp.name, "Path": cmp.path}


def create_permission_set(ctx: WriteContext, doc: dict[str, Any], resource: str) -> None:
    ps = permission_set_from_doc(doc)
    params: dict[str, Any] = {"Name": ps.name}
    if ps.description is not None:
        params["Description"] = ps.description
    if ps.session_duration is not None:
        params["SessionDuration"] = ps.session_duration
    if ps.relay_state is not None:
        params["RelayState"] = ps.relay_state
    if ps.tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in ps.tags]
    created = ctx.sso_call("CreatePermissionSet", resource, **params)
    arn = created["PermissionSet"]["PermissionSetArn"]
    ctx.names.remember_permission_set(ps.name, arn)
    _converge(ctx, arn, PermissionSet(name=ps.name), ps, resource, tags=False)


def update_permission_set(ctx: WriteContext, args: dict[str, Any], resource: str) -> None:
    before = permission_set_from_doc(args["before"])
    after = permission_set_from_doc(args["after"])
    _update(ctx, ctx.names.permission_set_arn(args["name"]), before, after, resource)


def converge_permission_set(
    ctx: WriteContext, doc: dict[str, Any], resource: str, *, adopt: bool
) -> None:
    """Make the live permission set equal `doc`, from whatever it is now.

    `adopt`: the op is a create, so a missing set is created, and an existing
    one is taken as the one this op's own first call made (only an op in
    doubt converges, and only its own call could have made it meanwhile)."""
    after = permission_set_from_doc(doc)
    live = live_permission_set(ctx, after.name)
    if live is None and adopt:
        create_permission_set(ctx, doc, resource)
        return
    arn = ctx.names.permission_set_arn(after.name)  # AwsError when it is gone
    assert live is not None
    _update(ctx, arn, live, after, resource)


def _update(
    ctx: WriteContext, arn: str, before: PermissionSet, after: PermissionSet, resource: str
) -> None:
    changes: dict[str, Any] = {}
    for attr, member in (("description", "Description"), ("relay_state", "RelayState")):
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new and new is None:
            raise InputError(
                f"permission set {after.name}: AWS cannot remove a {attr.replace('_', ' ')} "
                "once set (UpdatePermissionSet only replaces it); give it a new value instead"
            )
        if old != new:
            changes[member] = new
    default = DEFAULT_SESSION_DURATION
    if (before.session_duration or default) != (after.session_duration or default):
        changes["SessionDuration"] = after.session_duration or default
    if changes:
        ctx.sso_call("UpdatePermissionSet", resource, PermissionSetArn=arn, **changes)
    _converge(ctx, arn, before, after, resource, tags=True)


def _converge(
    ctx: WriteContext,
    arn: str,
    before: PermissionSet,
    after: PermissionSet,
    resource: str,
    *,
    tags: bool,
) -> None:
    """Make the calls that turn the policies, boundary and tags of `before` into `after`."""
    ps = {"PermissionSetArn": arn}
    if before.inline_policy_identity != after.inline_policy_identity:  # same policy: no call
        if after.inline_policy is None:
            ctx.sso_call("DeleteInlinePolicyFromPermissionSet", resource, **ps)
        else:
            ctx.sso_call(
                "PutInlinePolicyToPermissionSet", resource, InlinePolicy=after.inline_policy, **ps
            )
    for policy_arn in sorted(set(before.managed_policies) - set(after.managed_policies)):
        ctx.sso_call(
            "DetachManagedPolicyFromPermissionSet", resource, ManagedPolicyArn=policy_arn, **ps
        )
    for cmp in sorted(set(before.customer_managed_policies) - set(after.customer_managed_policies)):
        ctx.sso_call(
            "DetachCustomerManagedPolicyReferenceFromPermissionSet",
            resource,
            CustomerManagedPolicyReference=_cmp_api(cmp),
            **ps,
        )
    for policy_arn in sorted(set(after.managed_policies) - set(before.managed_policies)):
        ctx.sso_call(
            "AttachManagedPolicyToPermissionSet", resource, ManagedPolicyArn=policy_arn, **ps
        )
    for cmp in sorted(set(after.customer_managed_policies) - set(before.customer_managed_policies)):
        ctx.sso_call(
            "AttachCustomerManagedPolicyReferenceToPermissionSet",
            resource,
            CustomerManagedPolicyReference=_cmp_api(cmp),
            **ps,
        )
    if before.permissions_boundary != after.permissions_boundary:
        if after.permissions_boundary is None:
            ctx.sso_call("DeletePermissionsBoundaryFromPermissionSet", resource, **ps)
        else:
            ctx.sso_call(
                "PutPermissionsBoundaryToPermissionSet",
                resource,
                PermissionsBoundary=_boundary_api(after.permissions_boundary),
                **ps,
            )
    if tags:
        _retag(ctx, arn, dict(before.tags), dict(after.tags), resource)


def _retag(
    ctx: WriteContext, arn: str, before: dict[str, str], after: dict[str, str], resource: str
) -> None:
    removed = sorted(set(before) - set(after))
    if removed:
        ctx.sso_call("UntagResource", resource, ResourceArn=arn, TagKeys=removed)
    changed = {k: v for k, v in sorted(after.items()) if before.get(k) != v}
    if changed:
        tags = [{"Key": k, "Value": v} for k, v in changed.items()]
        ctx.sso_call("TagResource", resource, ResourceArn=arn, Tags=tags)


def delete_permission_set(ctx: WriteContext, name: str, resource: str) -> None:
    arn = ctx.names.permission_set_arn(name)
    ctx.sso_call("DeletePermissionSet", resource, PermissionSetArn=arn)
    ctx.names.remember_permission_set(name, None)


# --- live state (for is_applied) ---------------------------------------------


def live_permission_set(ctx: WriteContext, name: str) -> PermissionSet | None:
    """Everything AWS holds for the permission set (the reader's complete read)."""
    arn = ctx.names.find_permission_set_arn(name)
    if arn is None:
        return None
    reader = ReadContext(ctx.session)
    reader.instance_arn, reader.identity_store_id = ctx.instance_arn, ctx.identity_store_id
    try:
        live = read_permission_set(reader, arn)
    finally:
        reader.close()
    return None if live is None else live.permission_set


def permission_set_matches(ctx: WriteContext, doc: dict[str, Any]) -> bool:
    """True when the live permission set equals the document, value for value.

    An absent session duration means AWS's default, PT1H, on both sides.
    """
    wanted = permission_set_from_doc(doc)
    live = live_permission_set(ctx, wanted.name)
    if live is None:
        return False
    default = DEFAULT_SESSION_DURATION
    live = replace(live, session_duration=live.session_duration or default)
    return live == replace(wanted, session_duration=wanted.session_duration or default)
