"""Which Identity Center instance (and so which identity store) we work on.

Settings say `instance: auto` (the only instance; AWS allows one per account)
or an instance ARN. Either way we list the instances: ListInstances returns
the identity store id with the ARN, one call, and it proves the caller can
reach Identity Center before thousands of calls are made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.aws.paging import list_all
from reconciler.errors import AwsError


@dataclass(frozen=True)
class Instance:
    arn: str
    identity_store_id: str
    owner_account_id: str = ""


def find_instance(sso_admin: Any, instance: str = "auto") -> Instance:
    """The instance named by settings; AwsError when absent or ambiguous."""
    found = list_all(sso_admin, "ListInstances", "Instances", "Identity Center")
    if instance != "auto":
        found = [i for i in found if i["InstanceArn"] == instance]
        if not found:
            raise AwsError(
                "ListInstances",
                instance,
                "no such Identity Center instance in this account and region",
                "InstanceNotFound",
            )
    if not found:
        raise AwsError(
            "ListInstances",
            "Identity Center",
            "no Identity Center instance in this account and region; enable "
            "IAM Identity Center or set `region:` in idc.yaml",
            "InstanceNotFound",
        )
    if len(found) > 1:
        arns = ", ".join(sorted(i["InstanceArn"] for i in found))
        raise AwsError(
            "ListInstances",
            "Identity Center",
            f"several instances ({arns}); set `instance:` in idc.yaml to one ARN",
            "AmbiguousInstance",
        )
    item = found[0]
    return Instance(
        arn=item["InstanceArn"],
        identity_store_id=item["IdentityStoreId"],
        owner_account_id=item.get("OwnerAccountId", ""),
    )
