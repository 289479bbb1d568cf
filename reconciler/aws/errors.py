"""The one place botocore exceptions become `AwsError`.

A user reading `error: ...` must learn which call failed, on what, and why in
AWS's own words; a botocore traceback tells none of that. Readers also need to
tell "this resource vanished while we were reading" (skip it) from a real
failure (stop), so the not-found codes of the three services live here too.
The problems a new user meets first (no region, an unknown profile, missing,
expired or rejected credentials, AccessDenied) also get their remedy here, so
every command says what to do about them the same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

from reconciler.aws.iam_policy import (
    IAM_PREFIX,
    KMS_KEY_ACTIONS,
    READS,
    RESTORE_READS,
    S3_LOCK_ACTIONS,
    WRITER_READS,
    WRITES,
)
from reconciler.errors import AwsError, IdcError, InputError

# Codes AWS uses when the resource named in a request does not exist (any more).
NOT_FOUND_CODES = frozenset(
    {
        "ResourceNotFoundException",  # sso-admin, identitystore
        "AccountNotFoundException",  # organizations
        "ParentNotFoundException",
        "OrganizationalUnitNotFoundException",
        "ChildNotFoundException",
        "TargetNotFoundException",
    }
)

# 4xx codes that do not prove the request was refused: it may still run.
TIMEOUT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException"})
# Failures raised before a request left this machine: nothing reached AWS.
_NEVER_SENT = (
    EndpointConnectionError,  # no connection could be made
    ConnectTimeoutError,  # none was made in time
    NoCredentialsError,
    PartialCredentialsError,
    NoRegionError,
    ParamValidationError,
    ProfileNotFound,
    CredentialRetrievalError,
    TokenRetrievalError,
    SSOError,
)

# The remedies of ordinary AWS configuration problems: what a new user meets
# first, so each says what to do, never just botocore's words.
NO_REGION = (
    "no AWS region: pass --region REGION or set `region:` in idc.yaml "
    "(or AWS_REGION, or `region` in your AWS profile)"
)
NO_CREDENTIALS = (
    "no AWS credentials found: pass --profile NAME (or set AWS_PROFILE) for a "
    "profile of ~/.aws/config, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; "
    "`aws configure sso` sets up a profile"
)
SSO_LOGIN = "the AWS SSO login of this profile is missing or expired: run `aws sso login`"
EXPIRED = (
    "the AWS credentials have expired: refresh them (`aws sso login`, or a new "
    "session token) and run the command again"
)
REJECTED = (
    "AWS does not accept these credentials: check the profile or access keys "
    "in use (a wrong system clock causes this too)"
)
EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
)
REJECTED_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "AuthFailure",
    }
)
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation"}
)
# AWS names the denied action in its message: "... not authorized to perform: sso:X ...".
_DENIED_ACTION = re.compile(r"perform:? ([a-z0-9-]+:[A-Za-z0-9]+)")

T = TypeVar("T")

# A ValidationException echoes the rejected value (`Value '...' at 'inlinePolicy'
# failed to satisfy constraint: ...`); a 40 kB policy would bury the reason.
_ECHOED_VALUE = re.compile(r"Value '(?P<value>.*?)' at '", re.DOTALL)
ECHO_KEEP = 80  # characters of an echoed value shown before eliding the rest


def error_code(exc: BaseException) -> str:
    """AWS's error code of a ClientError ('' for anything else)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    if isinstance(exc, AwsError):
        return exc.code
    return ""


def is_not_found(exc: BaseException) -> bool:
    return error_code(exc) in NOT_FOUND_CODES


def to_aws_error(
    exc: ClientError | BotoCoreError,
    operation: str,
    resource: str,
    *,
    unanswered_attempt: bool = False,
) -> AwsError:
    """AwsError naming the call, the resource and AWS's own message.

    `unanswered_attempt`: an earlier attempt of this call got a 5xx or lost
    its connection, so it may have taken effect even though the last one was
    refused (AwsError.refused stays False).
    """
    refused = is_refusal(exc) and not unanswered_attempt
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "")) or "ClientError"
        reason = _elide_echoed_values(str(error.get("Message", "")) or str(exc))
        remedy = _client_remedy(code, reason, operation)
        if remedy:
            reason = f"{reason.rstrip('.')}; {remedy}"
        return AwsError(operation, resource, reason, code, refused)
    # Connection, credential and parameter errors carry no AWS code.
    reason = config_problem(exc) or str(exc)
    return AwsError(operation, resource, reason, type(exc).__name__, refused)


def config_problem(exc: BaseException) -> str | None:
    """What to do about an AWS configuration problem raised by botocore
    before any request is sent (None for any other failure)."""
    if isinstance(exc, NoRegionError):
        return NO_REGION
    if isinstance(exc, ProfileNotFound):
        profile = exc.kwargs.get("profile", "")
        return (
            f"no AWS profile {profile!r} in the AWS config (~/.aws/config, or "
            "AWS_CONFIG_FILE): check --profile or AWS_PROFILE; `aws configure list-profiles` "
            "lists the profiles there"
        )
    if isinstance(exc, NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(exc, PartialCredentialsError):
        return f"{exc}: {NO_CREDENTIALS}"
    if isinstance(exc, SSOError | TokenRetrievalError):
        return f"{exc}: {SSO_LOGIN}"
    if isinstance(exc, EndpointConnectionError) and os.environ.get("AWS_ENDPOINT_URL"):
        # Typically `idc sim serve` no longer running: say which setting sent us there.
        return f"{exc}: AWS_ENDPOINT_URL is set; is that endpoint running?"
    if isinstance(exc, CredentialRetrievalError):
        return f"{exc}: check the credential settings of the AWS profile in use"
    return None


def _client_remedy(code: str, reason: str, operation: str) -> str | None:
    """The remedy for AWS refusing who is calling (not what is asked)."""
    if code in EXPIRED_CODES:
        return EXPIRED
    if code in REJECTED_CODES:
        return REJECTED
    if code in ACCESS_DENIED_CODES:
        return _access_denied(reason, operation)
    return None


def _access_denied(reason: str, operation: str) -> str:
    """Which IAM action the caller lacks and the idc command printing a
    policy that grants it: AWS names the action in its message; otherwise
    it is found from the operation in idc's own list of the calls it makes."""
    named = _DENIED_ACTION.search(reason)
    actions = [named[1]] if named else _actions_of(operation)
    writes = any(a.split(":", 1)[1] in _WRITE_OPERATIONS or a in S3_LOCK_ACTIONS for a in actions)
    need = f"the caller needs {' or '.join(actions)}" if actions else "a permission is missing"
    if writes:
        return f"{need}; `idc iam-policy apply` prints the IAM policy that grants what apply needs"
    return (
        f"{need}; `idc iam-policy snapshot` (or plan, apply: the job you run) prints "
        "the IAM policy that grants what it needs"
    )


_WRITE_OPERATIONS = frozenset(
    op for table in (WRITES, WRITER_READS, RESTORE_READS) for ops in table.values() for op in ops
)


def _actions_of(operation: str) -> list[str]:
    """IAM actions named `operation` among the calls idc makes (usually one);
    an operation already written as an action (`s3:PutObject`) is its own."""
    if ":" in operation:
        return [operation]
    found = {
        f"{IAM_PREFIX[service]}:{operation}"
        for table in (READS, WRITER_READS, RESTORE_READS, WRITES, KMS_KEY_ACTIONS)
        for service, ops in table.items()
        if operation in ops
    }
    return sorted(found)


def as_idc_error(exc: BaseException) -> IdcError | None:
    """A botocore failure that escaped every `aws_call` (the CLI's last resort):
    a configuration problem is bad input, any other an AwsError of the call
    it came from; None for an exception not botocore's."""
    translated: IdcError
    if isinstance(exc, NoRegionError | ProfileNotFound):
        translated = InputError(str(config_problem(exc)))
    elif isinstance(exc, ClientError | BotoCoreError):
        operation = str(getattr(exc, "operation_name", "") or "AWS call")
        translated = to_aws_error(exc, operation, "")
    else:
        return None
    translated.__cause__ = exc  # -v shows botocore's traceback
    return translated


def is_refusal(exc: BaseException) -> bool:
    """Whether this one attempt's failure proves AWS did not act on it: a
    client error (4xx) that is not a timeout, or a request never sent."""
    if isinstance(exc, ClientError):
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        code = str(exc.response.get("Error", {}).get("Code", ""))
        return 400 <= status < 500 and code not in TIMEOUT_CODES
    return isinstance(exc, _NEVER_SENT)


def _elide_echoed_values(reason: str) -> str:
    """AWS's reason verbatim, except that a long echoed value keeps its start
    and says how long it was."""

    def shorten(match: re.Match[str]) -> str:
        value = match["value"]
        if len(value) <= 2 * ECHO_KEEP:
            return match[0]
        return f"Value '{value[:ECHO_KEEP]}…' ({len(value):,} characters) at '"

    return _ECHOED_VALUE.sub(shorten, reason)


@contextmanager
def aws_call(operation: str, resource: str) -> Iterator[None]:
    """Translate any botocore failure inside the block into AwsError."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise to_aws_error(exc, operation, resource) from exc


def unless_missing(read: Callable[[], T]) -> T | None:
    """Run `read`; None when its resource was deleted meanwhile (not-found).

    Used for per-resource reads after a list: a user deleting a group while a
    snapshot runs must not fail the snapshot, the group is simply gone.
    """
    try:
        return read()
    except AwsError as exc:
        if exc.code in NOT_FOUND_CODES:
            return None
        raise
