"""Account assignments: expand each rule to concrete assignments, then diff.

A rule is (permission set) x (groups + users) x (accounts), where accounts is
a filter expression or an explicit list expanded against the live
organization inventory. Expansion is memoised per distinct `accounts` value,
so thousands of rules sharing a few filters cost a few evaluations, and the
diff is set arithmetic: linear in the number of assignments.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from reconciler.desired.filters import (
    AmbiguousAccountNameError,
    FilterError,
    Inventory,
    check,
    describe_left_out,
    expand_accounts,
    left_out,
    merge_left_out,
)
from reconciler.desired.types import AssignmentRule, Location
from reconciler.model import Assignment, PrincipalType
from reconciler.plan.changes import Change
from reconciler.plan.context import PlanContext
from reconciler.plan.documents import assignment_key
from reconciler.plan.fingerprint import ASSIGNMENT_KEY

_Finding = tuple[int, str]  # (1-based column in the expression, message)


@dataclass(frozen=True)
class _Expansion:
    ids: frozenset[str]
    problems: tuple[_Finding, ...] = ()  # errors: the rule grants nothing
    issues: tuple[_Finding, ...] = ()  # warnings (errors with --strict)


def plan_assignments(ctx: PlanContext, *, strict: bool = False) -> Iterator[Change]:
    if not ctx.manages("assignment"):
        ctx.notes.append(
            f"assignment: not managed ({ctx.manage_text('assignment')}); rules are ignored"
        )
        return
    settings = ctx.settings.accounts
    inventory = Inventory.from_state(
        ctx.live, settings.include_suspended, settings.include_management
    )
    desired = _expand_rules(ctx, inventory, strict)
    ctx.notes.extend(_left_out_notes(ctx.desired.rules, inventory))
    live = ctx.live.assignments
    missing, extra = desired.keys() - live, live - desired.keys()
    rules = ctx.desired.rules
    reasons: dict[int, str] = {}
    for a in sorted(missing, key=ASSIGNMENT_KEY):
        index = desired[a]
        if index not in reasons:
            reasons[index] = f"granted by {_describe(rules[index])} but not in AWS"
        key = assignment_key(a)
        yield Change("create", "assignment", key, None, key, reasons[index])
    ctx.note_unchanged("assignment", len(desired) - len(missing), len(live))
    if not ctx.authoritative("assignment"):
        return
    manage = ctx.manage_text("assignment")
    reason = f"no rule in desired state grants it; assignments are managed ({manage})"
    skipped = 0
    for a in sorted(extra, key=ASSIGNMENT_KEY):
        if a.account in inventory.accounts and not _deletable(inventory, a.account):
            skipped += 1
            continue
        key = assignment_key(a)
        yield Change("delete", "assignment", key, key, None, reason)
    if skipped:
        ctx.notes.append(
            f"assignment: {skipped} in suspended accounts left alone "
            "(accounts.include_suspended: false)"
        )


def _left_out_notes(rules: tuple[AssignmentRule, ...], inventory: Inventory) -> list[str]:
    """Accounts the rules' filters skip only because idc.yaml excludes them
    (suspended, management), counted once each, so a rule granting less than
    its filter reads is never a silent surprise."""
    found = []
    for expression in sorted({r.accounts for r in rules if isinstance(r.accounts, str)}):
        try:
            found.append(left_out(expression, inventory))
        except FilterError:  # reported as the rule's error already
            continue
    return [f"assignment: account filters: {p}" for p in describe_left_out(merge_left_out(found))]


def _deletable(inventory: Inventory, account_id: str) -> bool:
    """Assignments in suspended accounts are outside the managed scope unless
    include_suspended: filters never reach them, so absence means nothing."""
    return inventory.include_suspended or inventory.accounts[account_id].status == "ACTIVE"


def _describe(rule: AssignmentRule) -> str:
    where = str(rule.location) if rule.location.path else "a rule in desired state"
    if isinstance(rule.accounts, str):
        return f"{where} (accounts: {rule.accounts})"
    return f"{where} (explicit account list)"


def _expand_rules(ctx: PlanContext, inventory: Inventory, strict: bool) -> dict[Assignment, int]:
    """Every concrete assignment the rules grant -> index of the first rule granting it."""
    out: dict[Assignment, int] = {}
    expansions: dict[str | tuple[str, ...], _Expansion] = {}
    reported: set[tuple[str | tuple[str, ...], Location]] = set()
    missing: dict[tuple[str, str], str | None] = {}

    def why_missing(kind: str, name: str) -> str | None:
        if (kind, name) not in missing:
            missing[(kind, name)] = ctx.missing_reference(kind, name)  # type: ignore[arg-type]
        return missing[(kind, name)]

    for index, rule in enumerate(ctx.desired.rules):
        ok = True
        why = why_missing("permission_set", rule.permission_set)
        if why is not None:
            ctx.error(rule.location, f"assignment rule: {why}")
            ok = False
        principals: list[tuple[PrincipalType, str]] = []
        for ptype, name, loc in rule_principals(rule):
            why = why_missing(ptype.lower(), name)
            if why is not None:
                ctx.error(loc, f'assignment rule for "{rule.permission_set}": {why}')
                ok = False
            principals.append((ptype, name))
        expansion = expansions.get(rule.accounts)
        if expansion is None:
            expansion = expansions[rule.accounts] = _expand(rule.accounts, inventory)
        if (rule.accounts, rule.accounts_location) not in reported:
            reported.add((rule.accounts, rule.accounts_location))
            _report(ctx, rule, expansion, strict)
        if not ok or expansion.problems:
            continue
        ps = rule.permission_set
        for ptype, name in principals:
            for account in expansion.ids:
                out.setdefault(Assignment(ps, ptype, name, account), index)
    return out


def rule_principals(rule: AssignmentRule) -> list[tuple[PrincipalType, str, Location]]:
    """(principal type, name, where listed) of every principal a rule grants to."""
    if rule.principal_locations:
        return [
            ("USER" if ptype == "USER" else "GROUP", name, loc)
            for ptype, name, loc in rule.principal_locations
        ]
    return [("GROUP", g, rule.location) for g in rule.groups] + [
        ("USER", u, rule.location) for u in rule.users
    ]


def _expand(value: str | tuple[str, ...], inventory: Inventory) -> _Expansion:
    """Expand one distinct `accounts` value; findings keep columns relative to
    the expression so `_report` can locate them for every rule using it."""
    try:
        selection = expand_accounts(value, inventory)
    except FilterError as exc:
        return _Expansion(frozenset(), ((exc.column, exc.message),))
    except AmbiguousAccountNameError as exc:
        return _Expansion(frozenset(), ((1, str(exc)),))
    issues: list[_Finding] = []
    if isinstance(value, str):
        issues.extend((issue.column, issue.message) for issue in check(value, inventory))
    issues.extend(
        (1, f'account "{entry}" is not in the organization') for entry in selection.unknown
    )
    if not selection.ids:
        what = f'filter "{value}"' if isinstance(value, str) else "account list"
        issues.append((1, f"{what} matches no account"))
    return _Expansion(selection.ids, (), tuple(issues))


def _report(ctx: PlanContext, rule: AssignmentRule, expansion: _Expansion, strict: bool) -> None:
    """Errors always; findings as warnings, or as errors with --strict."""
    loc = rule.accounts_location

    def at(column: int) -> Location:
        return Location(loc.path, loc.line, loc.column + column - 1 if loc.line else 0)

    for column, message in expansion.problems:
        ctx.error(at(column), message)
    for column, message in expansion.issues:
        if strict:
            ctx.error(at(column), f"{message} (--strict)")
        else:
            ctx.warn(at(column), message)
