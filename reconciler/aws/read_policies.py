"""Which AWS managed policies exist, asked of IAM one ARN at a time.

A restore attaches the AWS managed policies its backup names; one AWS has
retired since (or a backup from another partition) fails the attach half-way
through the restore. The compatibility check asks first. IAM has no batch
lookup and listing every AWS managed policy costs more pages than a backup
names policies, so this is one GetPolicy per distinct ARN; NoSuchEntity
means missing, any other failure stops the check (an AwsError naming the
call and AWS's reason).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reconciler.aws.clients import AwsSession
from reconciler.aws.paging import call
from reconciler.errors import AwsError

# arn:<partition>:iam::aws:policy/<path/>name: owned by AWS, not an account.
_AWS_MANAGED = re.compile(r"^arn:[a-z-]+:iam::aws:policy/.+")
NO_SUCH_ENTITY = "NoSuchEntity"


def is_aws_managed(arn: str) -> bool:
    return bool(_AWS_MANAGED.match(arn))


def missing_aws_managed_policies(session: AwsSession, arns: Iterable[str]) -> set[str]:
    """The AWS managed policy ARNs among `arns` that IAM does not know
    (others in `arns` are ignored)."""
    iam = session.client("iam")
    missing: set[str] = set()
    for arn in sorted({a for a in arns if is_aws_managed(a)}):
        try:
            call(iam, "GetPolicy", f"AWS managed policy {arn}", PolicyArn=arn)
        except AwsError as exc:
            if exc.code != NO_SUCH_ENTITY:
                raise
            missing.add(arn)
    return missing
