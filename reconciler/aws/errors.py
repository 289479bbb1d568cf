"""The one place botocore exceptions become `AwsError`.

A user reading `error: ...` must learn which call failed, on what, and why in
AWS's own words; a botocore traceback tells none of that. Readers also need to
tell "this resource vanished while we were reading" (skip it) from a real
failure (stop), so the not-found codes of the three services live here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
)

from reconciler.errors import AwsError

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
)

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
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "")) or "ClientError"
        reason = str(error.get("Message", "")) or str(exc)
        refused = is_refusal(exc) and not unanswered_attempt
        return AwsError(operation, resource, _elide_echoed_values(reason), code, refused)
    # Connection, credential and parameter errors carry no AWS code.
    refused = is_refusal(exc) and not unanswered_attempt
    return AwsError(operation, resource, str(exc), type(exc).__name__, refused)


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
