"""The IAM grammar of a permission set's inline policy, checked offline.

AWS rejects a malformed policy only at apply time, half way through a run,
and with a message that names neither the file nor the line. A permission
set's inline policy is an identity policy (it applies to whoever uses the
permission set), so the grammar is IAM's for identity policies: `Version`
"2012-10-17" or "2008-10-17"; `Statement` one statement or a list of them;
each statement an `Effect` of Allow or Deny, exactly one of `Action` and
`NotAction`, exactly one of `Resource` and `NotResource`, and optionally
`Sid` (letters and digits, unique in the policy) and `Condition`; no
`Principal`. Each problem is located at the offending key of the YAML.

How two valid policies compare is reconciler.model.policies's business;
this module only decides whether a document is one IAM would take.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from reconciler.desired.yaml_io import position
from reconciler.errors import Diagnostic

VERSIONS = ("2012-10-17", "2008-10-17")
_TOP_KEYS = ("Version", "Id", "Statement")
_STATEMENT_KEYS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")
_PRINCIPALS = ("Principal", "NotPrincipal")
_SID = re.compile(r"[A-Za-z0-9]*")
# `*`, or `service:action` with * and ? as wildcards in the action.
_ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+")


def check_policy(policy: Any, shown: str, trail: str) -> list[Diagnostic]:
    """Every grammar problem of `policy` (a ruamel mapping at `trail`, such as
    `permission_sets[0].inline_policy`), errors and warnings, located."""
    return list(_Checker(shown).policy(policy, trail))


class _Checker:
    def __init__(self, shown: str) -> None:
        self.shown = shown

    def at(self, node: Any, key: Any, message: str, severity: str = "error") -> Diagnostic:
        line, col = position(node, key)
        if (line, col) == (0, 0):
            line, col = position(node) if hasattr(node, "lc") else (0, 0)
        return Diagnostic(self.shown, line, col, message, severity)

    def policy(self, policy: Any, trail: str) -> Iterator[Diagnostic]:
        if not isinstance(policy, Mapping):
            return  # the schema reports a policy that is not a mapping
        yield from self.unknown_keys(policy, trail, _TOP_KEYS, "a policy")
        if "Version" not in policy:
            yield self.at(
                policy,
                None,
                f'{trail}: no Version; IAM then reads the policy as "2008-10-17", where policy '
                'variables such as ${aws:username} are plain text; add Version: "2012-10-17"',
                "warning",
            )
        elif policy["Version"] not in VERSIONS:
            yield self.at(
                policy,
                "Version",
                f"{trail}.Version: must be {' or '.join(map(_q, VERSIONS))} (in quotes); "
                f"got {_shown(policy['Version'])}",
            )
        if "Id" in policy and not isinstance(policy["Id"], str):
            yield self.at(policy, "Id", f"{trail}.Id: must be a string")
        statements = policy.get("Statement")
        if isinstance(statements, Mapping):
            yield from self.statement(policy, "Statement", f"{trail}.Statement", set())
        elif isinstance(statements, list) and statements:
            sids: set[str] = set()
            for index in range(len(statements)):
                where = f"{trail}.Statement[{index}]"
                yield from self.statement(statements, index, where, sids)
        elif "Statement" in policy:
            yield self.at(
                policy,
                "Statement",
                f"{trail}.Statement: must be a statement (a mapping) or a non-empty list of them",
            )

    def statement(self, parent: Any, key: Any, trail: str, sids: set[str]) -> Iterator[Diagnostic]:
        statement = parent[key]
        if not isinstance(statement, Mapping):
            yield self.at(parent, key, f"{trail}: a statement must be a mapping")
            return
        for name in _PRINCIPALS:
            if name in statement:
                yield self.at(
                    statement,
                    name,
                    f"{trail}.{name}: not allowed here: a permission set's inline policy "
                    "applies to whoever uses the permission set, so it names no principal",
                )
        allowed = (*_STATEMENT_KEYS, *_PRINCIPALS)
        yield from self.unknown_keys(statement, trail, allowed, "a statement", _STATEMENT_KEYS)
        # A misspelt key is reported once, as unknown, not again as missing.
        meant = {
            close
            for name in statement
            if name not in allowed
            for close in difflib.get_close_matches(str(name), _STATEMENT_KEYS, n=1, cutoff=0.6)
        }
        yield from self.sid(statement, trail, sids)
        if "Effect" in meant:
            pass
        elif "Effect" not in statement:
            yield self.at(parent, key, f"{trail}: missing Effect (Allow or Deny)")
        elif statement["Effect"] not in ("Allow", "Deny"):
            yield self.at(
                statement,
                "Effect",
                f'{trail}.Effect: must be "Allow" or "Deny"; got {_shown(statement["Effect"])}',
            )
        for pair in (("Action", "NotAction"), ("Resource", "NotResource")):
            if not meant & set(pair):
                yield from self.exactly_one(parent, key, trail, pair)
        if "Condition" in statement:
            yield from self.condition(statement, f"{trail}.Condition")

    def sid(self, statement: Any, trail: str, sids: set[str]) -> Iterator[Diagnostic]:
        if "Sid" not in statement:
            return
        sid = statement["Sid"]
        if not isinstance(sid, str) or not _SID.fullmatch(sid):
            yield self.at(
                statement,
                "Sid",
                f"{trail}.Sid: must be letters and digits only; got {_shown(sid)}",
            )
        elif sid and sid in sids:
            yield self.at(
                statement, "Sid", f"{trail}.Sid: {_q(sid)} is used by another statement too"
            )
        elif sid:
            sids.add(sid)

    def exactly_one(
        self, parent: Any, key: Any, trail: str, pair: tuple[str, str]
    ) -> Iterator[Diagnostic]:
        statement = parent[key]
        present = [name for name in pair if name in statement]
        if not present:
            yield self.at(parent, key, f"{trail}: missing {pair[0]} (or {pair[1]})")
            return
        if len(present) == 2:
            yield self.at(
                statement,
                pair[1],
                f"{trail}: has both {pair[0]} and {pair[1]}; a statement takes one of them",
            )
            return
        name = present[0]
        value = statement[name]
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            yield self.at(
                statement,
                name,
                f"{trail}.{name}: must be a string or a non-empty list of strings; "
                f"got {_shown(value)}",
            )
            return
        for index, item in enumerate(items):
            node, step = (statement, name) if isinstance(value, str) else (value, index)
            where = f"{trail}.{name}" + ("" if isinstance(value, str) else f"[{index}]")
            if name.endswith("Action") and not _ACTION.fullmatch(item):
                yield self.at(
                    node,
                    step,
                    f'{where}: {_q(item)} is not an action: write "service:Action" '
                    '(e.g. "s3:GetObject", wildcards * and ? allowed) or "*"',
                )
            elif name.endswith("Resource") and item != "*" and not item.startswith("arn:"):
                yield self.at(
                    node, step, f'{where}: {_q(item)} is not a resource: write an ARN or "*"'
                )

    def condition(self, statement: Any, trail: str) -> Iterator[Diagnostic]:
        condition = statement["Condition"]
        if not isinstance(condition, Mapping):
            yield self.at(
                statement,
                "Condition",
                f"{trail}: must map operators to keys and values, e.g. "
                'StringEquals: {"aws:RequestedRegion": "eu-west-1"}',
            )
            return
        for operator, keys in condition.items():
            if not isinstance(keys, Mapping) or not keys:
                yield self.at(
                    condition,
                    operator,
                    f"{trail}.{operator}: must map condition keys to values, e.g. "
                    '"aws:RequestedRegion": "eu-west-1"',
                )

    def unknown_keys(
        self,
        node: Mapping[Any, Any],
        trail: str,
        allowed: tuple[str, ...],
        what: str,
        shown_allowed: tuple[str, ...] | None = None,
    ) -> Iterator[Diagnostic]:
        names = shown_allowed or allowed
        for key in node:
            if key in allowed:
                continue
            text = f"{trail}: unknown key {_q(str(key))} in {what}"
            close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
            if close:
                text += f"; did you mean {_q(close[0])}?"
            yield self.at(node, key, f"{text} (allowed: {', '.join(names)})")


def _q(text: str) -> str:
    return f'"{text}"'


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return _q(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else str(value)
