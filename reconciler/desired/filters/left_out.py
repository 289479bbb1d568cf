"""What a filter leaves out only because idc.yaml says so, and how to say it.

Filters never select a suspended account or the management account unless
`accounts.include_suspended` / `accounts.include_management` is set: a rule
on `ou:/Root/Sandbox` silently granting nothing on a suspended sandbox is the
intended behaviour, but it must not be a silent one. `idc accounts` and plans
count those accounts with one wording, naming the setting that decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from reconciler.desired.filters.evaluate import expand
from reconciler.desired.filters.inventory import Inventory
from reconciler.desired.filters.nodes import Expr

MANAGEMENT = "management account"
_SETTING = {MANAGEMENT: "accounts.include_management"}
_FLAG = {MANAGEMENT: "--include-management"}


def left_out(expr: Expr | str, inventory: Inventory) -> dict[str, frozenset[str]]:
    """Reason ("suspended", "management account") -> ids of the accounts `expr`
    would select were every account eligible, but does not."""
    wide = inventory.widened()
    if wide is inventory:
        return {}
    out: dict[str, set[str]] = defaultdict(set)
    for account_id in expand(expr, wide) - expand(expr, inventory):
        out[inventory.excluded_reason(account_id)].add(account_id)
    return {reason: frozenset(ids) for reason, ids in sorted(out.items())}


def merge_left_out(found: Iterable[Mapping[str, frozenset[str]]]) -> dict[str, frozenset[str]]:
    """Several filters' left-out accounts, each account counted once per reason."""
    out: dict[str, set[str]] = defaultdict(set)
    for one in found:
        for reason, ids in one.items():
            out[reason] |= ids
    return {reason: frozenset(ids) for reason, ids in sorted(out.items())}


def describe(dropped: Mapping[str, frozenset[str]], *, flags: bool = False) -> list[str]:
    """`1 suspended account left out (accounts.include_suspended: false)`, one
    phrase per reason; `flags` adds the `idc accounts` option that includes them."""
    phrases = []
    for reason, ids in sorted(dropped.items()):
        setting = _SETTING.get(reason, "accounts.include_suspended")
        flag = _FLAG.get(reason, "--include-suspended")
        if reason == MANAGEMENT:
            what = "the management account"
        else:
            what = f"{len(ids)} {reason} account{'s' * (len(ids) != 1)}"
        how = f"; {flag} includes {'it' if len(ids) == 1 else 'them'}" if flags else ""
        phrases.append(f"{what} left out ({setting}: false{how})")
    return phrases
