"""Expand filter expressions (and explicit account lists) to account ids.

Evaluation is set algebra over the inventory's indexes: `and` intersects,
`or` unites, `not` is the complement within the eligible accounts, so
`x and not x` is always empty and `not` never reaches a suspended or
management account. Results are memoised on the inventory per expression,
so a plan with thousands of rules sharing a few filters evaluates each once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import NamedTuple

from reconciler.desired.filters.errors import (
    AmbiguousAccountNameError,
    FilterIssue,
    FilterReferenceError,
)
from reconciler.desired.filters.inventory import Inventory
from reconciler.desired.filters.nodes import (
    AccountId,
    And,
    Everything,
    Expr,
    NameGlob,
    NameRegex,
    Not,
    Or,
    OrgUnitId,
    OrgUnitPath,
    TagMatch,
)
from reconciler.desired.filters.parser import parse
from reconciler.model.accounts import ROOT_PATH, ou_path_names

ACCOUNT_ID = re.compile(r"[0-9]{12}")
SLASH_HINT = "(in an OU path, a '/' inside an OU name is written %2F)"


def expand(expr: Expr | str, inventory: Inventory) -> frozenset[str]:
    """The ids of the accounts `expr` selects in `inventory`.

    Raises FilterSyntaxError for bad text and FilterReferenceError for an OU
    the organization does not have (both carry the column).
    """
    if isinstance(expr, str):
        text = expr
        cached = inventory.memo.get(text)
        if cached is not None:
            return cached
        try:
            result = _evaluate(parse(text), inventory)
        except FilterReferenceError as exc:
            raise exc.with_text(text) from None
        inventory.memo[text] = result
        return result
    return _evaluate(expr, inventory)


def _evaluate(expr: Expr, inventory: Inventory) -> frozenset[str]:
    memo = inventory.memo
    cached = memo.get(expr)
    if cached is not None:
        return cached
    result: frozenset[str]
    match expr:
        case Or(operands):
            result = frozenset().union(*(_evaluate(op, inventory) for op in operands))
        case And(operands):
            first, *rest = operands
            result = _evaluate(first, inventory)
            for op in rest:
                if not result:
                    break
                result = result & _evaluate(op, inventory)
        case Not(operand):
            result = inventory.eligible - _evaluate(operand, inventory)
        case _:
            result = _atom(expr, inventory)
    memo[expr] = result
    return result


def _atom(expr: Expr, inventory: Inventory) -> frozenset[str]:
    match expr:
        case Everything():
            return inventory.eligible
        case AccountId(account_id):
            return inventory.with_id(account_id)
        case NameGlob(pattern):
            return inventory.named(pattern)
        case NameRegex(pattern):
            return inventory.name_search(pattern)
        case TagMatch(key, value):
            return inventory.tagged(key, value)
        case OrgUnitPath(path):
            found = inventory.in_ou_path(path)
            if found is None:
                raise _unknown_ou(expr, f"OU {path!r} is not in the organization", inventory)
            return found
        case OrgUnitId(ou_id):
            found = inventory.in_ou_id(ou_id)
            if found is None:
                raise _unknown_ou(expr, f"OU id {ou_id!r} is not in the organization", None)
            return found
    raise TypeError(f"not a filter expression node: {expr!r}")


def _unknown_ou(
    expr: OrgUnitPath | OrgUnitId, message: str, inventory: Inventory | None
) -> FilterReferenceError:
    """The error for an OU path the organization lacks, with the path most
    likely meant: the same path in other case (paths are case-sensitive), the
    path under /Root, or the closest spelling."""
    if isinstance(expr, OrgUnitPath) and inventory is not None:
        path = expr.path.rstrip("/")
        known = sorted(inventory.known_ou_paths)
        rooted = ROOT_PATH + path if not path.startswith(ROOT_PATH + "/") else ""
        same_case = [p for p in known if p.lower() == path.lower()]
        if same_names := inventory.same_names(path):
            message += f"; did you mean {same_names[0]}? {SLASH_HINT}"
        elif same_case:
            message += f"; OU paths are case-sensitive: did you mean {same_case[0]}?"
        elif rooted and rooted in inventory.known_ou_paths:
            message += f"; OU paths start at {ROOT_PATH}, e.g. {rooted}"
        elif close := difflib.get_close_matches(path, known, n=1, cutoff=0.8):
            message += f"; did you mean {close[0]}?"
        elif rooted:
            message += f"; OU paths start at {ROOT_PATH}"
    return FilterReferenceError(message, expr.column)


def check(expr: Expr | str, inventory: Inventory) -> list[FilterIssue]:
    """Findings that do not stop expansion but likely mean a mistake: explicit
    ids the organization lacks or that filters would otherwise exclude, tag
    keys no account carries, and OU paths that would name another OU had a
    `/` been written %2F (or the other way round). Unknown OUs raise in
    `expand` instead."""
    if isinstance(expr, str):
        expr = parse(expr)
    issues: set[FilterIssue] = set()
    for node in expr.walk():
        match node:
            case AccountId(account_id, column=column):
                if account_id not in inventory.accounts:
                    issues.add(
                        FilterIssue(column, f"account {account_id} is not in the organization")
                    )
                elif reason := inventory.excluded_reason(account_id):
                    what = f"the {reason}" if reason == "management account" else reason
                    message = f"account {account_id} is {what}; selected because it is named"
                    issues.add(FilterIssue(column, message))
            case OrgUnitPath(path, column=column) if inventory.in_ou_path(path) is not None:
                for other in inventory.same_names(path):
                    if other.count("%2F") > path.count("%2F"):
                        issues.add(FilterIssue(column, _slash_warning(path, other)))
            case TagMatch(key, column=column) if key not in inventory.tag_keys:
                issues.add(FilterIssue(column, f"no account has a tag {key!r}"))
    return sorted(issues)


def _slash_warning(path: str, other: str) -> str:
    """`ou:/Root/Prod/Legacy` when an OU is named `Prod/Legacy` too."""
    inner = ou_path_names(path)
    named = ou_path_names(other)[-1]
    return (
        f"{OrgUnitPath(path)} selects OU {inner[-1]!r} inside {inner[-2]!r}, not the OU "
        f"named {named!r}; for that one write {OrgUnitPath(other)} {SLASH_HINT}"
    )


class AccountSelection(NamedTuple):
    """An explicit account list resolved: the ids, and the entries (ids or
    names) the organization does not have, in the order written."""

    ids: frozenset[str]
    unknown: list[str]


def expand_accounts(value: str | Sequence[str], inventory: Inventory) -> AccountSelection:
    """Resolve a rule's `accounts:`: a string is a filter expression; a list
    holds account ids or exact account names (selected even when suspended or
    the management account: listing one is explicit intent).

    Raises AmbiguousAccountNameError when a listed name is used by several
    accounts (granting access to all of them would be a guess).
    """
    if isinstance(value, str):
        return AccountSelection(expand(value, inventory), [])
    ids: set[str] = set()
    unknown: list[str] = []
    for entry in value:
        entry = str(entry).strip()
        if ACCOUNT_ID.fullmatch(entry):
            if entry in inventory.accounts:
                ids.add(entry)
            else:
                unknown.append(entry)
            continue
        named = inventory.ids_by_name.get(entry, ())
        if len(named) > 1:
            raise AmbiguousAccountNameError(entry, named)
        if named:
            ids.add(named[0])
        else:
            unknown.append(entry)
    return AccountSelection(frozenset(ids), unknown)
