"""The Simulator: moto with the fixes, as a context manager.

One per process at a time (moto's state is global). While active, boto3
clients created anywhere in the process talk to it; the fake credentials and
region it sets are restored on exit, with everything it simulated.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from moto import mock_aws
from moto.identitystore.models import identitystore_backends
from moto.kms.models import kms_backends
from moto.organizations.models import organizations_backends
from moto.s3.models import s3_backends
from moto.ssoadmin.models import ssoadmin_backends

from reconciler.sim import iam_fixes, patches, sts
from reconciler.sim.cloudtrail import TRAIL
from reconciler.sim.identitystore_backend import SimIdentityStoreBackend
from reconciler.sim.realism import Realism
from reconciler.sim.runtime import RUNTIME
from reconciler.sim.ssoadmin_backend import DEMO_ACCOUNT, DEMO_REGION, SimSSOAdminBackend

S3_PARTITION = "aws"  # moto keeps S3 per partition, not per region

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": DEMO_REGION,
    "AWS_REGION": DEMO_REGION,
    # moto's catalogue of AWS managed policies, so that IAM GetPolicy on
    # arn:aws:iam::aws:policy/... answers as AWS does (loaded on first IAM use).
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
}
CLEARED_ENV = ("AWS_PROFILE", "AWS_ENDPOINT_URL")


class SimulatorError(RuntimeError):
    """Misuse of the simulator (e.g. two active at once)."""


class Simulator:
    """Simulated IAM Identity Center, Identity Store and Organizations.

    `realism` may be replaced or changed in place while running; `calls`
    counts requests per "service:Operation" as the service saw them
    (throttled and failed attempts included).
    """

    _active: Simulator | None = None

    def __init__(self, realism: Realism | None = None) -> None:
        self._realism = realism or Realism()
        self._mock: Any = None
        self._saved_env: dict[str, str | None] = {}

    # --- lifecycle ---------------------------------------------------------

    def __enter__(self) -> Simulator:
        if Simulator._active is not None:
            raise SimulatorError("a Simulator is already running in this process")
        patches.install()
        names = (*FAKE_ENV, *CLEARED_ENV)
        self._saved_env = {k: os.environ.get(k) for k in names}
        self._mock = mock_aws()
        self._mock.start()
        os.environ.update(FAKE_ENV)
        for name in CLEARED_ENV:
            os.environ.pop(name, None)
        RUNTIME.realism = self._realism
        RUNTIME.restart()
        TRAIL.clear()
        Simulator._active = self
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            iam_fixes.drop_backends()  # state moto's stop would discard anyway
            self._mock.stop()
        finally:
            for key, value in self._saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            RUNTIME.realism = Realism()
            sts.clear()
            TRAIL.clear()
            Simulator._active = None

    # --- runtime knobs -----------------------------------------------------

    @property
    def realism(self) -> Realism:
        return self._realism

    @realism.setter
    def realism(self, value: Realism) -> None:
        self._realism = value
        RUNTIME.realism = value
        RUNTIME.restart(keep_calls=True)

    @property
    def calls(self) -> Counter[str]:
        return RUNTIME.calls

    def reset_calls(self) -> None:
        RUNTIME.calls.clear()

    # --- where state lives ---------------------------------------------------

    @property
    def account_id(self) -> str:
        return DEMO_ACCOUNT

    @property
    def region(self) -> str:
        return DEMO_REGION

    @property
    def sso_admin(self) -> SimSSOAdminBackend:
        return ssoadmin_backends[DEMO_ACCOUNT][DEMO_REGION]  # type: ignore[return-value]

    @property
    def identity_store(self) -> SimIdentityStoreBackend:
        return identitystore_backends[DEMO_ACCOUNT][DEMO_REGION]  # type: ignore[return-value]

    @property
    def s3(self) -> Any:
        return s3_backends[DEMO_ACCOUNT][S3_PARTITION]

    @property
    def kms(self) -> Any:
        return kms_backends[DEMO_ACCOUNT][DEMO_REGION]

    @property
    def organizations(self) -> Any:
        return organizations_backends[DEMO_ACCOUNT]["aws"]

    @property
    def trail(self) -> Any:
        """The recorded CloudTrail events (reconciler.sim.cloudtrail)."""
        return TRAIL

    @property
    def instance_arn(self) -> str:
        return str(self.sso_admin.instance.instance_arn)

    @property
    def identity_store_id(self) -> str:
        return str(self.sso_admin.instance.identity_store_id)

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for the simulated region (tests and seeding helpers)."""
        import boto3

        return boto3.session.Session(region_name=DEMO_REGION).client(service, **kwargs)  # type: ignore[call-overload]
