"""IAM policy documents compared the way IAM reads them.

The document a person writes is sent to AWS as written; this module only
decides whether two documents mean the same policy, so that a spelling
difference is never planned, applied or shown as a change. IAM treats as
equal: a single string and a one-element list for Action, NotAction,
Resource, NotResource and each Principal / NotPrincipal value (and each
condition value); the order of those lists and of the statements; action
names in any case (`s3:GetObject` is `S3:getobject`; resource ARNs stay case
sensitive); a single Statement object and a one-element list of it.
Anything this module does not recognise (a malformed document) is compared
as written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# Statement elements whose value is a set of strings; the first two case-blind.
_CASELESS_SETS = ("Action", "NotAction")
_SETS = ("Resource", "NotResource")
_PRINCIPALS = ("Principal", "NotPrincipal")


def canonical_json(value: Any) -> str:
    """One spelling per JSON value: sorted keys, no insignificant whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def policy_identity(document: Any) -> str:
    """A string equal for two policy documents exactly when IAM reads them as
    the same policy (see the module docstring for what counts as equal)."""
    return canonical_json(canonical_policy(document))


def canonical_policy(document: Any) -> Any:
    """The one form of `document` its IAM-equivalent spellings share. Not for
    sending to AWS: action names come back lower case."""
    if not isinstance(document, Mapping):
        return document
    out = dict(document)
    statements = out.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if isinstance(statements, list):
        out["Statement"] = sorted((_statement(s) for s in statements), key=canonical_json)
    return out


def _statement(statement: Any) -> Any:
    if not isinstance(statement, Mapping):
        return statement
    out = dict(statement)
    for name, value in statement.items():
        if name in _CASELESS_SETS:
            out[name] = _string_set(value, fold=True)
        elif name in _SETS:
            out[name] = _string_set(value)
        elif name in _PRINCIPALS and isinstance(value, Mapping):
            out[name] = {kind: _string_set(ids) for kind, ids in value.items()}
        elif name == "Condition" and isinstance(value, Mapping):
            out[name] = {
                operator: (
                    {key: _value_set(v) for key, v in keys.items()}
                    if isinstance(keys, Mapping)
                    else keys
                )
                for operator, keys in value.items()
            }
    return out


def _string_set(value: Any, *, fold: bool = False) -> Any:
    """ "a" and ["a"] alike, order and repeats dropped; non-strings as written."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return value
    return sorted({i.lower() if fold else i for i in items})


def _value_set(value: Any) -> Any:
    """Condition values: one value or a list of them, in any order (IAM ORs them)."""
    items = value if isinstance(value, list) else [value]
    return sorted({canonical_json(i): i for i in items}.values(), key=canonical_json)
