"""sts:AssumeRole as AWS decides it: only a role that exists and trusts the caller.

moto grants any AssumeRole. AWS refuses with AccessDenied ("User: CALLER is
not authorized to perform: sts:AssumeRole on resource: ROLE", HTTP 403) when
the role does not exist (AWS does not say which), when no statement of its
trust policy allows the caller, or when the statement's condition on
`sts:ExternalId` does not hold. This module makes the simulator do the same.

Roles created with IAM's CreateRole live in moto's IAM; creating that
backend loads AWS's managed policy catalogue (seconds), so the roles the
simulator is seeded or saved with are kept in `_PENDING` (name -> trust
policy) instead, and AssumeRole never creates IAM just to look. `roles()`
and `set_roles()` are what `idc --sim` persists between commands.

Trust policy evaluation covers what cross-account access uses: Allow and
Deny statements on sts:AssumeRole (or a wildcard), `Principal: "*"` or
`{"AWS": ...}` naming an account (id or `:root`), a user or a role, and
StringEquals / StringLike conditions on sts:ExternalId. Any other condition
is not met (refused rather than granted on a guess).
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any
from xml.sax.saxutils import escape

from moto.iam.models import iam_backends
from moto.sts.responses import TokenResponse

DEMO_ACCOUNT = "123456789012"
PARTITION = "aws"
_PENDING: dict[str, str] = {}  # role name -> trust policy JSON, not yet in IAM


def access_denied(message: str) -> tuple[int, dict[str, str], str]:
    """STS's AccessDenied as AWS sends it: HTTP 403, the query protocol's XML."""
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{escape(message)}</Message>"
        "</Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
    )
    return 403, {"Content-Type": "text/xml"}, body


def account_trust(account: str = DEMO_ACCOUNT) -> str:
    """A trust policy letting every principal of `account` assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def _iam_created() -> bool:
    return DEMO_ACCOUNT in iam_backends and PARTITION in dict.keys(iam_backends[DEMO_ACCOUNT])


def _iam() -> Any:
    return iam_backends[DEMO_ACCOUNT][PARTITION]


def add_role(name: str, trust_policy: str) -> None:
    """A role in the simulated account, kept beside moto's IAM until an IAM
    call creates that backend (see the module docstring)."""
    _PENDING[name] = trust_policy


def roles() -> dict[str, str]:
    """Every role of the simulated account: name -> trust policy JSON."""
    found = dict(_PENDING)
    if _iam_created():
        found |= {r.name: r.assume_role_policy_document for r in _iam().roles.values()}
    return found


def set_roles(saved: dict[str, str]) -> None:
    """The roles a saved simulator held."""
    _PENDING.clear()
    _PENDING.update(saved)


def clear() -> None:
    _PENDING.clear()


def _caller_arn(response: TokenResponse) -> str:
    """The caller as a trust policy names it: an assumed role as its role."""
    _, arn, _ = response.backend.get_caller_identity(response.get_access_key(), response.region)
    arn = str(arn)
    assumed = re.match(r"^arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/", arn)
    if assumed:
        return f"arn:{assumed[1]}:iam::{assumed[2]}:role/{assumed[3]}"
    return arn.replace(":sts::", ":iam::", 1)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal_matches(principal: Any, caller: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    account = caller.split(":")[4]
    for name in _listed(principal.get("AWS", [])):
        name = str(name)
        if name in ("*", caller, account) or name == f"arn:aws:iam::{account}:root":
            return True
    return False


def _action_matches(action: Any) -> bool:
    return any(fnmatch.fnmatchcase("sts:AssumeRole", str(a)) for a in _listed(action))


def _condition_holds(condition: Any, external_id: str | None) -> bool:
    for operator, tests in (condition or {}).items():
        for key, expected in (tests or {}).items():
            if key.lower() != "sts:externalid" or external_id is None:
                return False
            wanted = [str(e) for e in _listed(expected)]
            if operator == "StringEquals" and external_id not in wanted:
                return False
            if operator == "StringLike" and not any(
                fnmatch.fnmatchcase(external_id, w) for w in wanted
            ):
                return False
            if operator not in ("StringEquals", "StringLike"):
                return False
    return True


def trusts(policy: str, caller: str, external_id: str | None) -> bool:
    """Whether `policy` lets `caller` assume the role with `external_id`."""
    try:
        statements = _listed(json.loads(policy).get("Statement", []))
    except (ValueError, AttributeError):
        return False
    allowed = False
    for st in statements:
        if not isinstance(st, dict) or not _action_matches(st.get("Action", [])):
            continue
        if not _principal_matches(st.get("Principal"), caller):
            continue
        if not _condition_holds(st.get("Condition"), external_id):
            continue
        if st.get("Effect") == "Deny":
            return False
        allowed = allowed or st.get("Effect") == "Allow"
    return allowed


def _role_policy(role_arn: str) -> str | None:
    if not role_arn.startswith(f"arn:aws:iam::{DEMO_ACCOUNT}:role/"):
        return None
    name = role_arn.rsplit("/", 1)[-1]
    if name in _PENDING and role_arn == f"arn:aws:iam::{DEMO_ACCOUNT}:role/{name}":
        return _PENDING[name]
    if _iam_created():  # roles made with IAM's CreateRole (any path)
        for role in _iam().roles.values():
            if role.name == name and role.arn == role_arn:
                return str(role.assume_role_policy_document)
    return None


def _checked(original: Any) -> Any:
    """TokenResponse.call_action, answering AccessDenied instead of an
    AssumeRole the role's trust policy does not allow."""

    def call_action(self: TokenResponse) -> Any:
        if self._get_action() == "AssumeRole":
            role_arn = str(self._get_param("RoleArn") or "")
            policy = _role_policy(role_arn)
            if policy is None or not trusts(
                policy, _caller_arn(self), self._get_param("ExternalId")
            ):
                user = self.backend.get_caller_identity(self.get_access_key(), self.region)[1]
                return access_denied(
                    f"User: {user} is not authorized to perform: sts:AssumeRole on resource: "
                    f"{role_arn}"
                )
        return original(self)

    call_action.__wrapped__ = original  # type: ignore[attr-defined]
    return call_action


def install() -> None:
    """Patch moto's STS (called once, by reconciler.sim.patches)."""
    TokenResponse.call_action = _checked(TokenResponse.call_action)  # type: ignore[method-assign]
