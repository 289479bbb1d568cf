"""sso-admin operations added to or corrected on moto's SSOAdminResponse.

moto routes a request by its X-Amz-Target operation name to the method of the
same (snake_case) name, so each function here is installed under the
operation's name by `reconciler.sim.patches`. Request and response shapes
follow the sso-admin API reference.
"""

from __future__ import annotations

import json
from typing import Any

from moto.identitystore.models import identitystore_backends

from reconciler.sim import validation as check
from reconciler.sim.awserrors import not_found, validation
from reconciler.sim.paging import page
from reconciler.sim.ssoadmin_backend import SimSSOAdminBackend, permission_set_json


def _params(self: Any) -> dict[str, Any]:
    return json.loads(self.body or "{}")


def _backend(self: Any) -> SimSSOAdminBackend:
    return self.ssoadmin_backend


def _ps(self: Any, params: dict[str, Any]) -> Any:
    return _backend(self)._find_permission_set(
        params.get("InstanceArn"), params.get("PermissionSetArn")
    )


def _paged(key: str, items: list[Any], params: dict[str, Any]) -> str:
    chunk, token = page(items, params.get("MaxResults"), params.get("NextToken"))
    out: dict[str, Any] = {key: chunk}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


# --- instances ---------------------------------------------------------------


def list_instances(self: Any) -> str:
    instances = []
    for inst in _backend(self).instances:
        data = {k: v for k, v in inst.to_json().items() if v is not None}
        instances.append(data)
    return _paged("Instances", instances, _params(self))


def describe_instance(self: Any) -> str:
    params = _params(self)
    backend = _backend(self)
    backend.check_instance(params.get("InstanceArn"))
    data = {k: v for k, v in backend.instance.to_json().items() if v is not None}
    return json.dumps(data)


# --- permission sets -----------------------------------------------------------


def create_permission_set(self: Any) -> str:
    params = _params(self)
    check.check_permission_set_fields(params, creating=True)
    check.check_tags(params.get("Tags"))
    result = _backend(self).create_permission_set(
        name=params.get("Name"),
        description=params.get("Description"),
        instance_arn=params.get("InstanceArn"),
        session_duration=params.get("SessionDuration"),
        relay_state=params.get("RelayState"),
        tags=params.get("Tags"),
    )
    return json.dumps({"PermissionSet": result})


def update_permission_set(self: Any) -> str:
    params = _params(self)
    check.check_permission_set_fields(params, creating=False)
    _backend(self).update_permission_set(
        params.get("InstanceArn"),
        params.get("PermissionSetArn"),
        description=params.get("Description"),
        session_duration=params.get("SessionDuration"),
        relay_state=params.get("RelayState"),
    )
    return "{}"


def describe_permission_set(self: Any) -> str:
    return json.dumps({"PermissionSet": permission_set_json(_ps(self, _params(self)))})


def delete_permission_set(self: Any) -> str:
    params = _params(self)
    _backend(self).delete_permission_set(params.get("InstanceArn"), params.get("PermissionSetArn"))
    return "{}"


def list_permission_sets(self: Any) -> str:
    params = _params(self)
    backend = _backend(self)
    backend.check_instance(params.get("InstanceArn"))
    return _paged("PermissionSets", list(backend.ps_by_arn), params)


def put_inline_policy_to_permission_set(self: Any) -> str:
    params = _params(self)
    ps = _ps(self, params)
    check.check_inline_policy(params.get("InlinePolicy"))
    _backend(self).touch(ps)
    ps.inline_policy = params["InlinePolicy"]
    return "{}"


def delete_inline_policy_from_permission_set(self: Any) -> str:
    ps = _ps(self, _params(self))
    _backend(self).touch(ps)
    ps.inline_policy = ""
    return "{}"


def _policy_change(self: Any, method: str, checker: Any, field: str) -> str:
    """Run moto's attach/detach, with validation, conflicts and staleness around it."""
    params = _params(self)
    backend = _backend(self)
    ps = _ps(self, params)
    checker(params.get(field))
    backend.guard(ps)
    getattr(backend, method)(params["InstanceArn"], params["PermissionSetArn"], params[field])
    backend.bump(ps)
    return "{}"


def attach_managed_policy_to_permission_set(self: Any) -> str:
    return _policy_change(
        self,
        "attach_managed_policy_to_permission_set",
        check.check_managed_policy_arn,
        "ManagedPolicyArn",
    )


def detach_managed_policy_from_permission_set(self: Any) -> str:
    return _policy_change(
        self,
        "detach_managed_policy_from_permission_set",
        check.check_managed_policy_arn,
        "ManagedPolicyArn",
    )


def attach_customer_managed_policy_reference_to_permission_set(self: Any) -> str:
    return _policy_change(
        self,
        "attach_customer_managed_policy_reference_to_permission_set",
        check.check_customer_managed_policy,
        "CustomerManagedPolicyReference",
    )


def detach_customer_managed_policy_reference_from_permission_set(self: Any) -> str:
    return _policy_change(
        self,
        "detach_customer_managed_policy_reference_from_permission_set",
        check.check_customer_managed_policy,
        "CustomerManagedPolicyReference",
    )


def put_permissions_boundary_to_permission_set(self: Any) -> str:
    params = _params(self)
    _backend(self).put_boundary(_ps(self, params), params.get("PermissionsBoundary"))
    return "{}"


def get_permissions_boundary_for_permission_set(self: Any) -> str:
    params = _params(self)
    return json.dumps({"PermissionsBoundary": _backend(self).get_boundary(_ps(self, params))})


def delete_permissions_boundary_from_permission_set(self: Any) -> str:
    params = _params(self)
    _backend(self).delete_boundary(_ps(self, params))
    return "{}"


# --- tags --------------------------------------------------------------------


def _tag_target(self: Any, params: dict[str, Any]) -> Any:
    backend = _backend(self)
    if params.get("InstanceArn") is not None:
        backend.check_instance(params["InstanceArn"])
    arn = params.get("ResourceArn")
    ps = backend.ps_by_arn.get(str(arn))
    if ps is None:
        raise not_found(f"Could not find resource with arn {arn}")
    return ps


def tag_resource(self: Any) -> str:
    params = _params(self)
    _backend(self).tag(_tag_target(self, params), params.get("Tags") or [])
    return "{}"


def untag_resource(self: Any) -> str:
    params = _params(self)
    _backend(self).untag(_tag_target(self, params), params.get("TagKeys") or [])
    return "{}"


def list_tags_for_resource(self: Any) -> str:
    params = _params(self)
    tags = list(_tag_target(self, params).tags or [])
    chunk, token = page(tags, None, params.get("NextToken"), default=50)
    out: dict[str, Any] = {"Tags": chunk}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


# --- assignments -------------------------------------------------------------


def _principal_exists(self: Any, backend: SimSSOAdminBackend, ptype: str, pid: str) -> bool:
    store: Any = identitystore_backends[self.current_account][self.region]
    return bool(store.principal_exists(backend.instance.identity_store_id, ptype, pid))


def create_account_assignment(self: Any) -> str:
    params = _params(self)
    backend = _backend(self)
    backend.assignment_key(params)
    exists = _principal_exists(self, backend, params["PrincipalType"], params["PrincipalId"])
    status = backend.create_assignment(params, exists)
    return json.dumps({"AccountAssignmentCreationStatus": status})


def delete_account_assignment(self: Any) -> str:
    status = _backend(self).delete_assignment(_params(self))
    return json.dumps({"AccountAssignmentDeletionStatus": status})


def _status(self: Any, kind: str, id_field: str, out_key: str) -> str:
    params = _params(self)
    backend = _backend(self)
    backend.check_instance(params.get("InstanceArn"))
    record = backend.statuses[kind].get(str(params.get(id_field)))
    if record is None:
        raise not_found(f"Could not find request with id {params.get(id_field)}")
    return json.dumps({out_key: record})


def describe_account_assignment_creation_status(self: Any) -> str:
    return _status(
        self, "create", "AccountAssignmentCreationRequestId", "AccountAssignmentCreationStatus"
    )


def describe_account_assignment_deletion_status(self: Any) -> str:
    return _status(
        self, "delete", "AccountAssignmentDeletionRequestId", "AccountAssignmentDeletionStatus"
    )


def describe_permission_set_provisioning_status(self: Any) -> str:
    return _status(
        self, "provision", "ProvisionPermissionSetRequestId", "PermissionSetProvisioningStatus"
    )


def _status_list(self: Any, kind: str, out_key: str) -> str:
    params = _params(self)
    backend = _backend(self)
    backend.check_instance(params.get("InstanceArn"))
    wanted = (params.get("Filter") or {}).get("Status")
    if wanted not in (None, "IN_PROGRESS", "FAILED", "SUCCEEDED"):
        raise validation(f"Invalid status filter {wanted}")
    items = [
        {"Status": r["Status"], "RequestId": r["RequestId"], "CreatedDate": r["CreatedDate"]}
        for r in backend.statuses[kind].values()
        if wanted is None or r["Status"] == wanted
    ]
    return _paged(out_key, items, params)


def list_account_assignment_creation_status(self: Any) -> str:
    return _status_list(self, "create", "AccountAssignmentsCreationStatus")


def list_account_assignment_deletion_status(self: Any) -> str:
    return _status_list(self, "delete", "AccountAssignmentsDeletionStatus")


def list_permission_set_provisioning_status(self: Any) -> str:
    return _status_list(self, "provision", "PermissionSetsProvisioningStatus")


def _assignment_json(key: tuple[str, str, str, str]) -> dict[str, str]:
    return {
        "AccountId": key[1],
        "PermissionSetArn": key[0],
        "PrincipalType": key[2],
        "PrincipalId": key[3],
    }


def list_account_assignments(self: Any) -> str:
    params = _params(self)
    backend = _backend(self)
    check.check_account_id("accountId", params.get("AccountId"))
    _ps(self, params)
    keys = backend.by_ps_account.get((params["PermissionSetArn"], params["AccountId"]), {})
    items = [_assignment_json(k) for k in sorted(keys, key=lambda k: (k[2], k[3]))]
    return _paged("AccountAssignments", items, params)


def list_account_assignments_for_principal(self: Any) -> str:
    params = _params(self)
    backend = _backend(self)
    backend.check_instance(params.get("InstanceArn"))
    check.check_principal(params.get("PrincipalType"), params.get("PrincipalId"))
    account = (params.get("Filter") or {}).get("AccountId")
    keys = backend.by_principal.get((params["PrincipalType"], params["PrincipalId"]), {})
    items = [_assignment_json(k) for k in keys if account is None or k[1] == account]
    items.sort(key=lambda a: (a["AccountId"], a["PermissionSetArn"]))
    return _paged("AccountAssignments", items, params)


# --- provisioning ------------------------------------------------------------


def provision_permission_set(self: Any) -> str:
    status = _backend(self).provision(_params(self))
    return json.dumps({"PermissionSetProvisioningStatus": status})


def _status_filter(params: dict[str, Any]) -> str | None:
    wanted = params.get("ProvisioningStatus")
    allowed = (None, "LATEST_PERMISSION_SET_PROVISIONED", "LATEST_PERMISSION_SET_NOT_PROVISIONED")
    if wanted not in allowed:
        raise validation(f"Invalid ProvisioningStatus {wanted}")
    return wanted


def _keep(backend: SimSSOAdminBackend, wanted: str | None, ps_arn: str, account: str) -> bool:
    if wanted is None:
        return True
    return backend.is_current(ps_arn, account) == (wanted == "LATEST_PERMISSION_SET_PROVISIONED")


def list_permission_sets_provisioned_to_account(self: Any) -> str:
    params = _params(self)
    backend = _backend(self)
    backend.check_instance(params.get("InstanceArn"))
    check.check_account_id("accountId", params.get("AccountId"))
    wanted = _status_filter(params)
    account = params["AccountId"]
    arns = [
        arn
        for arn in backend.ps_by_arn
        if account in backend.provisioned.get(arn, {}) and _keep(backend, wanted, arn, account)
    ]
    return _paged("PermissionSets", arns, params)


def list_accounts_for_provisioned_permission_set(self: Any) -> str:
    params = _params(self)
    backend = _backend(self)
    ps = _ps(self, params)
    wanted = _status_filter(params)
    accounts = sorted(
        a
        for a in backend.provisioned.get(ps.permission_set_arn, {})
        if _keep(backend, wanted, ps.permission_set_arn, a)
    )
    return _paged("AccountIds", accounts, params)


OPERATIONS = {
    name: obj
    for name, obj in dict(globals()).items()
    if callable(obj) and not name.startswith("_") and obj.__module__ == __name__
}
