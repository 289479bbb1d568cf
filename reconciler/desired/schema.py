"""JSON Schema validation of parsed YAML, with errors a person can act on.

The schemas shipped in the package (`reconciler/schemas/`, which `idc init`
copies into each GitOps repository's `schemas/`) are the contract for every
file format (editors use them through the yaml-language-server modeline). Here
jsonschema does the checking; this module only turns its errors into located
diagnostics: each one names `file:line:col` through the ruamel node at the
error's path, unknown keys get a did-you-mean, type errors say expected vs got.
"""

from __future__ import annotations

import datetime
import difflib
import json
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from reconciler.desired.yaml_io import position
from reconciler.errors import Diagnostic

SCHEMA_NAMES: tuple[str, ...] = (
    "settings",
    "desired",
    "accounts",
    "manifest",
    "plan",
    "restore-map",
)

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def schema_files() -> list[Traversable]:
    """The schema files as installed with the package: package data, so they
    are found the same from a wheel, a zip or a source checkout."""
    return [schema_file(name) for name in sorted(SCHEMA_NAMES)]


def schema_file(name: str) -> Traversable:
    return resources.files("reconciler") / "schemas" / f"{name}.schema.json"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema `reconciler/schemas/<name>.schema.json`."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    schema: dict[str, Any] = json.loads(schema_file(name).read_text(encoding="utf-8"))
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(
        load_schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def validate_document(data: Any, schema: str, path: str) -> list[Diagnostic]:
    """Every schema violation in `data` (a ruamel document) as a located diagnostic."""
    return sorted({d for _, found in check_document(data, schema, path) for d in found})


def check_document(
    data: Any, schema: str, path: str
) -> list[tuple[tuple[Any, ...], list[Diagnostic]]]:
    """Like validate_document, with the document path of each violation, so a
    loader can skip just the invalid items and still load the rest."""
    return [
        (tuple(error.absolute_path), _diagnostics(error, data, path))
        for error in validator(schema).iter_errors(data)
    ]


def _diagnostics(error: ValidationError, root: Any, path: str) -> list[Diagnostic]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _any_of(error, root, path)
    where = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        known = set(allowed)
        return [
            _at(root, [*where, key], path, _unknown_key(key, where, allowed))
            for key in error.instance
            if key not in known
        ]
    if error.validator == "uniqueItems" and isinstance(error.instance, list):
        seen: list[Any] = []
        out = []
        for index, item in enumerate(error.instance):
            if item in seen:
                out.append(
                    _at(root, [*where, index], path, f"{_name(where)}: duplicate {_quote(item)}")
                )
            seen.append(item)
        return out
    if error.validator == "propertyNames":
        return [_at(root, [*where, error.instance], path, _message(error, where))]
    return [_at(root, where, path, _message(error, where))]


def _any_of(error: ValidationError, root: Any, path: str) -> list[Diagnostic]:
    """Report the branch whose type matched, else say which types would do."""
    depth = len(error.absolute_path)
    specific = [
        e for e in error.context or () if e.validator != "type" or len(e.absolute_path) > depth
    ]
    if specific:
        return [d for e in specific for d in _diagnostics(e, root, path)]
    types = [
        _TYPE_WORDS.get(str(b.get("type")), str(b.get("type")))
        for b in error.validator_value
        if isinstance(b, dict) and "type" in b
    ]
    where = list(error.absolute_path)
    if not types:
        return [_at(root, where, path, _message(error, where))]
    got = _describe(error.instance)
    hint = _hint(error.instance) if "a string" in types else ""
    message = f"{_name(where)}: expected {' or '.join(types)}, got {got}{hint}"
    return [_at(root, where, path, message)]


def _message(error: ValidationError, where: Sequence[Any]) -> str:
    kind, value, instance, schema = (
        error.validator,
        error.validator_value,
        error.instance,
        error.schema,
    )
    what = _name(where)
    about = f" ({schema['description']})" if isinstance(schema.get("description"), str) else ""
    if kind == "type":
        types = value if isinstance(value, list) else [value]
        expected = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in types)
        hint = _hint(instance) if "string" in types else ""
        if instance is None and "array" in types:
            hint = "; write [] for an empty list"
        return f"{what}: expected {expected}, got {_describe(instance)}{hint}"
    if kind == "required":
        missing = [k for k in value if k not in instance]
        return f"{what}: missing required key {', '.join(json.dumps(k) for k in missing)}"
    if kind == "pattern":
        return f"{what}: {_quote(instance)} does not match {value}{about}"
    if kind == "propertyNames":
        return f"{what}: key {_quote(instance)} is not allowed: {error.message}"
    if kind == "maxItems":
        return f"{what}: at most {value} item{'s' * (value != 1)} allowed, got {len(instance)}"
    if kind == "minItems":
        return f"{what}: at least {value} item{'s' * (value != 1)} required"
    if kind == "maxLength":
        return f"{what}: at most {value} characters allowed, got {len(instance)}"
    if kind == "minLength":
        if value == 1:
            return f"{what}: must not be empty"
        return f"{what}: at least {value} characters required, got {len(instance)}"
    if kind in ("maxProperties", "minProperties"):
        bound = "at most" if kind == "maxProperties" else "at least"
        keys = "key" if value == 1 else "keys"
        return f"{what}: {bound} {value} {keys} expected, got {len(instance)}{about}"
    if kind in ("enum", "const"):
        options = value if kind == "enum" else [value]
        return f"{what}: must be one of {', '.join(map(str, options))}; got {_quote(instance)}"
    if kind == "not":
        return f"{what}: {_quote(instance)} is reserved by Identity Center"
    if kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        return f"{what}: must be {bound} {value}, got {instance}"
    return f"{what}: {error.message}"


def _unknown_key(key: Any, where: Sequence[Any], allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    scope = f"in {_name(where)}" if where else "at top level"
    text = f"unknown key {_quote(key)} {scope}"
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    if close:
        text += f"; did you mean {_quote(close[0])}?"
    return f"{text} (allowed: {', '.join(allowed)})"


def _at(root: Any, where: Sequence[Any], path: str, message: str) -> Diagnostic:
    line, col = _locate(root, where)
    return Diagnostic(path, line, col, message)


def _locate(root: Any, where: Sequence[Any]) -> tuple[int, int]:
    """Position of the deepest node on `where` that ruamel knows."""
    node = root
    best = position(root) if hasattr(root, "lc") else (1, 1)
    for step in where:
        found = position(node, step)
        if found != (0, 0):
            best = found
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return best


def _name(where: Sequence[Any]) -> str:
    """`users[0].emails[1]`: the field a message is about."""
    text = ""
    for step in where:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "document"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, datetime.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({_quote(value)})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _hint(value: Any) -> str:
    """YAML turns unquoted dates, numbers and true/false into non-strings;
    only worth saying where a string would have been accepted."""
    if isinstance(value, bool):
        return f'; quote it: "{str(value).lower()}"'
    if isinstance(value, datetime.date):
        return f'; quote it: "{value.isoformat()}"'
    if isinstance(value, int | float):
        return f'; quote it: "{value}"'
    return ""


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)
