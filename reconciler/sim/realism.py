"""Optional realism: latency, server-side rate limits, async delays, conflicts, faults.

All off by default so functional tests run at full speed. A Simulator holds
one `Realism` that tests and benchmarks may change at any time; the gate in
`reconciler.sim.patches` consults it on every request, in-process or served.
Faults are deterministic for a given seed and request sequence. What the
gate did is counted where the test that configured it can look: each
FaultRule's `fired`, and Realism's `throttled`, so a test of riding out
faults can check that there were faults to ride out.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# Organizations (rate/s, burst) per API, per account: AWS-NOTES table 1.2.
ORGANIZATIONS_RATES: dict[str, tuple[float, int]] = {
    "ListAccounts": (8, 12),
    "ListAccountsForParent": (5, 8),
    "ListOrganizationalUnitsForParent": (5, 8),
    "ListParents": (5, 8),
    "ListChildren": (6, 10),
    "ListRoots": (1, 2),
    "ListTagsForResource": (10, 15),
    "DescribeAccount": (20, 30),
    "DescribeOrganization": (1, 2),
    "CreateOrganizationalUnit": (1, 2),
    "DescribeOrganizationalUnit": (2, 2),
    "ListDelegatedAdministrators": (5, 8),
    "ListAWSServiceAccessForOrganization": (1, 3),
    "ListDelegatedServicesForAccount": (1, 3),
    "TagResource": (4, 6),
    "UntagResource": (4, 6),
}
ORGANIZATIONS_DEFAULT_RATE = (1.0, 2)
CLOUDTRAIL_RATE = 2.0  # LookupEvents per second, per account and region


@dataclass
class FaultRule:
    """Make matching calls fail.

    `operation` is "Operation", "service:Operation" or "*"; `resource` a
    substring the request body must contain (an ARN, an account id, a user
    id...). The rule fires with `probability`, on every `every_nth` match, or
    on every match when `permanent` (or when neither of the others is set),
    at most `times` times. With `async_failure` set, an asynchronous sso-admin
    call is accepted (IN_PROGRESS) and then ends FAILED with that
    FailureReason instead of returning an HTTP error. With `after_effect`,
    the call is carried out (its change is made and kept) and then the
    client gets the rule's error instead of the real response: a response
    lost on its way back, so a retry meets what the first attempt did
    (ConflictException "already exists", ResourceNotFoundException, ...).

    With `hold` set, a firing call first waits until the event is set, then
    fails as above: a request lost on its way to AWS while the client hangs
    on it. Other calls go on meanwhile, so a test can stop the client at
    that exact instant (`kill -9` with the intent journaled, the outcome not).
    `hold_path` does the same across processes (an `idc --sim` command
    configured through IDC_SIM_REALISM): the call creates `<hold_path>.held`
    and waits until `hold_path` exists.
    `fired` counts firings, a held call from the moment it is held.
    """

    operation: str
    code: str = "InternalServerException"
    status: int = 500
    message: str = "An internal error occurred. Try again later."
    resource: str | None = None
    probability: float | None = None
    every_nth: int | None = None
    permanent: bool = False
    times: int | None = None
    async_failure: str | None = None
    after_effect: bool = False
    hold: threading.Event | None = field(default=None, compare=False)
    hold_path: str | None = None
    matched: int = field(default=0, compare=False)
    fired: int = field(default=0, compare=False)

    def matches(self, service: str, operation: str, body: str) -> bool:
        if self.operation not in ("*", operation, f"{service}:{operation}"):
            return False
        return self.resource is None or self.resource in body


@dataclass
class Realism:
    """What the simulator does beyond functional correctness.

    latency: seconds added to every call (plus up to `jitter` more).
    rate_limits: reject calls above the AWS rates with the AWS throttling error.
    async_delay: seconds an asynchronous sso-admin call stays IN_PROGRESS;
      its effect on state is only visible once it has SUCCEEDED.
    conflicts: a write to a permission set while an operation on it is in
      progress, or within `conflict_window` seconds of the previous write,
      fails with ConflictException as AWS does while a change propagates.
    cloudtrail_delay: seconds before a recorded CloudTrail event becomes
      visible to LookupEvents (AWS: about 5 minutes on average, not guaranteed).
    throttled: how many calls rate_limits has rejected so far.
    all_provisioned_max: how many accounts one ProvisionPermissionSet with
      TargetType ALL_PROVISIONED_ACCOUNTS may reach (AWS's quota, 3500, is the
      default; it is on even without realism, like every AWS refusal). Tests
      lower it to reach the limit with a handful of accounts.
    """

    latency: float = 0.0
    jitter: float = 0.0
    rate_limits: bool = False
    sso_admin_tps: float = 20.0
    identitystore_tps: float = 20.0
    async_delay: float = 0.0
    conflicts: bool = False
    conflict_window: float = 0.0
    cloudtrail_delay: float = 0.0
    faults: list[FaultRule] = field(default_factory=list)
    seed: int = 0
    all_provisioned_max: int = 3500
    throttled: int = field(default=0, compare=False)


class _Bucket:
    """Non-blocking token bucket: a call either gets a token or is throttled."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.capacity = rate, max(burst, 1.0)
        self.tokens, self.updated = self.capacity, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class RateTable:
    """The service-side buckets: sso-admin collective, identitystore and
    Organizations per API."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, realism: Realism, service: str, operation: str, region: str = "") -> bool:
        if service == "cloudtrail":
            # LookupEvents: 2 per second per account and region.
            key, rate, burst = (service, f"{operation}@{region}"), CLOUDTRAIL_RATE, CLOUDTRAIL_RATE
        elif service == "sso-admin":
            key, rate, burst = (service, "*"), realism.sso_admin_tps, realism.sso_admin_tps
        elif service == "identitystore":
            key, rate, burst = (
                (service, operation),
                realism.identitystore_tps,
                realism.identitystore_tps,
            )
        elif service == "organizations":
            rate, burst_i = ORGANIZATIONS_RATES.get(operation, ORGANIZATIONS_DEFAULT_RATE)
            key, burst = (service, operation), float(burst_i)
        else:
            return True
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None or bucket.rate != rate:
                bucket = self._buckets[key] = _Bucket(rate, burst)
            if bucket.take():
                return True
            realism.throttled += 1
            return False


def wait_for_file(path: str) -> None:
    """Say "held" with `<path>.held`, then wait until `path` exists."""
    Path(f"{path}.held").touch()
    while not Path(path).exists():
        time.sleep(0.02)


class FaultPicker:
    """Chooses which rule (if any) fires for a call; seeded, so repeatable."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self._lock = threading.Lock()

    def pick(self, realism: Realism, service: str, operation: str, body: str) -> FaultRule | None:
        rule = self._choose(realism, service, operation, body)
        if rule is not None and rule.hold is not None:
            rule.hold.wait()  # outside the lock: only this call waits
        if rule is not None and rule.hold_path is not None:
            wait_for_file(rule.hold_path)
        return rule

    def _choose(
        self, realism: Realism, service: str, operation: str, body: str
    ) -> FaultRule | None:
        with self._lock:
            if realism.seed != self.seed:
                self.seed, self.rng = realism.seed, random.Random(realism.seed)
            for rule in realism.faults:
                if not rule.matches(service, operation, body):
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                rule.matched += 1
                if rule.probability is not None:
                    fire = self.rng.random() < rule.probability
                elif rule.every_nth:
                    fire = rule.matched % rule.every_nth == 0
                else:
                    fire = True
                if fire:
                    rule.fired += 1
                    return rule
            return None
