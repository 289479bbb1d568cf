"""Where each permission set is provisioned: permission set ARN -> account ids.

Apply needs it (a changed permission set is re-provisioned to exactly these
accounts) and the per-(account, permission set) assignment read walks it.
Two complete readings exist:

- per permission set: ListAccountsForProvisionedPermissionSet, one call per
  permission set plus one per further 100 accounts it is provisioned to;
- per account: ListPermissionSetsProvisionedToAccount, one call per account
  plus one per further 100 permission sets in it.

With P permission sets and A accounts, both at most 100, the costs are
exactly P and A (every answer fits one page), so the smaller side wins. A is
known only once the Organizations walk is over, which can take longer than
the permission set reads (60 OUs at 5 TPS: 12 s, i.e. 240 sso-admin calls
not made while waiting). So with P <= 100 we do not wait: per account only if
the walk has already ended with A < P, else per permission set. A wrong
guess costs P - A < 100 calls, less than the wait it avoids.

With more than 100 permission sets, only the counts are known before reading,
so each side is estimated as the mean of its best case (one page per request)
and its worst case (everything provisioned everywhere):
P * (1 + ceil(A/100)) / 2 against A * (1 + ceil(P/100)) / 2.

With `stale` (a plan of permission sets), each item of the chosen side is
also asked which of its pairs are provisioned but not at the permission
set's latest version (ProvisioningStatus=LATEST_PERMISSION_SET_NOT_PROVISIONED):
AWS does not push a permission set edit to accounts, so an edit made outside
this tool, or an assignment made between a plan and its apply, leaves roles
stale, and only this status shows it. One more call per item (usually one
page: stale pairs are few), on the side already chosen as the cheaper.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable

from reconciler.aws.errors import unless_missing
from reconciler.aws.paging import list_all
from reconciler.aws.read_context import ReadContext

PAGE = 100
STALE = "LATEST_PERMISSION_SET_NOT_PROVISIONED"
Provisioning = dict[str, set[str]]  # permission set ARN -> account ids


def provisioning_estimates(permission_sets: int, accounts: int) -> dict[str, float]:
    """Expected calls of each strategy, from counts alone (module docstring)."""
    return {
        "per-permission-set": permission_sets * (1 + math.ceil(accounts / PAGE)) / 2,
        "per-account": accounts * (1 + math.ceil(permission_sets / PAGE)) / 2,
    }


def choose_provisioning_strategy(
    permission_sets: int, account_count: Callable[[bool], int | None]
) -> tuple[str, dict[str, float]]:
    """The strategy and its estimates (module docstring). `account_count(wait)`
    is the number of accounts, None when not known yet and `wait` is False."""
    if permission_sets <= PAGE:
        accounts = account_count(False)
        if accounts is None:
            return "per-permission-set", {"per-permission-set": float(permission_sets)}
        estimates = {"per-permission-set": float(permission_sets), "per-account": float(accounts)}
    else:
        estimates = provisioning_estimates(permission_sets, account_count(True) or 0)
    strategy = min(estimates, key=lambda k: (estimates[k], k != "per-permission-set"))
    return strategy, estimates


def read_provisioned(
    ctx: ReadContext,
    ps_arns: list[str],
    account_count: Callable[[bool], int | None],
    account_ids: Callable[[], list[str]],
    *,
    stale: bool = False,
) -> tuple[Provisioning, Provisioning]:
    """(where each permission set is provisioned, where it is stale there).

    The second map is empty unless `stale` (module docstring). `account_ids`
    is only called (and so only waited for) when the per-account strategy wins.
    """
    sso = ctx.client("sso-admin")
    instance = ctx.instance_arn
    strategy, estimates = choose_provisioning_strategy(len(ps_arns), account_count)
    ctx.note(
        f"provisioning: {strategy} (estimated calls "
        + ", ".join(f"{k} {v:g}" for k, v in sorted(estimates.items()))
        + (", twice each: with the stale ones" if stale else "")
        + ")"
    )
    provisioned: Provisioning = {arn: set() for arn in ps_arns}
    outdated: Provisioning = {}

    def listing(operation: str, key: str, what: str, **params: str) -> list[str] | None:
        return unless_missing(
            lambda: list_all(sso, operation, key, what, InstanceArn=instance, **params)
        )

    def stale_listing(operation: str, key: str, what: str, **params: str) -> list[str] | None:
        return listing(operation, key, what, ProvisioningStatus=STALE, **params) if stale else []

    if strategy == "per-permission-set":

        def accounts_of(arn: str) -> tuple[str, list[str], list[str]] | None:
            args = (
                "ListAccountsForProvisionedPermissionSet",
                "AccountIds",
                f"permission set {arn}",
            )
            ids = listing(*args, PermissionSetArn=arn)
            old = stale_listing(*args, PermissionSetArn=arn)
            return None if ids is None or old is None else (arn, ids, old)

        for arn, ids, old in ctx.fan_out("sso-admin", "provisioning", accounts_of, ps_arns):
            provisioned[arn].update(ids)
            if old:
                outdated[arn] = set(old)
        return provisioned, outdated

    def permission_sets_in(account: str) -> tuple[str, list[str], list[str]] | None:
        args = ("ListPermissionSetsProvisionedToAccount", "PermissionSets", f"account {account}")
        arns = listing(*args, AccountId=account)
        old = stale_listing(*args, AccountId=account)
        return None if arns is None or old is None else (account, arns, old)

    by_arn: dict[str, set[str]] = defaultdict(set)
    for account, arns, old in ctx.fan_out(
        "sso-admin", "provisioning", permission_sets_in, account_ids()
    ):
        for arn in arns:
            by_arn[arn].add(account)
        for arn in old:
            if arn in provisioned:
                outdated.setdefault(arn, set()).add(account)
    # Permission sets created after ListPermissionSets are not in the snapshot.
    for arn in provisioned:
        provisioned[arn] = by_arn.get(arn, set())
    return provisioned, outdated
