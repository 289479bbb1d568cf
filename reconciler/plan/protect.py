"""`safety.protect` fails closed: a pattern that cannot protect anything is an error.

A typo in a protect pattern (`assigment:...`, `group:BreakGlas`) would
otherwise switch the guard off without a word, and the plan would delete
what it was meant to keep. So every pattern is checked, and each problem is
a located error in idc.yaml with the closest existing key as a suggestion:

- its kind must be one of user, group, membership, permission_set,
  assignment (a kind written as a glob, `*:BreakGlass`, is not checked);
- it must have at least as many `:`-parts as a key of its kind, unless a `*`
  stands for the rest; an assignment's principal type must be user or group;
- it must match at least one key (as the plan prints it, see
  Settings.safety) of a resource in the states searched: desired and live
  state for `idc plan`; desired state and the local snapshot for `idc
  validate` when there is one, and no search at all without one (validate
  never reads AWS, so there it checks the kind and shape only).

A pattern for a kind the repository does not manage is checked for kind and
shape only: idc never changes that kind, so the pattern cannot fail open,
and the plan does not read such a kind unless something refers to it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from fnmatch import fnmatchcase

from reconciler.desired.filters import (
    AmbiguousAccountNameError,
    FilterError,
    Inventory,
    expand_accounts,
)
from reconciler.desired.settings import (
    PRINCIPAL_TYPE_SEGMENT,
    PRINCIPAL_TYPES,
    Settings,
    protect_glob,
)
from reconciler.desired.types import Desired
from reconciler.errors import Diagnostic
from reconciler.model import State
from reconciler.plan.assignments import rule_principals
from reconciler.plan.changes import Kind
from reconciler.plan.documents import KEY_FIELDS

KINDS: tuple[Kind, ...] = tuple(KEY_FIELDS)
GLOB_CHARS = frozenset("*?[")


def check_protect(
    settings: Settings,
    desired: Desired | None = None,
    states: Sequence[State] = (),
    *,
    searched: str = "desired or live state",
    hint: str = "",
) -> list[Diagnostic]:
    """Every problem of every protect pattern, located in idc.yaml.

    Patterns are matched against `states` (all their keys) and, when given,
    the keys `desired` declares (assignment rules expanded against the
    organization of the first state). Without states, kind and shape only.
    `searched` names those states in the message; `hint` says what to do
    when a pattern matches nothing there.
    """
    safety = settings.safety
    keys = _Keys(desired, states, settings) if states else None
    out: list[Diagnostic] = []
    for index, pattern in enumerate(safety.protect):
        problem = _form_problem(pattern, keys)
        if problem is None and keys is not None and not _matches(pattern, settings, keys):
            problem = _no_match(pattern, keys, searched) + (f" ({hint})" if hint else "")
        if problem is not None:
            loc = safety.location(index)
            message = f'safety.protect "{pattern}" {problem}'
            out.append(Diagnostic(loc.path, loc.line, loc.column, message))
    return out


def _kinds(pattern: str) -> tuple[Kind, ...]:
    """The kind a pattern names; every kind when its kind part is a glob."""
    kind = pattern.partition(":")[0]
    return tuple(k for k in KINDS if k == kind) or KINDS


def _form_problem(pattern: str, keys: _Keys | None) -> str | None:
    """An unknown kind, or a shape no key of the kind can have."""
    kind, _, rest = pattern.partition(":")
    if GLOB_CHARS.isdisjoint(kind) and kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.6)
        fix = f'; did you mean "{close[0]}:{rest}"?' if close else ""
        return f'names no kind "{kind}" (kinds: {", ".join(KINDS)}){fix}'
    kinds = _kinds(pattern)
    if len(kinds) == 1:
        shape = _shape_problem(kinds[0], rest.split(":"))
        if shape is not None:
            return shape + _suggestion(protect_glob(pattern), keys, kinds[0])
    return None


def _matches(pattern: str, settings: Settings, keys: _Keys) -> bool:
    """True when the pattern matches a key, or names only unmanaged kinds."""
    managed = [k for k in _kinds(pattern) if k in settings.manage]
    glob = protect_glob(pattern)
    return not managed or any(keys.any_match(k, glob) for k in managed)


def _no_match(pattern: str, keys: _Keys, searched: str) -> str:
    kinds = _kinds(pattern)
    one = kinds[0] if len(kinds) == 1 else None
    what = one.replace("_", " ") if one else "resource"
    suggestion = _suggestion(protect_glob(pattern), keys, one)
    return f"matches no {what} in {searched}, so it protects nothing{suggestion}"


def _shape_problem(kind: Kind, parts: list[str]) -> str | None:
    fields = KEY_FIELDS[kind]
    if not any("*" in p for p in parts) and len(parts) < len(fields):
        return (
            f"has {len(parts)} of the {len(fields)} parts of {_a(kind)} key "
            f"({kind}:{':'.join(fields).upper()}); end it with `*` to match the rest"
        )
    if kind == "assignment" and len(parts) >= PRINCIPAL_TYPE_SEGMENT and "*" not in parts[0]:
        ptype = parts[PRINCIPAL_TYPE_SEGMENT - 1]
        if GLOB_CHARS.isdisjoint(ptype) and ptype.upper() not in PRINCIPAL_TYPES:
            return f'has principal type "{ptype}"; it must be user or group'
    return None


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _suggestion(glob: str, keys: _Keys | None, kind: Kind | None) -> str:
    """`; did you mean "KEY"?` with the closest existing key, shaped like the
    pattern: where it has a lone `*`, or ends early, so does the suggestion."""
    if keys is None:
        return ""
    parts = glob.split(":")
    candidates: set[str] = set()
    for k in (kind,) if kind else KINDS:
        for key in keys.all(k):
            segments = key.split(":")
            shaped = [
                "*" if i >= len(parts) or parts[i] == "*" else s for i, s in enumerate(segments)
            ]
            while len(shaped) > 1 and shaped[-1] == shaped[-2] == "*":
                shaped.pop()
            candidates.add(":".join(shaped))
    close = difflib.get_close_matches(glob, sorted(candidates), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


class _Keys:
    """Key texts per kind, built only for the kinds a pattern needs."""

    def __init__(self, desired: Desired | None, states: Sequence[State], settings: Settings):
        self._desired = desired
        self._states = states
        self._settings = settings
        self._cache: dict[Kind, list[str]] = {}

    def any_match(self, kind: Kind, glob: str) -> bool:
        return any(fnmatchcase(key, glob) for key in self.all(kind))

    def all(self, kind: Kind) -> list[str]:
        if kind not in self._cache:
            found: set[str] = set()
            for state in self._states:
                found.update(state_keys(state, kind))
            if self._desired is not None:
                found.update(desired_keys(self._desired, kind, self._inventory()))
            self._cache[kind] = sorted(found)
        return self._cache[kind]

    def _inventory(self) -> Inventory:
        scope = self._settings.accounts
        return Inventory.from_state(
            self._states[0], scope.include_suspended, scope.include_management
        )


def state_keys(state: State, kind: Kind) -> Iterator[str]:
    """`Change.key_text()` of every resource of `kind` in a state."""
    if kind in ("user", "group", "permission_set"):
        names: Iterable[str] = getattr(state, kind + "s")
        yield from (f"{kind}:{name}" for name in names)
    elif kind == "membership":
        yield from (f"membership:{m.group}:{m.user}" for m in state.memberships)
    else:
        yield from ("assignment:" + ":".join(a.key) for a in state.assignments)


def desired_keys(desired: Desired, kind: Kind, inventory: Inventory) -> Iterator[str]:
    """Keys of the resources desired state declares; assignment rules are
    expanded against `inventory` (a rule that does not expand adds none)."""
    if kind != "assignment":
        yield from state_keys(
            State(
                users=desired.users,
                groups=desired.groups,
                memberships=desired.memberships,
                permission_sets=desired.permission_sets,
            ),
            kind,
        )
        return
    expanded: dict[str | tuple[str, ...], frozenset[str]] = {}
    for rule in desired.rules:
        if rule.accounts not in expanded:
            try:
                expanded[rule.accounts] = expand_accounts(rule.accounts, inventory).ids
            except (FilterError, AmbiguousAccountNameError):
                expanded[rule.accounts] = frozenset()
        for ptype, name, _ in rule_principals(rule):
            prefix = f"assignment:{rule.permission_set}:{ptype}:{name}:"
            yield from (prefix + account for account in expanded[rule.accounts])


def closest_key(pattern: str, states: Sequence[State], settings: Settings) -> str:
    """`; did you mean "KEY"?` for a glob that matches no key in `states`
    (the same suggestion safety.protect gives), or "" when nothing is close."""
    kinds = _kinds(pattern)
    return _suggestion(
        protect_glob(pattern), _Keys(None, states, settings), kinds[0] if len(kinds) == 1 else None
    )


def matches_any_key(pattern: str, states: Sequence[State], settings: Settings) -> bool:
    """True when the glob matches the key of a resource in one of `states`."""
    keys = _Keys(None, states, settings)
    glob = protect_glob(pattern)
    return any(keys.any_match(k, glob) for k in _kinds(pattern))
