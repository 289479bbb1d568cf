"""Permission sets, with the value normalisation that makes comparison semantic.

AWS re-encodes inline policies and accepts several spellings of one session
duration; normalising here means the planner compares values, never spellings.
An inline policy is kept as written (canonical JSON of the person's
document, which is what is sent to AWS) and compared by its IAM meaning
(`inline_policy_identity`, model.policies): permission sets are equal when
their policies are, whatever the spelling.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from reconciler.model.policies import canonical_json, policy_identity

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<d>\d+)D)?(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


def duration_seconds(value: str) -> int:
    """Seconds in an ISO-8601 duration of days/hours/minutes/seconds (PT8H, PT90M)."""
    match = _DURATION.match(value.strip().upper())
    if not match:
        raise ValueError(f"not an ISO-8601 duration like PT8H: {value!r}")
    parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def normalize_duration(value: str) -> str:
    """Canonical spelling: PT60M -> PT1H, PT90M -> PT1H30M."""
    total = duration_seconds(value)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    out = "PT"
    out += f"{hours}H" if hours else ""
    out += f"{minutes}M" if minutes else ""
    out += f"{seconds}S" if seconds or total == 0 else ""
    return out


@dataclass(frozen=True, order=True)
class CustomerManagedPolicy:
    name: str
    path: str = "/"


@dataclass(frozen=True)
class PermissionsBoundary:
    """Exactly one of the two is set, as in the API."""

    managed_policy_arn: str | None = None
    customer_managed_policy: CustomerManagedPolicy | None = None


@dataclass(frozen=True)
class PermissionSet:
    name: str
    description: str | None = None
    session_duration: str | None = None  # canonical, see normalize_duration
    relay_state: str | None = None
    managed_policies: tuple[str, ...] = ()  # sorted ARNs
    customer_managed_policies: tuple[CustomerManagedPolicy, ...] = ()  # sorted
    # canonical_json of the policy document as written (what AWS is sent);
    # never compared itself: equality goes by inline_policy_identity.
    inline_policy: str | None = field(default=None, compare=False)
    permissions_boundary: PermissionsBoundary | None = None
    tags: tuple[tuple[str, str], ...] = ()  # sorted (key, value)
    inline_policy_identity: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        identity = None
        if self.inline_policy is not None:
            identity = policy_identity(json.loads(self.inline_policy))
        object.__setattr__(self, "inline_policy_identity", identity)

    @property
    def key(self) -> str:
        return self.name

    @property
    def inline_policy_document(self) -> Any:
        return None if self.inline_policy is None else json.loads(self.inline_policy)

    @classmethod
    def build(
        cls,
        name: str,
        *,
        description: str | None = None,
        session_duration: str | None = None,
        relay_state: str | None = None,
        managed_policies: tuple[str, ...] | list[str] = (),
        customer_managed_policies: tuple[CustomerManagedPolicy, ...]
        | list[CustomerManagedPolicy] = (),
        inline_policy: Any = None,
        permissions_boundary: PermissionsBoundary | None = None,
        tags: dict[str, str] | None = None,
    ) -> PermissionSet:
        """Construct with every value normalised; the only constructor callers need."""
        if isinstance(inline_policy, str):
            inline_policy = json.loads(inline_policy) if inline_policy.strip() else None
        return cls(
            name=name,
            description=description,
            session_duration=normalize_duration(session_duration) if session_duration else None,
            relay_state=relay_state,
            managed_policies=tuple(sorted(set(managed_policies))),
            customer_managed_policies=tuple(sorted(set(customer_managed_policies))),
            inline_policy=None if inline_policy is None else canonical_json(inline_policy),
            permissions_boundary=permissions_boundary,
            tags=tuple(sorted((tags or {}).items())),
        )
