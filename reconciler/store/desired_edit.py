"""`idc assign|revoke --write`: the same change, as an edit of desired/.

The GitOps way to grant across accounts: instead of calling AWS, the rule
goes into `desired/` for a pull request, and `idc plan` of the edited files
plans exactly what the direct command would do. Files are edited with the
round-trip YAML loader, so hand-written comments and formatting of
existing rules are kept; only the rules this change touches are rewritten.

assign appends one rule (to `desired/assignments/<PERMISSION_SET>.yaml`)
for the selected accounts that no rule grants yet. revoke takes the
selected accounts out of every explicit `accounts:` list granting the
principal; where such a rule also grants other principals, a rule for them
on those accounts is added right after it, so only this principal loses
access. A rule that selects accounts by a filter expression cannot be
narrowed without changing its meaning: that is an error located at the
rule, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.desired.filters import (
    AmbiguousAccountNameError,
    FilterError,
    Inventory,
    expand_accounts,
)
from reconciler.desired.loader import DESIRED_DIR, desired_files
from reconciler.desired.yaml_io import dump_yaml, load_yaml_text, position, read_text
from reconciler.errors import Diagnostic, InputError
from reconciler.fsutil import atomic_write_text
from reconciler.plan.grant import Grant
from reconciler.store.snapshot_files import DESIRED_SCHEMA, file_name_for

ASSIGNMENTS_DIR = "assignments"
PRINCIPAL_FIELD = {"USER": "users", "GROUP": "groups"}


@dataclass(frozen=True)
class Edit:
    path: Path
    accounts: tuple[str, ...]  # the account ids granted (assign) or taken out (revoke)


@dataclass
class _Rule:
    path: Path
    shown: str  # the path as messages show it
    doc: Any
    index: int
    item: CommentedMap
    ids: frozenset[str]  # the accounts it grants the principal (all of its accounts)


def write_grant(repo: Path, grant: Grant, inventory: Inventory, command: str) -> list[Edit]:
    """Edit desired/ so that it grants (or no longer grants) `grant`; the
    edits made, none when desired/ already says so. `command` is the
    command line, written as a comment above a new rule."""
    rules = list(_rules_granting(repo, grant, inventory))
    if grant.action == "assign":
        return _assign(repo, grant, rules, command)
    return _revoke(grant, rules, inventory, command)


def _rules_granting(repo: Path, grant: Grant, inventory: Inventory) -> Iterator[_Rule]:
    field = PRINCIPAL_FIELD[grant.principal_type]
    for path in desired_files(repo):
        shown = path.relative_to(repo).as_posix()
        doc = load_yaml_text(read_text(path, shown), shown)
        items = doc.get("assignments") if isinstance(doc, CommentedMap) else None
        for index, item in enumerate(items or ()):
            if not isinstance(item, CommentedMap):
                continue
            if item.get("permission_set") != grant.permission_set:
                continue
            if grant.principal not in [str(p) for p in item.get(field) or ()]:
                continue
            accounts = item.get("accounts")
            value = accounts if isinstance(accounts, str) else tuple(str(a) for a in accounts or ())
            try:
                ids = expand_accounts(value, inventory).ids
            except (FilterError, AmbiguousAccountNameError) as exc:
                raise _at(
                    shown, item, f"cannot tell which accounts this rule grants: {exc}"
                ) from None
            yield _Rule(path, shown, doc, index, item, frozenset(ids))


def _assign(repo: Path, grant: Grant, rules: list[_Rule], command: str) -> list[Edit]:
    granted = frozenset().union(*(r.ids for r in rules))
    new = sorted(grant.accounts - granted)
    if not new:
        return []
    path = repo / DESIRED_DIR / ASSIGNMENTS_DIR / file_name_for(grant.permission_set)
    shown = path.relative_to(repo).as_posix()
    doc = load_yaml_text(read_text(path, shown), shown) if path.is_file() else None
    if doc is None:
        doc = CommentedMap()
    elif not isinstance(doc, CommentedMap):
        raise InputError(Diagnostic(shown, 1, 1, "expected a mapping at the top level"))
    items = doc.setdefault("assignments", CommentedSeq())
    items.append(_rule(grant, new))
    items.yaml_set_comment_before_after_key(len(items) - 1, before=command, indent=2)
    header = "" if path.is_file() else _modeline(shown)
    _save(path, doc, header)
    return [Edit(path, tuple(new))]


def _revoke(grant: Grant, rules: list[_Rule], inventory: Inventory, command: str) -> list[Edit]:
    touched = [r for r in rules if r.ids & grant.accounts]
    for rule in touched:
        if isinstance(rule.item.get("accounts"), str):
            raise _at(
                rule.shown,
                rule.item,
                f'this rule grants by the filter "{rule.item["accounts"]}"; idc cannot take '
                "accounts out of a filter without changing what it selects: edit it by hand",
            )
    edits: dict[Path, set[str]] = {}
    # Highest index first, so inserting or deleting keeps the others' places.
    for rule in sorted(touched, key=lambda r: (str(r.path), -r.index)):
        removed = sorted(rule.ids & grant.accounts)
        items = rule.doc["assignments"]
        kept = [
            entry
            for entry in rule.item["accounts"]
            if not expand_accounts((str(entry),), inventory).ids & set(removed)
        ]
        others = _other_principals(rule.item, grant)
        if others:
            rest = CommentedMap(permission_set=grant.permission_set)
            rest["accounts"] = CommentedSeq(removed)
            for ptype, names in others.items():
                rest[PRINCIPAL_FIELD[ptype]] = CommentedSeq(names)
            items.insert(rule.index + 1, rest)
            items.yaml_set_comment_before_after_key(rule.index + 1, before=command, indent=2)
        if kept:
            rule.item["accounts"] = CommentedSeq(kept)
        else:
            del items[rule.index]
        edits.setdefault(rule.path, set()).update(removed)
    for path in edits:
        doc = next(r.doc for r in touched if r.path == path)
        _save(path, doc)
    return [Edit(path, tuple(sorted(ids))) for path, ids in sorted(edits.items())]


def _other_principals(item: CommentedMap, grant: Grant) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ptype, field in PRINCIPAL_FIELD.items():
        names = [str(n) for n in item.get(field) or ()]
        if ptype == grant.principal_type:
            names = [n for n in names if n != grant.principal]
        if names:
            out[ptype] = names
    return out


def _rule(grant: Grant, accounts: list[str]) -> CommentedMap:
    rule = CommentedMap(permission_set=grant.permission_set)
    rule["accounts"] = CommentedSeq(accounts)
    rule[PRINCIPAL_FIELD[grant.principal_type]] = CommentedSeq([grant.principal])
    return rule


def _modeline(shown: str) -> str:
    up = "../" * shown.count("/")
    return f"# yaml-language-server: $schema={up}schemas/{DESIRED_SCHEMA}\n"


def _save(path: Path, doc: Any, header: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, dump_yaml(doc, header))


def _at(shown: str, item: Any, message: str) -> InputError:
    line, column = position(item)
    return InputError(Diagnostic(shown, line, column, message))
