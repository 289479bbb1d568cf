"""Where encrypted values (`enc:v1:...`) may sit in a desired-format document.

Snapshot files are desired documents, and `encryption.fields` stores some
of a user's fields encrypted (reconciler.store.fields holds the crypto). This
module only knows the places: every string under a user's fields (but
`external_ids`), and the user names of groups' `members` and assignments'
`users` (as the field `user_name`). One walker serves sealing, opening and
finding, for snapshots (copies) and for desired files (in place, so the
YAML positions behind located errors survive).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, MutableSequence
from functools import partial
from typing import Any

PREFIX = "enc:v1:"
USER_NAME = "user_name"
UNSEALED_USER_FIELDS = frozenset({"external_ids"})

# (field, value) -> value
ValueFn = Callable[[str, Any], Any]


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def map_document(doc: Mapping[str, Any], fn: ValueFn, *, copy: bool = True) -> Any:
    """`doc` with `fn(field, value)` applied to every value in those places;
    `copy=False` changes `doc` (which must then be mutable) in place."""
    out: Any = dict(doc) if copy else doc
    places = (("users", None), ("groups", "members"), ("assignments", "users"))
    for top, names in places:
        records = doc.get(top)
        if not isinstance(records, list):
            continue
        target = list(records) if copy else records
        for index, record in enumerate(records):
            if isinstance(record, Mapping):
                target[index] = _record(record, fn, names, copy)
        out[top] = target
    return out


def _record(record: Mapping[str, Any], fn: ValueFn, names: str | None, copy: bool) -> Any:
    out: Any = dict(record) if copy else record
    if names is not None:
        if isinstance(record.get(names), list):
            out[names] = _walk(record[names], partial(fn, USER_NAME), copy)
        return out
    for key, value in list(record.items()):
        if key not in UNSEALED_USER_FIELDS:
            out[key] = _walk(value, partial(fn, key), copy)
    return out


def _walk(value: Any, fn: Callable[[Any], Any], copy: bool) -> Any:
    if isinstance(value, Mapping):
        target: Any = dict(value) if copy or not isinstance(value, MutableMapping) else value
        for key, item in list(value.items()):
            target[key] = _walk(item, fn, copy)
        return target
    if isinstance(value, list):
        seq: Any = list(value) if copy or not isinstance(value, MutableSequence) else value
        for index, item in enumerate(list(value)):
            seq[index] = _walk(item, fn, copy)
        return seq
    return fn(value)


def has_sealed(doc: Any) -> bool:
    """Whether any value in those places of `doc` is encrypted."""
    if not isinstance(doc, Mapping):
        return False
    found: list[bool] = []

    def note(_field: str, value: Any) -> Any:
        found.append(is_sealed(value))
        return value

    map_document(doc, note)
    return any(found)
