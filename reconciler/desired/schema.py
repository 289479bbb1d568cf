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
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from reconciler.desired.yaml_io import position, source_text
from reconciler.errors import Diagnostic

SCHEMA_NAMES: tuple[str, ...] = (
    "settings",
    "desired",
    "accounts",
    "manifest",
    "plan",
    "restore-map",
    "backup-manifest",
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


def validate_document(data: Any, schema: str, path: str, source: str = "") -> list[Diagnostic]:
    """Every schema violation in `data` (a ruamel document) as a located
    diagnostic; `source` (the file's text) lets hints quote what was written."""
    return sorted({d for _, found in check_document(data, schema, path, source) for d in found})


@dataclass(frozen=True)
class _Doc:
    """The document being checked: its ruamel root, display path and text."""

    root: Any
    path: str
    lines: Sequence[str] = ()


def check_document(
    data: Any, schema: str, path: str, source: str = ""
) -> list[tuple[tuple[Any, ...], list[Diagnostic]]]:
    """Like validate_document, with the document path of each violation, so a
    loader can skip just the invalid items and still load the rest.

    One problem gives one diagnostic: of several value checks failing on one
    node (`""` is too short and matches no pattern) only the first in
    `_VALUE_CHECKS` order is reported, and a required key is not reported
    missing where an unknown key next to it is offered as its spelling."""
    doc = _Doc(data, path, source.splitlines())
    errors = list(validator(schema).iter_errors(data))
    suggested = {
        tuple(e.absolute_path): _suggestions(e)
        for e in errors
        if e.validator == "additionalProperties"
    }
    out: list[tuple[tuple[Any, ...], list[Diagnostic]]] = []
    reported: set[tuple[Any, ...]] = set()
    for error in sorted(errors, key=_check_rank):
        where = tuple(error.absolute_path)
        if error.validator in _VALUE_CHECKS:
            if where in reported:
                continue
            reported.add(where)
        if error.validator == "required":
            missing = [
                k
                for k in error.validator_value
                if k not in error.instance and k not in suggested.get(where, set())
            ]
            if not missing:
                continue
            out.append((where, [_at(doc, list(where), _missing(where, missing))]))
            continue
        out.append((where, _diagnostics(error, doc)))
    return out


# Checks of one value, most telling first: of several failing on one node only
# the first is reported (a wrong type makes its pattern and length moot).
_VALUE_CHECKS = (
    "type",
    "const",
    "enum",
    "anyOf",
    "oneOf",
    "not",
    "minLength",
    "pattern",
    "format",
    "maxLength",
    "minimum",
    "maximum",
)


def _check_rank(error: ValidationError) -> tuple[int, ...]:
    rank = _VALUE_CHECKS.index(error.validator) if error.validator in _VALUE_CHECKS else 0
    return (rank,)


def _suggestions(error: ValidationError) -> set[str]:
    """Allowed keys offered as the spelling of an unknown key."""
    allowed = sorted(error.schema.get("properties", {}))
    if not isinstance(error.instance, dict):
        return set()
    return {
        close
        for key in error.instance
        if key not in allowed
        for close in difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    }


def _missing(where: Sequence[Any], missing: Sequence[str]) -> str:
    return f"{_name(where)}: missing required key {', '.join(json.dumps(k) for k in missing)}"


def _diagnostics(error: ValidationError, doc: _Doc) -> list[Diagnostic]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _any_of(error, doc)
    where = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        known = set(allowed)
        return [
            _at(doc, [*where, key], _unknown_key(key, where, allowed))
            for key in error.instance
            if key not in known
        ]
    if error.validator == "uniqueItems" and isinstance(error.instance, list):
        seen: list[Any] = []
        out = []
        for index, item in enumerate(error.instance):
            if item in seen:
                out.append(_at(doc, [*where, index], f"{_name(where)}: duplicate {_quote(item)}"))
            seen.append(item)
        return out
    if error.validator == "propertyNames":
        return [_at(doc, [*where, error.instance], _message(error, where, doc))]
    return [_at(doc, where, _message(error, where, doc))]


def _any_of(error: ValidationError, doc: _Doc) -> list[Diagnostic]:
    """Report the branch whose type matched, else say which types would do;
    alternatives of one value (`auto` or an instance ARN) make one message."""
    depth = len(error.absolute_path)
    where = list(error.absolute_path)
    specific = [
        e for e in error.context or () if e.validator != "type" or len(e.absolute_path) > depth
    ]
    if specific and all(
        e.validator in ("const", "enum", "pattern") and len(e.absolute_path) == depth
        for e in specific
    ):
        options = " or ".join(_option_words(e) for e in specific)
        return [_at(doc, where, f"{_name(where)}: must be {options}; got {_quote(error.instance)}")]
    if specific:
        return [d for e in specific for d in _diagnostics(e, doc)]
    types = [
        _TYPE_WORDS.get(str(b.get("type")), str(b.get("type")))
        for b in error.validator_value
        if isinstance(b, dict) and "type" in b
    ]
    if not types:
        return [_at(doc, where, _message(error, where, doc))]
    got = _describe(error.instance)
    hint = _hint(error.instance, doc, where) if "a string" in types else ""
    return [_at(doc, where, f"{_name(where)}: expected {' or '.join(types)}, got {got}{hint}")]


def _option_words(error: ValidationError) -> str:
    if error.validator == "pattern":
        return _pattern_words(error.validator_value, error.schema)
    options = error.validator_value if error.validator == "enum" else [error.validator_value]
    return " or ".join(map(str, options))


def _message(error: ValidationError, where: Sequence[Any], doc: _Doc) -> str:
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
        hint = _hint(instance, doc, where) if "string" in types else ""
        if instance is None and "array" in types:
            hint = "; write [] for an empty list"
        return f"{what}: expected {expected}, got {_describe(instance)}{hint}"
    if kind == "required":
        return _missing(where, [k for k in value if k not in instance])
    if kind == "pattern":
        return f"{what}: {_quote(instance)} is not {_pattern_words(value, schema)}"
    if kind == "propertyNames":
        return f"{what}: key {_quote(instance)} is not allowed: {_plain_reason(error)}"
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


def _plain_reason(error: ValidationError) -> str:
    """Why a key failed `propertyNames`, in the words of its first failing check."""
    for cause in error.context or ():
        if cause.validator == "pattern":
            return f"it is not {_pattern_words(cause.validator_value, cause.schema)}"
        if cause.validator == "maxLength":
            return f"at most {cause.validator_value} characters allowed"
        if cause.validator == "minLength":
            return "it must not be empty"
    return "see the schema"


# What each schema pattern accepts, in words: a message never shows a regex.
# tests/desired/test_schemas.py checks every pattern in the shipped schemas has words.
_ARN_WORDS = "an Identity Center instance ARN (arn:aws:sso:::instance/ssoins- and 16 characters)"
_SHA256_WORDS = "a sha256 in lower-case hex (64 characters)"
_STORE_WORDS = "an identity store id (d- and 10 hex digits)"
PATTERN_WORDS: dict[str, str] = {
    r"^\d{12}$": 'a 12-digit account id in quotes (e.g. "012345678901")',
    r"^/Root(/[^/]+)*$": "an OU path from the root (/Root or /Root/Prod)",
    r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$": "an OU id (ou-...) or root (r-...)",
    r"^\S+$": "a name without spaces",
    r"^\d{4}-\d{2}-\d{2}$": 'a date written YYYY-MM-DD in quotes (e.g. "1985-04-12")',
    r"^[\w+=,.@-]+$": "a name of letters, digits and + = , . @ _ - (no spaces)",
    r"^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$": "text of Latin-1 characters only",
    r"^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$": "an ISO-8601 duration such as PT1H or PT8H",
    (
        r"^arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy"
        r"((/[A-Za-z0-9\.,\+@=_-]+)*)/([A-Za-z0-9\.,\+=@_-]+)$"
    ): "an AWS managed policy ARN (arn:aws:iam::aws:policy/ReadOnlyAccess)",
    r"^[\w\s.:/=+@-]*$": "tag text: letters, digits, spaces and . : / = + @ _ -",
    r"^((/[A-Za-z0-9\.,\+@=_-]+)*)/$": "an IAM path starting and ending with / (/ or /team/)",
    r"^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$": _ARN_WORDS,
    r"^(arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9.-]{16})?$": _ARN_WORDS,
    (
        r"^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
    ): _STORE_WORDS,
    r"^[A-Za-z0-9-]{0,64}$": _STORE_WORDS,
    r"^[^/].*\.yaml$": "a relative path ending in .yaml",
    r"^[0-9a-f]{64}$": _SHA256_WORDS,
    r"^([0-9a-f]{64})?$": _SHA256_WORDS,
    r"^[a-z]{2}(-[a-z]+)+-\d$": "an AWS region name such as us-east-1",
    r"^([a-z]{2}(-[a-z]+)+-[0-9])?$": "an AWS region name such as us-east-1, or empty",
    r"^([0-9a-f]{40})?$": "a git commit id (40 hex digits), or empty",
    r"^[0-9a-f]{40}$": "a git commit id (40 hex digits)",
    r"^[0-9]{12}$": 'a 12-digit account id in quotes (e.g. "012345678901")',
    r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$": (
        "an IAM role ARN (arn:aws:iam::111111111111:role/NAME)"
    ),
    r"^s3://[^/]+/.+$": "an S3 location s3://BUCKET/KEY",
    r"^(https?://.+|arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256})$": (
        "an https:// webhook URL or an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"
    ),
    r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|kms:.+)$": "env:NAME, file:PATH or kms:KEY_ID_OR_ARN",
}


def _pattern_words(pattern: str, schema: Any) -> str:
    words = PATTERN_WORDS.get(pattern)
    if words is not None:
        return words
    description = schema.get("description") if isinstance(schema, dict) else None
    return f"valid here ({description})" if isinstance(description, str) else "valid here"


def _unknown_key(key: Any, where: Sequence[Any], allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    scope = f"in {_name(where)}" if where else "at top level"
    text = f"unknown key {_quote(key)} {scope}"
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    if close:
        text += f"; did you mean {_quote(close[0])}?"
    return f"{text} (allowed: {', '.join(allowed)})"


def _at(doc: _Doc, where: Sequence[Any], message: str) -> Diagnostic:
    line, col = _locate(doc.root, where)
    return Diagnostic(doc.path, line, col, message)


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
    if isinstance(value, bytes):
        return "binary data (!!binary); write the text itself"
    tag = getattr(getattr(value, "tag", None), "value", None)
    if isinstance(tag, str):  # a scalar with a custom tag such as `!ref x`
        return f"a value tagged {tag}; idc reads untagged YAML, remove the tag"
    return "a value idc cannot read"


def _hint(value: Any, doc: _Doc, where: Sequence[Any]) -> str:
    """YAML turns unquoted dates, numbers and true/false into non-strings;
    only worth saying where a string would have been accepted. The quoted
    suggestion is the text as written (`012345678901` keeps its zero)."""
    if not isinstance(value, bool | int | float | datetime.date):
        return ""
    written = _written(doc, where)
    if written is None:
        if isinstance(value, bool):
            written = str(value).lower()
        else:
            written = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return f"; quote it: {json.dumps(written, ensure_ascii=False)}"


def _written(doc: _Doc, where: Sequence[Any]) -> str | None:
    if not where or not doc.lines:
        return None
    parent = doc.root
    try:
        for step in where[:-1]:
            parent = parent[step]
    except (KeyError, IndexError, TypeError):
        return None
    return source_text(parent, where[-1], doc.lines)


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)
