"""Checks a schema cannot express, over the merged desired state of all files.

References cross files (a group in teams/a.yaml lists a user from users.yaml),
so they are checked after merging. A reference is only checked against a kind
this repository manages and declares: with SCIM, users and groups come from
the IdP and are resolved against live state at plan time, not here.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Collection, Iterable

from reconciler.desired.settings import Settings
from reconciler.desired.types import AssignmentRule, Desired, Location
from reconciler.errors import Diagnostic
from reconciler.model import duration_seconds

MIN_SESSION_SECONDS = 3600  # AWS: PT1H .. PT12H
MAX_SESSION_SECONDS = 12 * 3600
MAX_INLINE_POLICY_CHARS = 32_768  # PutInlinePolicyToPermissionSet, counted as sent


def check_semantics(
    desired: Desired, settings: Settings, *, incomplete: Collection[str] = ()
) -> list[Diagnostic]:
    """Every semantic problem; `incomplete` names kinds with items that failed
    to load, whose references are not checked (they would only add noise)."""
    checkable = {
        kind
        for kind in ("users", "groups", "permission_sets")
        if kind in settings.manage and kind in desired.declared and kind not in incomplete
    }
    out: list[Diagnostic] = []
    out.extend(_ignored_kinds(desired, settings))
    if "users" in checkable and "memberships" in settings.manage:
        out.extend(_membership_references(desired))
    out.extend(_session_durations(desired))
    out.extend(_inline_policy_sizes(desired))
    if "assignments" in settings.manage:
        for rule in desired.rules:
            out.extend(_rule_problems(rule, desired, checkable))
    return out


def _ignored_kinds(desired: Desired, settings: Settings) -> Iterable[Diagnostic]:
    """Declaring a kind the repo does not manage is almost always a mistake."""
    firsts: dict[str, Location] = {}
    for (kind, _key), loc in sorted(desired.locations.items(), key=lambda kv: kv[1]):
        firsts.setdefault(kind + "s", loc)
    for rule in desired.rules:
        firsts.setdefault("assignments", rule.location)
    for kind in ("users", "groups", "memberships", "permission_sets", "assignments"):
        first = firsts.get(kind)
        if first is not None and kind not in settings.manage:
            yield _diag(
                first,
                f"{kind} here are ignored: idc.yaml sets manage.{kind} to false",
                "warning",
            )


def _membership_references(desired: Desired) -> Iterable[Diagnostic]:
    for membership in sorted(desired.memberships):
        if membership.user in desired.users:
            continue
        loc = desired.locations.get(("membership", f"{membership.group}:{membership.user}"))
        message = f'group "{membership.group}": unknown user "{membership.user}"'
        yield _diag(loc, message + _suggest(membership.user, desired.users))


def _session_durations(desired: Desired) -> Iterable[Diagnostic]:
    for name, ps in desired.permission_sets.items():
        if ps.session_duration is None:
            continue
        seconds = duration_seconds(ps.session_duration)
        if not MIN_SESSION_SECONDS <= seconds <= MAX_SESSION_SECONDS:
            yield _diag(
                desired.locations.get(("permission_set", name)),
                f'permission set "{name}": session_duration {ps.session_duration} is outside '
                "the AWS range PT1H to PT12H",
            )


def _inline_policy_sizes(desired: Desired) -> Iterable[Diagnostic]:
    """AWS rejects a longer policy only at apply time, half way through a run."""
    for name, ps in desired.permission_sets.items():
        size = len(ps.inline_policy or "")
        if size > MAX_INLINE_POLICY_CHARS:
            yield _diag(
                desired.locations.get(("permission_set", name)),
                f'permission set "{name}": inline_policy is {size:,} characters as sent to '
                f"AWS (compact JSON), more than the {MAX_INLINE_POLICY_CHARS:,} AWS allows; "
                "split it into customer managed policies",
            )


def _rule_problems(
    rule: AssignmentRule, desired: Desired, checkable: Collection[str]
) -> Iterable[Diagnostic]:
    if not rule.groups and not rule.users:
        yield _diag(
            rule.location,
            f'assignment of permission set "{rule.permission_set}" has no groups or users',
        )
    if "permission_sets" in checkable and rule.permission_set not in desired.permission_sets:
        yield _diag(
            rule.location,
            f'unknown permission set "{rule.permission_set}"'
            + _suggest(rule.permission_set, desired.permission_sets),
        )
    for ptype, name, loc in rule.principal_locations:
        kind, known = ("groups", desired.groups) if ptype == "GROUP" else ("users", desired.users)
        if kind in checkable and name not in known:
            yield _diag(loc, f'unknown {kind[:-1]} "{name}"' + _suggest(name, known))
    if isinstance(rule.accounts, str):
        problem = filter_syntax_error(rule.accounts)
        if problem is not None:
            column, message = problem
            loc = rule.accounts_location
            yield Diagnostic(
                loc.path,
                loc.line,
                loc.column + column - 1 if loc.line else 0,
                f"invalid account filter: {message}",
            )


def filter_syntax_error(text: str) -> tuple[int, str] | None:
    """(1-based column, message) of a syntax error in an account filter, or None.

    The parser lives in reconciler.desired.filters; it is imported at call time
    so validation keeps working on a tree where it is not available.
    """
    try:
        filters = importlib.import_module("reconciler.desired.filters")
    except ImportError:
        return None
    try:
        filters.parse(text)
    except filters.FilterSyntaxError as exc:
        return int(exc.column), str(exc.message)
    return None


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def _diag(loc: Location | None, message: str, severity: str = "error") -> Diagnostic:
    loc = loc or Location("")
    return Diagnostic(loc.path, loc.line, loc.column, message, severity)
