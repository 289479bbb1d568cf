"""CloudTrail event history for the simulator: recording and LookupEvents.

moto 5 has no LookupEvents and records no events, so this module does both.
Every successful mutating request that reaches sso-admin, identitystore or
organizations (from idc, from a plain boto3 client, from `idc sim serve`)
is recorded at the request layer, the way AWS records the API call and not
what any client meant by it, as a management event in the shape
LookupEvents returns (docs/incremental.md has the facts and sources):

- EventSource sso.amazonaws.com / identitystore.amazonaws.com /
  organizations.amazonaws.com; Organizations events are kept in us-east-1,
  the others in the region called.
- CloudTrailEvent: the record JSON with requestParameters and
  responseElements in lowerCamelCase. Identity Store user and group
  attributes are HIDDEN_DUE_TO_SECURITY_REASONS as AWS redacts them, so a
  consumer can rely on ids only.

LookupEvents follows the API reference: the last 90 days, newest first, at
most 50 per page with NextToken, at most one lookup attribute, StartTime and
EndTime, 2 requests/s per account and region under realism. With
`Realism.cloudtrail_delay` an event only becomes visible that many seconds
after its call, as AWS delivers events minutes late.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reconciler.sim.awserrors import SimAwsError
from reconciler.sim.runtime import RUNTIME

RETENTION_SECONDS = 90 * 86400
MAX_PAGE = 50
ORGANIZATIONS_REGION = "us-east-1"
SOURCES = {
    "sso-admin": "sso.amazonaws.com",
    "identitystore": "identitystore.amazonaws.com",
    "organizations": "organizations.amazonaws.com",
}
ATTRIBUTE_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
# Identity Store request members that are ids (kept); every other member of
# a user or group write is personal data AWS redacts.
_ID_MEMBERS = {"identityStoreId", "userId", "groupId", "membershipId", "memberId"}
_REDACTED = {"CreateUser", "UpdateUser", "CreateGroup", "UpdateGroup"}
_RESOURCE_MEMBERS = {
    "permissionSetArn": "AWS::SSO::PermissionSet",
    "instanceArn": "AWS::SSO::Instance",
    "targetId": "AWS::Organizations::Account",
    "accountId": "AWS::Organizations::Account",
    "resourceId": "AWS::Organizations::Account",
    "organizationalUnitId": "AWS::Organizations::OrganizationalUnit",
}
_ACCESS_KEY = re.compile(r"Credential=([A-Z0-9]+)/")


@dataclass(frozen=True)
class Event:
    account: str
    region: str
    time: float
    event: dict[str, Any]  # the LookupEvents Event member


class Trail:
    """Every recorded event of the simulated accounts, oldest first."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.events = []

    def add(self, event: Event) -> None:
        with self.lock:
            self.events.append(event)

    def visible(self, account: str, region: str, now: float, delay: float) -> list[Event]:
        oldest = now - RETENTION_SECONDS
        with self.lock:
            return [
                e
                for e in self.events
                if e.account == account and e.region == region and oldest <= e.time <= now - delay
            ]


TRAIL = Trail()


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v if k in _ID_MEMBERS else HIDDEN for k, v in value.items()}
    return value


def _iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(
    service: str,
    operation: str,
    account: str,
    region: str,
    headers: Any,
    request_body: str,
    response_body: str,
) -> None:
    """Record one successful mutating call as AWS would."""
    try:
        request = json.loads(request_body or "{}")
    except ValueError:
        request = {}
    try:
        response = json.loads(response_body) if response_body else None
    except ValueError:
        response = None
    params = _camel(request) if isinstance(request, dict) else {}
    elements = _camel(response) if response else None
    if service == "identitystore" and operation in _REDACTED:
        params = _redact(params)
    now = RUNTIME.now()
    event_id = str(uuid.uuid4())
    auth = str(headers.get("Authorization", "")) if headers is not None else ""
    match = _ACCESS_KEY.search(auth)
    access_key = match.group(1) if match else "ASIASIMULATED000000"
    agent = str(headers.get("User-Agent", "")) if headers is not None else ""
    username = "idc" if "idc-reconciler" in agent else "console-or-scim"
    source = SOURCES[service]
    where = ORGANIZATIONS_REGION if service == "organizations" else region
    resources = [
        {"ResourceType": kind, "ResourceName": str(params[member])}
        for member, kind in _RESOURCE_MEMBERS.items()
        if isinstance(params.get(member), str)
    ]
    record_json = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": access_key,
            "arn": f"arn:aws:iam::{account}:user/{username}",
            "accountId": account,
            "accessKeyId": access_key,
            "userName": username,
        },
        "eventTime": _iso(now),
        "eventSource": source,
        "eventName": operation,
        "awsRegion": where,
        "sourceIPAddress": "192.0.2.1",
        "userAgent": agent or "aws-sdk",
        "requestParameters": params or None,
        "responseElements": elements,
        "requestID": str(uuid.uuid4()),
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    TRAIL.add(
        Event(
            account,
            where,
            now,
            {
                "EventId": event_id,
                "EventName": operation,
                "ReadOnly": "false",
                "AccessKeyId": access_key,
                "EventTime": now,
                "EventSource": source,
                "Username": username,
                "Resources": resources,
                "CloudTrailEvent": json.dumps(record_json),
            },
        )
    )


# --- LookupEvents --------------------------------------------------------------


def _error(code: str, message: str) -> SimAwsError:
    return SimAwsError(code, message)


def _matches(event: dict[str, Any], key: str, value: str) -> bool:
    if key in ("ResourceType", "ResourceName"):
        field = key
        return any(r.get(field) == value for r in event.get("Resources", ()))
    return str(event.get(key)) == value


def _query_digest(params: dict[str, Any]) -> str:
    fixed = {k: params.get(k) for k in ("StartTime", "EndTime", "LookupAttributes")}
    return hashlib.sha256(json.dumps(fixed, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _token(offset: int, newest: float, digest: str) -> str:
    raw = json.dumps({"o": offset, "n": newest, "q": digest}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _untoken(token: str, digest: str) -> tuple[int, float]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset, newest, query = int(data["o"]), float(data["n"]), data["q"]
    except (ValueError, KeyError, TypeError):
        raise _error("InvalidNextTokenException", "Invalid NextToken.") from None
    if query != digest:
        raise _error(
            "InvalidNextTokenException",
            "The token is not valid for this request: the other parameters changed.",
        )
    return offset, newest


def lookup_events(self: Any) -> str:
    """The LookupEvents operation for moto's CloudTrailResponse."""
    params = json.loads(self.body or "{}")
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise _error(
            "InvalidLookupAttributesException",
            "You cannot specify more than one lookup attribute.",
        )
    for attribute in attributes:
        if attribute.get("AttributeKey") not in ATTRIBUTE_KEYS:
            raise _error(
                "InvalidLookupAttributesException",
                f"Invalid AttributeKey {attribute.get('AttributeKey')!r}.",
            )
    limit = params.get("MaxResults", MAX_PAGE)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise _error("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
    start, end = params.get("StartTime"), params.get("EndTime")
    if start is not None and end is not None and float(start) > float(end):
        raise _error("InvalidTimeRangeException", "StartTime must be before EndTime.")
    if params.get("EventCategory") not in (None, "insight"):
        raise _error("InvalidEventCategoryException", "EventCategory must be insight.")
    digest = _query_digest(params)
    token = params.get("NextToken")
    offset, newest = _untoken(token, digest) if token else (0, RUNTIME.now())
    realism = RUNTIME.realism
    events = TRAIL.visible(self.current_account, self.region, newest, realism.cloudtrail_delay)
    if params.get("EventCategory") == "insight":
        events = []
    selected = [
        e.event
        for e in reversed(events)
        if (start is None or e.time >= float(start))
        and (end is None or e.time <= float(end))
        and all(
            _matches(e.event, a["AttributeKey"], a.get("AttributeValue", "")) for a in attributes
        )
    ]
    chunk = selected[offset : offset + limit]
    out: dict[str, Any] = {"Events": chunk}
    if offset + limit < len(selected):
        out["NextToken"] = _token(offset + limit, newest, digest)
    return json.dumps(out)


OPERATIONS = {"lookup_events": lookup_events}
