"""The one client factory: every boto3 client in idc comes from AwsSession.

It honours the standard AWS configuration (profiles, env, AWS_ENDPOINT_URL),
optional assume-role with an external id, botocore adaptive retries, and puts
a client-side rate limiter and a call counter on every client.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import ClientError, ProfileNotFound

from reconciler.aws.errors import NO_REGION, aws_call, config_problem, is_refusal
from reconciler.aws.ratelimit import RateLimiter, RateLimits
from reconciler.errors import IdcError, InputError

# The error codes AWS throttles with (botocore retries them).
THROTTLE_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "Throttling", "SlowDown"}
)
RETRY_CONFIG: Any = {"mode": "adaptive", "max_attempts": 12}


@dataclass
class CallStats:
    """API calls per `service:Operation` and HTTP attempts (retries included)."""

    calls: Counter[str] = field(default_factory=Counter)
    attempts: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)  # attempts AWS throttled
    throttle_wait: float = 0.0
    started: float = field(default_factory=time.monotonic)
    # Decisions worth showing with -v (e.g. the assignment read strategy).
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record_call(self, name: str, waited: float) -> None:
        with self._lock:
            self.calls[name] += 1
            self.throttle_wait += waited

    def record_attempt(self, name: str) -> None:
        with self._lock:
            self.attempts[name] += 1

    def record_throttle(self, name: str) -> None:
        with self._lock:
            self.throttled[name] += 1

    def metrics(self) -> dict[str, object]:
        """What a snapshot's manifest records of the run that read it:
        calls per service, attempts AWS throttled, retries, wall time."""
        per_service: Counter[str] = Counter()
        for name, count in self.calls.items():
            per_service[name.split(":", 1)[0]] += count
        return {
            "api_calls": dict(sorted(per_service.items())),
            "throttled": sum(self.throttled.values()),
            "retried": max(0, self.total_attempts - self.total_calls),
            "seconds": round(self.elapsed(), 1),
        }

    def add_note(self, message: str) -> None:
        with self._lock:
            self.notes.append(message)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def total_attempts(self) -> int:
        return sum(self.attempts.values())

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class AwsSession:
    def __init__(
        self,
        profile: str | None = None,
        region: str | None = None,
        role_arn: str | None = None,
        external_id: str | None = None,
        limits: RateLimits | None = None,
        max_pool_connections: int = 32,
    ) -> None:
        self._boto = _session(profile, region)
        if role_arn:
            self._boto = _assume_role(self._boto, role_arn, external_id, region)
        if not self._boto.region_name:
            # Every client would raise botocore's NoRegionError on its first call.
            raise InputError(NO_REGION)
        self.region: str = self._boto.region_name
        self.limiter = RateLimiter(limits or RateLimits())
        self.stats = CallStats()
        self._config = Config(
            retries=RETRY_CONFIG,
            max_pool_connections=max_pool_connections,
            user_agent_extra="idc-reconciler",
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._attempts = threading.local()  # per thread: botocore retries synchronously

    def client(self, service: str) -> Any:
        """A shared, thread-safe client per service (boto3 clients are thread-safe)."""
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                boto: Any = self._boto  # the stubs only know literal service names
                client = boto.client(service, config=self._config)
                client.meta.events.register("before-call", self._before_call)
                client.meta.events.register("before-send", self._before_send)
                client.meta.events.register("needs-retry", self._after_attempt)
                self._clients[service] = client
            return client

    def _before_call(self, model: Any, **_: Any) -> None:
        service = model.service_model.endpoint_prefix
        service = "sso-admin" if service == "sso" else service
        waited = self.limiter.acquire(service, model.name)
        self.stats.record_call(f"{service}:{model.name}", waited)

    def _before_send(self, event_name: str, **_: Any) -> None:
        # event_name is "before-send.<service>.<Operation>"
        _prefix, service, operation = event_name.split(".", 2)
        self.stats.record_attempt(f"{service}:{operation}")

    def _after_attempt(
        self,
        response: Any = None,
        caught_exception: BaseException | None = None,
        event_name: str = "",
        **_: Any,
    ) -> None:
        """Every HTTP attempt ends here (botocore's needs-retry event): note
        one that may have reached AWS without an answer, a 5xx or a lost
        connection, so a later refusal of the retry is not taken as proof
        that the call did nothing."""
        if response is not None and response[1].get("Error", {}).get("Code") in THROTTLE_CODES:
            # event_name is "needs-retry.<service>.<Operation>"
            self.stats.record_throttle(event_name.split(".", 1)[-1].replace(".", ":", 1))
        if caught_exception is not None:
            unanswered = not is_refusal(caught_exception)
        else:
            unanswered = response is not None and response[0].status_code >= 500
        if unanswered:
            self._attempts.unanswered = True

    def begin_write(self) -> None:
        """Start tracking unanswered attempts of one write, on this thread."""
        self._attempts.unanswered = False

    def write_had_unanswered_attempt(self) -> bool:
        """Whether an attempt since `begin_write` got a 5xx or lost its connection."""
        return bool(getattr(self._attempts, "unanswered", False))

    def caller_identity(self) -> dict[str, str]:
        with aws_call("GetCallerIdentity", "the caller"):
            ident = self.client("sts").get_caller_identity()
        return {"account": ident["Account"], "arn": ident["Arn"], "user_id": ident["UserId"]}


def _session(profile: str | None, region: str | None) -> boto3.Session:
    """boto3's session; an unknown profile becomes an error saying what to do."""
    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as exc:
        raise InputError(str(config_problem(exc))) from None


def _assume_role(
    base: boto3.Session, role_arn: str, external_id: str | None, region: str | None
) -> boto3.Session:
    """A session acting as `role_arn`, whose credentials renew themselves.

    botocore's assume-role fetcher with deferred refreshable credentials
    (what a profile's role_arn uses): the role is assumed at the first call
    and again before the credentials expire, so a long snapshot or apply of
    thousands of accounts never meets an expired token. A role that cannot
    be assumed is an error naming it and AWS's reason."""
    source = base.get_credentials()
    if source is None:
        raise IdcError(
            f"cannot assume {role_arn}: no AWS credentials to assume it with "
            "(configure a profile, environment variables or an instance role)"
        )
    extra: dict[str, Any] = {"RoleSessionName": "idc"}
    if external_id:
        extra["ExternalId"] = external_id
    core = base._session  # the botocore session behind boto3's
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=core.create_client,
        source_credentials=source,
        role_arn=role_arn,
        extra_args=extra,
    )

    def fetch() -> dict[str, Any]:
        try:
            return fetcher.fetch_credentials()
        except ClientError as exc:
            error = exc.response.get("Error", {})
            reason = f"{error.get('Code', 'error')}: {error.get('Message', exc)}"
            raise IdcError(f"cannot assume {role_arn} (sts:AssumeRole): {reason}") from None

    assumed = botocore.session.Session()
    assumed._credentials = DeferredRefreshableCredentials(fetch, "assume-role")  # type: ignore[attr-defined]
    assumed.set_config_variable("region", region or base.region_name)
    return boto3.Session(botocore_session=assumed)
