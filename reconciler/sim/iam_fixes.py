"""moto's IAM without re-reading its managed-policy catalogue every time.

With MOTO_IAM_LOAD_MANAGED_POLICIES on (the Simulator sets it, so IAM
GetPolicy on arn:aws:iam::aws:policy/... answers as AWS does), moto 5.2.1
builds every IAM backend by parsing its 4 MB JSON catalogue of AWS managed
policies and serialising each policy document back to JSON. It builds one
backend per account and partition: each account Organizations' CreateAccount
makes gets five (moto looks up access keys in every partition), and
stopping the mock re-initialises each backend before throwing it away. A
test with 20 accounts spent minutes there.

The catalogue is constant, so it is parsed (and each document serialised)
once per process; every backend still gets its own fresh policy objects, in
the same order, with the same random ids drawn, so IAM behaves exactly as
before. Looking up an access key no longer creates a backend for every
partition of every account on the way (a backend not yet created holds no
keys, so the answer is the same). `drop_backends` lets the Simulator
discard IAM state on exit without moto's wasted re-initialisation.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam import models
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend, ManagedPolicy, iam_backends
from moto.settings import load_iam_aws_managed_policies
from moto.utilities.utils import PARTITION_NAMES


@functools.cache
def _catalogue() -> tuple[tuple[str, dict[str, Any], str], ...]:
    """(name, data, document as JSON) for every AWS managed policy."""
    parsed = json.loads(aws_managed_policies_data)
    return tuple((name, d, json.dumps(d.get("Document"))) for name, d in parsed.items())


def _init_aws_policies(self: Any) -> list[ManagedPolicy]:
    """IAMBackend._init_aws_policies with the catalogue parsed once
    (AWSManagedPolicy.from_data, field for field)."""
    if not load_iam_aws_managed_policies():
        return []
    policy: Any = AWSManagedPolicy  # moto's class; mypy sees its CFN methods abstract
    return [
        policy(
            name,
            account_id=self.account_id,
            region=self.region_name,
            default_version_id=d.get("DefaultVersionId"),
            path=d.get("Path"),
            document=document,
            create_date=datetime.fromisoformat(d["CreateDate"]),
            update_date=datetime.fromisoformat(d["UpdateDate"]),
        )
        for name, d, document in _catalogue()
    ]


def _get_account_id_from(access_key: str) -> str:
    """moto.iam.models.get_account_id_from, reading only the backends that
    exist (indexing an absent one builds it, catalogue and all)."""
    for account_id, account in list(iam_backends.items()):
        for partition in PARTITION_NAMES:
            if partition in dict.keys(account) and access_key in account[partition].access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


def drop_backends() -> None:
    """Forget every IAM backend now; moto's reset on stop would rebuild
    each one (catalogue included) only to clear them all afterwards."""
    iam_backends.clear()


def install() -> None:
    """Called once by reconciler.sim.patches.install."""
    IAMBackend._init_aws_policies = _init_aws_policies  # type: ignore[method-assign]
    models.get_account_id_from = _get_account_id_from
