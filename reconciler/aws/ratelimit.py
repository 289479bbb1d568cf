"""Client-side rate limits per AWS API family, so we never earn throttling.

Identity Center's sso-admin limit is collective (20 TPS across all its
operations); Identity Store's is per API; Organizations has a token bucket
per operation (docs/aws.md#rate-limits). Adaptive retries handle what slips past.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

# Organizations (rate/s, burst) per account, docs/aws.md#rate-limits.
ORGANIZATIONS_LIMITS: dict[str, tuple[float, int]] = {
    "ListAccounts": (8, 12),
    "ListAccountsForParent": (5, 8),
    "ListOrganizationalUnitsForParent": (5, 8),
    "ListParents": (5, 8),
    "ListChildren": (6, 10),
    "ListRoots": (1, 2),
    "ListTagsForResource": (10, 15),
    "DescribeAccount": (20, 30),
    "DescribeOrganization": (1, 2),
    "DescribeOrganizationalUnit": (2, 2),
}
ORGANIZATIONS_DEFAULT = (1.0, 2)


class TokenBucket:
    """Blocks until a token is free; thread-safe; `rate` tokens per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = float(max(burst, 1))
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token; returns the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return waited
                delay = (1 - self._tokens) / self.rate
            time.sleep(delay)
            waited += delay


@dataclass
class RateLimits:
    """Requests per second per family; `None` disables client-side limiting."""

    sso_admin_tps: float | None = 20.0
    identitystore_tps: float | None = 20.0
    organizations: bool = True


class RateLimiter:
    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, service: str, operation: str) -> TokenBucket | None:
        if service == "sso-admin" and self.limits.sso_admin_tps:
            key, rate, burst = (service, "*"), self.limits.sso_admin_tps, 1
        elif service == "identitystore" and self.limits.identitystore_tps:
            key, rate, burst = (service, operation), self.limits.identitystore_tps, 1
        elif service == "organizations" and self.limits.organizations:
            rate, _burst = ORGANIZATIONS_LIMITS.get(operation, ORGANIZATIONS_DEFAULT)
            # Burst 1 here too: spending the service's burst up front leaves
            # nothing to absorb arrival jitter, and a throttled call slows the
            # whole client (botocore's adaptive mode backs off per client).
            key, burst = (service, operation), 1
        else:
            return None
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                # Start with a burst of 1 for sso-admin/identitystore: the
                # service counts a rolling second, not our notion of burst.
                bucket = self._buckets[key] = TokenBucket(rate, burst)
            return bucket

    def acquire(self, service: str, operation: str) -> float:
        bucket = self._bucket(service, operation)
        return bucket.acquire() if bucket else 0.0
