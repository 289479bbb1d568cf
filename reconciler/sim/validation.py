"""Server-side checks of sso-admin request fields (AWS-NOTES 4.1).

botocore only checks minimum lengths, so without these a client could send a
value AWS rejects and never find out in tests. Each check raises the
ValidationException text shape AWS uses ("1 validation error detected: ...").
"""

from __future__ import annotations

import json
import re
from typing import Any

from reconciler.sim.awserrors import SimAwsError, validation

NAME = re.compile(r"[\w+=,.@-]+")
DESCRIPTION = re.compile(r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*")
RELAY_STATE = re.compile(r"[a-zA-Z0-9&$@#\\/%?=~\-_'\"|!:,.;*+\[\] (){}]+")
INLINE_POLICY = re.compile(r"[\u0009\u000A\u000D\u0020-\u00FF]+")
DURATION = re.compile(
    r"(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
MANAGED_POLICY_ARN = re.compile(
    r"arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9\.,\+@=_-]+)*)/([A-Za-z0-9\.,\+=@_-]+)"
)
CMP_PATH = re.compile(r"((/[A-Za-z0-9\.,\+@=_-]+)*)/")
ACCOUNT_ID = re.compile(r"\d{12}")
PRINCIPAL_ID = re.compile(
    r"([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"
)
TAG_TEXT = re.compile(r"[\w\s.:/=+\-@]*", re.UNICODE)
MAX_TAGS = 50


def _fail(field: str, value: Any, constraint: str) -> SimAwsError:
    return validation(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: {constraint}"
    )


def check_text(field: str, value: Any, lo: int, hi: int, pattern: re.Pattern[str] | None) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not lo <= len(value) <= hi:
        raise _fail(field, value, f"Member must have length between {lo} and {hi}")
    if pattern is not None and not pattern.fullmatch(value):
        raise _fail(
            field, value, f"Member must satisfy regular expression pattern: {pattern.pattern}"
        )


def duration_seconds(value: str) -> float:
    """Seconds in an ISO-8601 duration; years and months as AWS never accepts them here."""
    match = DURATION.fullmatch(value)
    if not match:
        raise _fail(
            "sessionDuration",
            value,
            f"Member must satisfy regular expression pattern: {DURATION.pattern}",
        )
    sign, years, months, count, unit, hours, minutes, seconds = match.groups()
    days = int(count or 0) * (7 if unit == "W" else 1)
    total = float((int(years or 0) * 365 + int(months or 0) * 30 + days) * 86400)
    total += int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    return -total if sign else total


def check_session_duration(value: Any) -> None:
    if value is None:
        return
    check_text("sessionDuration", value, 1, 100, None)
    seconds = duration_seconds(value)
    if not 3600 <= seconds <= 43200:
        raise validation(
            f"Invalid SessionDuration {value}: the session duration must be between 1 and 12 hours"
        )


def check_permission_set_fields(params: dict[str, Any], creating: bool) -> None:
    if creating or "Name" in params:
        check_text("name", params.get("Name"), 1, 32, NAME)
    check_text("description", params.get("Description"), 1, 700, DESCRIPTION)
    check_text("relayState", params.get("RelayState"), 1, 240, RELAY_STATE)
    check_session_duration(params.get("SessionDuration"))


def check_inline_policy(value: Any) -> None:
    check_text("inlinePolicy", value, 1, 32768, INLINE_POLICY)
    try:
        document = json.loads(value)
    except ValueError:
        raise validation("The policy is not in the valid JSON format.") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise validation("Syntax errors in policy: a policy needs a Statement.")
    if len(re.sub(r"\s", "", value)) > 10240:
        raise validation("Inline policy exceeds 10240 non-whitespace characters.")


def check_managed_policy_arn(value: Any) -> None:
    check_text("managedPolicyArn", value, 20, 2048, MANAGED_POLICY_ARN)


def check_customer_managed_policy(
    reference: Any, field: str = "customerManagedPolicyReference"
) -> None:
    if not isinstance(reference, dict) or "Name" not in reference:
        raise _fail(field, reference, "Member must not be null")
    check_text(f"{field}.name", reference["Name"], 1, 128, NAME)
    check_text(f"{field}.path", reference.get("Path"), 1, 512, CMP_PATH)


def check_boundary(boundary: Any) -> None:
    if not isinstance(boundary, dict):
        raise _fail("permissionsBoundary", boundary, "Member must not be null")
    has_arn = boundary.get("ManagedPolicyArn") is not None
    has_cmp = boundary.get("CustomerManagedPolicyReference") is not None
    if has_arn == has_cmp:
        raise validation(
            "PermissionsBoundary must have exactly one of ManagedPolicyArn or "
            "CustomerManagedPolicyReference"
        )
    if has_arn:
        check_managed_policy_arn(boundary["ManagedPolicyArn"])
    else:
        check_customer_managed_policy(
            boundary["CustomerManagedPolicyReference"],
            "permissionsBoundary.customerManagedPolicyReference",
        )


def check_tags(tags: Any) -> None:
    if tags is None:
        return
    if len(tags) > 75:
        raise _fail("tags", "[...]", "Member must have length less than or equal to 75")
    for tag in tags:
        check_text("tags.member.key", tag.get("Key"), 1, 128, TAG_TEXT)
        check_text("tags.member.value", tag.get("Value", ""), 0, 256, TAG_TEXT)


def check_account_id(field: str, value: Any) -> None:
    if value is None:
        raise _fail(field, value, "Member must not be null")
    check_text(field, value, 12, 12, ACCOUNT_ID)


def check_principal(principal_type: Any, principal_id: Any) -> None:
    if principal_type not in ("USER", "GROUP"):
        raise _fail(
            "principalType", principal_type, "Member must satisfy enum value set: [USER, GROUP]"
        )
    check_text("principalId", principal_id, 1, 47, PRINCIPAL_ID)
