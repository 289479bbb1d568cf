"""Account assignments and permission set provisioning: AWS's asynchronous writes.

Each of the three calls returns a status record (IN_PROGRESS, SUCCEEDED or
FAILED) with a request id that its Describe*Status call polls; botocore has
no waiters for sso-admin. This module knows the calls and their parameters;
`write_async` runs them concurrently and polls them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.aws.paging import list_all
from reconciler.aws.write_context import for_op
from reconciler.errors import AwsError
from reconciler.model.operations import Op

if TYPE_CHECKING:
    from reconciler.aws.write_context import WriteContext


@dataclass(frozen=True)
class AsyncCall:
    """One asynchronous API: how to start it and how to ask how it went."""

    submit: str  # the API that starts the request
    status_key: str  # where the submit/describe result holds the status record
    describe: str  # the API that reports a request's status
    request_param: str  # the describe call's request id parameter


ASYNC_CALLS: dict[str, AsyncCall] = {
    "create_assignment": AsyncCall(
        "CreateAccountAssignment",
        "AccountAssignmentCreationStatus",
        "DescribeAccountAssignmentCreationStatus",
        "AccountAssignmentCreationRequestId",
    ),
    "delete_assignment": AsyncCall(
        "DeleteAccountAssignment",
        "AccountAssignmentDeletionStatus",
        "DescribeAccountAssignmentDeletionStatus",
        "AccountAssignmentDeletionRequestId",
    ),
    "provision_permission_set": AsyncCall(
        "ProvisionPermissionSet",
        "PermissionSetProvisioningStatus",
        "DescribePermissionSetProvisioningStatus",
        "ProvisionPermissionSetRequestId",
    ),
}

# Where each kind's IN_PROGRESS requests are listed (items: Status, RequestId).
IN_PROGRESS_LISTS: dict[str, tuple[str, str]] = {
    "create_assignment": (
        "ListAccountAssignmentCreationStatus",
        "AccountAssignmentsCreationStatus",
    ),
    "delete_assignment": (
        "ListAccountAssignmentDeletionStatus",
        "AccountAssignmentsDeletionStatus",
    ),
    "provision_permission_set": (
        "ListPermissionSetProvisioningStatus",
        "PermissionSetsProvisioningStatus",
    ),
}

# AWS quotas on outstanding requests per kind: "up to three concurrent calls"
# of ProvisionPermissionSet; 15 outstanding CreateAccountAssignment (the
# caller's max_in_flight, 15 by default, bounds the assignment kinds).
AWS_CONCURRENCY: dict[str, int] = {"provision_permission_set": 3}


# ProvisionPermissionSet with TargetType ALL_PROVISIONED_ACCOUNTS reaches at
# most this many accounts; beyond it AWS wants one call per account.
ALL_PROVISIONED_MAX = 3500
STALE = "LATEST_PERMISSION_SET_NOT_PROVISIONED"


def submit_params(ctx: WriteContext, op: Op) -> dict[str, Any] | list[str] | None:
    """The submit call's parameters, names resolved to ids; None when an
    account-less provision finds nothing stale (no call to make); a list of
    accounts when it must provision each of them on its own (`_stale_target`)."""
    a = op.args
    if op.name == "provision_permission_set":
        arn = ctx.names.permission_set_arn(a["name"])
        if "account" in a:
            return _one_account(arn, str(a["account"]))
        return _stale_target(ctx, arn, a["name"])
    return {
        "PermissionSetArn": ctx.names.permission_set_arn(a["permission_set"]),
        "PrincipalType": a["principal_type"],
        "PrincipalId": ctx.names.principal_id(a["principal_type"], a["principal"]),
        "TargetType": "AWS_ACCOUNT",
        "TargetId": str(a["account"]),
    }


def submit(ctx: WriteContext, op: Op) -> dict[str, Any]:
    """Start the op; returns its status record (Status, RequestId, FailureReason)."""
    call, target = ASYNC_CALLS[op.name], op.describe()
    try:
        params = submit_params(ctx, op)
        if isinstance(params, list):
            return _provision_each(ctx, op, params)
    except AwsError as exc:
        raise for_op(exc, target) from exc
    if params is None:
        return {"Status": "SUCCEEDED"}
    result = ctx.sso_call(call.submit, target, **params)
    status: dict[str, Any] = result[call.status_key]
    return status


def describe(ctx: WriteContext, op: Op, request_id: str) -> dict[str, Any]:
    """The current status record of a started op."""
    call = ASYNC_CALLS[op.name]
    result = ctx.sso_call(call.describe, op.describe(), **{call.request_param: request_id})
    status: dict[str, Any] = result[call.status_key]
    return status


def _one_account(arn: str, account: str) -> dict[str, Any]:
    return {"PermissionSetArn": arn, "TargetType": "AWS_ACCOUNT", "TargetId": account}


def _stale_target(ctx: WriteContext, arn: str, name: str) -> dict[str, Any] | list[str] | None:
    """Where the account-less provision of `name` must go, read now: nowhere
    when no account is stale; the one stale account; else every provisioned
    account in one request (current ones are simply provisioned again).
    That request reaches at most ALL_PROVISIONED_MAX accounts: above that
    AWS wants one AWS_ACCOUNT request per account, so the stale accounts are
    returned, to be provisioned one by one (`_provision_each`)."""
    stale = stale_accounts(ctx, arn, name)
    if not stale:
        return None
    if len(stale) == 1:
        return _one_account(arn, stale[0])
    provisioned = list_all(
        ctx.sso,
        "ListAccountsForProvisionedPermissionSet",
        "AccountIds",
        f"accounts {name} is provisioned to",
        InstanceArn=ctx.instance_arn,
        PermissionSetArn=arn,
    )
    if len(provisioned) > ALL_PROVISIONED_MAX:
        return sorted(stale)
    return {"PermissionSetArn": arn, "TargetType": "ALL_PROVISIONED_ACCOUNTS"}


def _provision_each(
    ctx: WriteContext,
    op: Op,
    accounts: list[str],
    max_wait: float = 900.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Provision `op`'s permission set to each account with AWS_ACCOUNT, one
    request after the other (AWS refuses a second provisioning of a
    permission set still being provisioned), and return the status record
    of the whole: SUCCEEDED, or the first FAILED one, naming its account.

    One op stays one journal entry with one live check (nothing stale), so
    an interrupted sweep is resumed or undone like any other; the requests
    are waited for here because the runner polls one request per op."""
    call = ASYNC_CALLS["provision_permission_set"]
    arn = ctx.names.permission_set_arn(op.args["name"])
    for account in accounts:
        target = f"{op.describe()} in {account}"
        status = ctx.sso_call(call.submit, target, **_one_account(arn, account))[call.status_key]
        started, delay = clock(), 0.2
        while status.get("Status") == "IN_PROGRESS":
            if clock() - started > max_wait:
                reason = (
                    f"request {status['RequestId']} still IN_PROGRESS after "
                    f"{clock() - started:.0f} s; check it later with {call.describe}"
                )
                raise AwsError(call.describe, target, reason, "Timeout")
            sleep(delay)
            delay = min(delay * 1.5, 5.0)
            status = describe(ctx, op, str(status["RequestId"]))
        if status.get("Status") != "SUCCEEDED":
            reason = status.get("FailureReason") or f"ended with status {status.get('Status')}"
            return {"Status": "FAILED", "FailureReason": f"account {account}: {reason}"}
    return {"Status": "SUCCEEDED"}


def stale_accounts(ctx: WriteContext, arn: str, name: str) -> list[str]:
    """Accounts where the permission set is provisioned but not at its latest version."""
    return list_all(
        ctx.sso,
        "ListAccountsForProvisionedPermissionSet",
        "AccountIds",
        f"accounts where {name} is stale",
        InstanceArn=ctx.instance_arn,
        PermissionSetArn=arn,
        ProvisioningStatus=STALE,
    )


# --- live state (for is_applied) ---------------------------------------------


def assignment_exists(ctx: WriteContext, args: dict[str, Any]) -> bool:
    """True when the principal holds the permission set in the account."""
    arn = ctx.names.find_permission_set_arn(args["permission_set"])
    if arn is None:
        return False
    if args["principal_type"] == "GROUP":
        principal_id = ctx.names.find_group_id(args["principal"])
    else:
        principal_id = ctx.names.find_user_id(args["principal"])
    if principal_id is None:
        return False
    assignments = list_all(
        ctx.sso,
        "ListAccountAssignments",
        "AccountAssignments",
        f"assignments of {args['permission_set']} in {args['account']}",
        InstanceArn=ctx.instance_arn,
        AccountId=str(args["account"]),
        PermissionSetArn=arn,
    )
    return any(
        a.get("PrincipalType") == args["principal_type"] and a.get("PrincipalId") == principal_id
        for a in assignments
    )


def is_provisioned(ctx: WriteContext, args: dict[str, Any]) -> bool:
    """True when the account's role reflects the latest permission set
    version; without an account, when no account's role is stale."""
    arn = ctx.names.find_permission_set_arn(args["name"])
    if arn is None:
        return False
    if "account" not in args:
        return not stale_accounts(ctx, arn, args["name"])
    current = list_all(
        ctx.sso,
        "ListPermissionSetsProvisionedToAccount",
        "PermissionSets",
        f"permission sets provisioned to {args['account']}",
        InstanceArn=ctx.instance_arn,
        AccountId=str(args["account"]),
        ProvisioningStatus="LATEST_PERMISSION_SET_PROVISIONED",
    )
    return arn in current


def await_in_flight(
    ctx: WriteContext,
    max_wait: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Return once the instance has no asynchronous request IN_PROGRESS.

    An apply killed or interrupted after submitting requests leaves them
    running at AWS; their effect shows in ListAccountAssignments (and the
    provisioning lists) only when they finish. Deciding from live state
    whether such an in-doubt op took effect must therefore wait for them:
    otherwise a rollback finds "not there yet", skips the undo, and the
    assignment appears a second later. AWS gives no deadline; after
    `max_wait` seconds this gives up with an error rather than guess.
    """
    started, delay = clock(), 0.2
    while True:
        busy = {
            op: len(
                list_all(
                    ctx.sso,
                    operation,
                    key,
                    f"instance {ctx.instance_arn}",
                    InstanceArn=ctx.instance_arn,
                    Filter={"Status": "IN_PROGRESS"},
                )
            )
            for op, (operation, key) in IN_PROGRESS_LISTS.items()
        }
        if not any(busy.values()):
            return
        waited = clock() - started
        if waited > max_wait:
            counts = ", ".join(f"{n} {op}" for op, n in busy.items() if n)
            raise AwsError(
                "/".join(operation for operation, _ in IN_PROGRESS_LISTS.values()),
                f"instance {ctx.instance_arn}",
                f"requests still IN_PROGRESS after {waited:.0f} s ({counts}); "
                "cannot tell yet whether in-doubt operations took effect, try again later",
                "Timeout",
            )
        sleep(delay)
        delay = min(delay * 1.5, 5.0)
