"""Account selectors of `idc assign`, `idc revoke` and `idc accounts`.

awsideman users pick accounts with `--filter`, `--ou-filter Root/Prod`,
`--account-pattern REGEX` or `--accounts id,id`; idc adds a single ACCOUNT
argument. Each selector is written once as what a desired-state rule's
`accounts:` would hold (a filter expression, or an explicit list), so the
direct command and `--write` (the same rule in desired/) select exactly the
same accounts, with the same eligibility rules (idc.yaml `accounts:`).

Explicit ids may name the management account or a suspended account (with a
warning: filters never reach them); an explicit *name* may not, because a
name is easily mistaken and those accounts are the dangerous ones.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.desired.filters.errors import FilterError
from reconciler.desired.filters.evaluate import ACCOUNT_ID, check, expand
from reconciler.desired.filters.inventory import Inventory
from reconciler.desired.filters.nodes import NameRegex, OrgUnitId, OrgUnitPath, TagMatch
from reconciler.desired.filters.parser import parse
from reconciler.errors import IdcError

# The selector flags, in the order they are named in messages.
SELECTOR_FLAGS: tuple[str, ...] = (
    "ACCOUNT",
    "--filter",
    "--ou-filter",
    "--account-pattern",
    "--accounts",
)


@dataclass(frozen=True)
class Selector:
    """One account selector: the flag used, as typed, and the equivalent
    `accounts:` of a desired-state rule (an expression, or explicit entries)."""

    flag: str
    text: str
    expression: str | None = None  # a filter expression, or None for explicit entries
    entries: tuple[str, ...] = ()  # account ids or names, as given

    def rule_accounts(self, ids: Sequence[str]) -> str | list[str]:
        """What a rule's `accounts:` holds for this selection: the expression,
        or the resolved ids (names resolve once; ids never change)."""
        return self.expression if self.expression is not None else sorted(ids)

    def describe(self) -> str:
        return self.expression if self.expression is not None else ",".join(self.entries)

    @property
    def uses_tags(self) -> bool:
        """Whether selecting needs account tags (one Organizations call per
        account to read), or only the OU walk's ids, names and paths."""
        if self.expression is None:
            return False
        return any(isinstance(node, TagMatch) for node in parse(self.expression).walk())


@dataclass(frozen=True)
class Selection:
    ids: frozenset[str]
    warnings: tuple[str, ...] = ()


def selector_from(
    account: str | None = None,
    filter_expr: str | None = None,
    ou_filter: str | None = None,
    account_pattern: str | None = None,
    accounts: str | None = None,
    *,
    required: bool = True,
) -> Selector | None:
    """The one selector given; IdcError when none (if `required`) or several,
    or when one is malformed (empty filter, bad regex, bad expression)."""
    given = {
        flag: value
        for flag, value in zip(
            SELECTOR_FLAGS,
            (account, filter_expr, ou_filter, account_pattern, accounts),
            strict=True,
        )
        if value is not None
    }
    if len(given) > 1:
        names = " and ".join(given)
        raise IdcError(f"{names} both select accounts; give exactly one account selector")
    if not given:
        if required:
            raise IdcError(
                "no accounts selected; give one of ACCOUNT, --filter EXPR, --ou-filter PATH, "
                "--account-pattern REGEX or --accounts ID,ID"
            )
        return None
    ((flag, value),) = given.items()
    if not value.strip():
        raise IdcError(f"{flag} is empty; say which accounts (use --filter '*' for all)")
    if flag == "--filter":
        _parse(flag, value)
        return Selector(flag, value, expression=value)
    if flag == "--ou-filter":
        path = value.strip()
        if path.startswith(("ou-", "r-")) and "/" not in path:
            return Selector(flag, value, expression=str(OrgUnitId(path)))
        path = "/" + path.strip("/")
        return Selector(flag, value, expression=str(OrgUnitPath(path)))
    if flag == "--account-pattern":
        try:
            re.compile(value)
        except re.error as exc:
            raise IdcError(f"--account-pattern {value!r} is not a valid regex: {exc}") from None
        expression = str(NameRegex(value))
        _parse(flag, expression)
        return Selector(flag, value, expression=expression)
    entries = tuple(e.strip() for e in value.split(",")) if flag == "--accounts" else (value,)
    if not all(entries):
        raise IdcError(f"{flag} {value!r} holds an empty entry")
    return Selector(flag, value, entries=entries)


def _parse(flag: str, expression: str) -> None:
    try:
        parse(expression)
    except FilterError as exc:
        raise IdcError(f"{flag}: {exc.with_text(expression)}") from None


def select(selector: Selector, inventory: Inventory) -> Selection:
    """The accounts `selector` picks; IdcError when the organization lacks
    what it names, or when it selects nothing ("no accounts match ...")."""
    if selector.expression is not None:
        try:
            ids = expand(selector.expression, inventory)
        except FilterError as exc:
            shown = selector.expression if selector.flag == "--filter" else selector.text
            raise IdcError(f"{selector.flag} {shown}: {exc.message}") from None
        warnings = tuple(issue.message for issue in check(selector.expression, inventory))
        if not ids:
            raise IdcError(f"no accounts match {selector.describe()}; nothing done")
        return Selection(ids, warnings)
    named: set[str] = set()
    notes: list[str] = []
    for entry in selector.entries:
        account_id = _resolve(entry, inventory)
        reason = inventory.excluded_reason(account_id)
        if reason:
            what = "the management account" if reason == "management account" else reason
            notes.append(
                f"account {account_id} ({inventory.accounts[account_id].name}) is {what}; "
                "selected because it is named by id"
            )
        named.add(account_id)
    return Selection(frozenset(named), tuple(notes))


def _resolve(entry: str, inventory: Inventory) -> str:
    """An account id or exact name -> its id (module docstring for names)."""
    if ACCOUNT_ID.fullmatch(entry):
        if entry not in inventory.accounts:
            raise IdcError(f"account {entry} is not in the organization")
        return entry
    named = inventory.ids_by_name.get(entry, ())
    if len(named) > 1:
        raise IdcError(
            f"account name {entry!r} is used by {len(named)} accounts ({', '.join(named)}); "
            "name the account by id"
        )
    if not named:
        close = difflib.get_close_matches(entry, list(inventory.ids_by_name), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise IdcError(f"no account named {entry!r} in the organization{hint}")
    account_id = named[0]
    reason = inventory.excluded_reason(account_id)
    if reason:
        what = "the management account" if reason == "management account" else reason
        raise IdcError(
            f"account {entry!r} ({account_id}) is {what}; filters and names never select it, "
            f"name it by id ({account_id}) if you mean it"
        )
    return account_id
