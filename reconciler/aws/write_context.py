"""What every write module needs: clients, ids, name resolution and one `call`.

`call` is the writer's single path to AWS. It translates botocore failures into
AwsError through the reader's `aws.errors` (one translation for the product)
and adds the one retry AWS asks for beyond botocore's adaptive retries:
ConflictException. sso-admin documents it as "a conflict with a previous
successful write ... the previous write did not have time to propagate ... A
retry (with appropriate backoff logic) is the recommended response";
Identity Store marks the transient kind with Reason CONCURRENT_MODIFICATION
(UNIQUENESS_CONSTRAINT_VIOLATION is a real duplicate and never retried).
A conflict that answers a retry of an unanswered attempt (the first request
may have done the work, its response lost) is not retried either: it is the
request's own effect far more often than a propagation delay, so it goes
straight back to the op, which settles it against live state.

`writes_made` counts, per thread, the write calls AWS accepted: an op made
of several calls (a permission set) uses it to tell a refusal of its first
call (nothing changed) from one after earlier calls took effect (half done).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from reconciler.aws.clients import AwsSession
from reconciler.aws.errors import to_aws_error
from reconciler.errors import AwsError

if TYPE_CHECKING:
    from reconciler.aws.write_ids import IdResolver

# CreatePermissionSet's ConflictException means "name already exists": permanent.
_CONFLICT_NOT_TRANSIENT = frozenset({"CreatePermissionSet"})
_READ_PREFIXES = ("List", "Describe", "Get")


@dataclass(frozen=True)
class ConflictRetry:
    """Bounded exponential backoff with jitter for transient ConflictExceptions.

    The defaults wait up to ~30 s in total, long enough for AWS to finish a
    de-provisioning that blocks DeletePermissionSet in the common case, short
    enough that a permanent conflict surfaces while the user still watches.
    """

    attempts: int = 8
    base: float = 0.25
    cap: float = 8.0

    def delay(self, attempt: int) -> float:
        """Seconds before retry `attempt` (1-based): half fixed, half random."""
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def _is_transient_conflict(exc: ClientError, operation: str) -> bool:
    error = exc.response.get("Error", {})
    if error.get("Code") != "ConflictException" or operation in _CONFLICT_NOT_TRANSIENT:
        return False
    reason = exc.response.get("Reason") or error.get("Reason")
    return reason != "UNIQUENESS_CONSTRAINT_VIOLATION"


def for_op(exc: AwsError, target: str) -> AwsError:
    """The same failure, named by the op's target (Op.describe()) as users read it."""
    if exc.resource == target:
        return exc
    return AwsError(exc.operation, target, exc.reason, exc.code, exc.refused)


def half_done(exc: AwsError, earlier_writes: int) -> AwsError:
    """The failure of a call that came after `earlier_writes` accepted calls
    of the same op: a refusal of it no longer proves the op changed nothing."""
    if earlier_writes <= 0 or not exc.refused:
        return exc
    reason = f"{exc.reason} (after {earlier_writes} earlier call(s) of this change took effect)"
    return AwsError(exc.operation, exc.resource, reason, exc.code, refused=False)


@dataclass
class WriteContext:
    """Shared by the write_* modules of one Writer."""

    session: AwsSession
    instance_arn: str
    identity_store_id: str
    conflict_retry: ConflictRetry = field(default_factory=ConflictRetry)
    conflicts_retried: int = 0
    names: IdResolver = field(init=False)
    _writes: threading.local = field(init=False, default_factory=threading.local)

    def __post_init__(self) -> None:
        from reconciler.aws.write_ids import IdResolver

        self.names = IdResolver(self)

    def writes_made(self) -> int:
        """Write calls AWS accepted so far in this thread (module docstring)."""
        return int(getattr(self._writes, "count", 0))

    @property
    def sso(self) -> Any:
        return self.session.client("sso-admin")

    @property
    def store(self) -> Any:
        return self.session.client("identitystore")

    def call(self, client: Any, operation: str, resource: str, **params: Any) -> dict[str, Any]:
        """One API call by its AWS name; AwsError on failure, conflicts retried."""
        method = getattr(client, xform_name(operation))
        self.session.begin_write()
        attempt = 0
        while True:
            attempt += 1
            try:
                result: dict[str, Any] = method(**params)
            except ClientError as exc:
                if (
                    attempt < self.conflict_retry.attempts
                    and _is_transient_conflict(exc, operation)
                    and not self.session.write_had_unanswered_attempt()
                ):
                    self.conflicts_retried += 1
                    time.sleep(self.conflict_retry.delay(attempt))
                    continue
                raise self._error(exc, operation, resource) from exc
            except BotoCoreError as exc:
                raise self._error(exc, operation, resource) from exc
            if not operation.startswith(_READ_PREFIXES):
                self._writes.count = self.writes_made() + 1
            return result

    def _error(self, exc: ClientError | BotoCoreError, operation: str, resource: str) -> AwsError:
        unanswered = self.session.write_had_unanswered_attempt()
        return to_aws_error(exc, operation, resource, unanswered_attempt=unanswered)

    def sso_call(self, operation: str, resource: str, **params: Any) -> dict[str, Any]:
        """An sso-admin call on this instance (InstanceArn filled in)."""
        return self.call(self.sso, operation, resource, InstanceArn=self.instance_arn, **params)

    def store_call(self, operation: str, resource: str, **params: Any) -> dict[str, Any]:
        """An identitystore call on this store (IdentityStoreId filled in)."""
        return self.call(
            self.store, operation, resource, IdentityStoreId=self.identity_store_id, **params
        )
