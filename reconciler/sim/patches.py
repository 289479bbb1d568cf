"""Install the fidelity fixes and the realism gate on moto, once per process.

moto dispatches sso-admin, identitystore and organizations requests by their
X-Amz-Target operation name to methods of its response classes and keeps
state in backends created from a class held by each BackendDict. Installing
means: our backend subclasses replace those classes, our operation functions
become response methods, and `call_action` is wrapped with the gate. The
wrapper runs for in-process calls (botocore's stubber) and for `idc sim
serve` (moto's werkzeug server) alike, so both see one behaviour.
"""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

from moto.cloudtrail.responses import CloudTrailResponse
from moto.identitystore.models import identitystore_backends
from moto.identitystore.responses import IdentityStoreResponse
from moto.organizations.responses import OrganizationsResponse
from moto.ssoadmin.models import ssoadmin_backends
from moto.ssoadmin.responses import SSOAdminResponse

from reconciler.sim import (
    cloudtrail,
    iam_fixes,
    identitystore_responses,
    kms_fixes,
    organizations_responses,
    s3_conditional,
    ssoadmin_responses,
    sts,
)
from reconciler.sim.awserrors import SimAwsError, throttling, too_many_requests
from reconciler.sim.identitystore_backend import SimIdentityStoreBackend
from reconciler.sim.paging import max_results_error
from reconciler.sim.runtime import RUNTIME
from reconciler.sim.ssoadmin_backend import SimSSOAdminBackend

_READS = ("List", "Describe", "Get", "IsMember")
_installed = False
_install_lock = threading.Lock()
_jitter = random.Random(0)


def gate(
    service: str, operation: str, raw_body: str, region: str = ""
) -> tuple[SimAwsError | None, SimAwsError | None]:
    """What happens to a request before the service handles it: counted,
    delayed, throttled, failed by a fault rule, or rejected for MaxResults.

    Returns (refusal, lost): a refusal is answered instead of the service;
    `lost` (a fault rule with after_effect) is answered after the service
    has acted, in place of its real response."""
    RUNTIME.count(f"{service}:{operation}")
    realism = RUNTIME.realism
    if realism.latency or realism.jitter:
        time.sleep(realism.latency + (_jitter.random() * realism.jitter if realism.jitter else 0.0))
    if realism.rate_limits and not RUNTIME.rates.allow(realism, service, operation, region):
        throttled = (
            too_many_requests(operation)
            if service == "organizations"
            else throttling(service, operation)
        )
        return throttled, None
    rule = RUNTIME.faults.pick(realism, service, operation, raw_body) if realism.faults else None
    RUNTIME.set_async_failure(None)
    lost = None
    if rule is not None:
        if rule.async_failure is not None:
            RUNTIME.set_async_failure(rule)
        elif rule.after_effect:
            lost = SimAwsError(rule.code, rule.message, status=rule.status)
        else:
            return SimAwsError(rule.code, rule.message, status=rule.status), None
    try:
        body = json.loads(raw_body or "{}")
    except ValueError:
        body = {}
    return max_results_error(service, operation, body if isinstance(body, dict) else {}), lost


def _gated(original: Any, service: str) -> Any:
    def call_action(self: Any) -> Any:
        operation = self._get_action()
        raw = self.body.decode() if isinstance(self.body, bytes) else (self.body or "")
        refusal, lost = gate(service, operation, raw, self.region)
        if refusal is not None:
            return refusal.as_response()
        with RUNTIME.lock:
            if service == "sso-admin":
                backend: Any = ssoadmin_backends[self.current_account][self.region]
                backend.settle()
            try:
                response = original(self)
                if service in cloudtrail.SOURCES and not operation.startswith(_READS):
                    _record(self, service, operation, raw, response)
            finally:
                RUNTIME.set_async_failure(None)
                # Any sso-admin call may settle async work; reads elsewhere do not.
                changes = service == "sso-admin" or not operation.startswith(_READS)
                if RUNTIME.after_change is not None and changes:
                    RUNTIME.after_change()
        return lost.as_response() if lost is not None else response

    call_action.__wrapped__ = original  # type: ignore[attr-defined]
    return call_action


def _record(self: Any, service: str, operation: str, raw: str, response: Any) -> None:
    """A call AWS accepted becomes a CloudTrail event (even when its response
    is then lost on the way back: AWS logged the call)."""
    status, _headers, body = response
    if int(status) >= 400:
        return
    text = body.decode() if isinstance(body, bytes) else str(body or "")
    cloudtrail.record(
        service, operation, self.current_account, self.region, self.headers, raw, text
    )


def install() -> None:
    """Idempotent: patch moto's classes the first time a Simulator starts."""
    global _installed
    with _install_lock:
        if _installed:
            return
        ssoadmin_backends.backend = SimSSOAdminBackend
        identitystore_backends.backend = SimIdentityStoreBackend
        targets = (
            (SSOAdminResponse, "sso-admin", ssoadmin_responses.OPERATIONS),
            (IdentityStoreResponse, "identitystore", identitystore_responses.OPERATIONS),
            (OrganizationsResponse, "organizations", organizations_responses.OPERATIONS),
            (CloudTrailResponse, "cloudtrail", cloudtrail.OPERATIONS),
        )
        for cls, service, operations in targets:
            for name, function in operations.items():
                setattr(cls, name, function)
            cls.call_action = _gated(cls.call_action, service)  # type: ignore[method-assign]
        s3_conditional.install()
        kms_fixes.install()
        iam_fixes.install()
        sts.install()
        _installed = True
