"""A plan file, read back and checked whole before `idc apply PLAN` runs it.

A plan file was reviewed (in a pull request) against one desired state, one
live state and one Identity Center instance, and it names resources by name
only. So before anything changes it is refused when:

- it is not an idc plan file (schema), or was refused when it was made
  (over safety.max_deletes);
- its changes are not the ones written: `changes_digest` no longer matches,
  a change's key disagrees with its own documents (a key naming account 111
  whose `after` names 222), or the summary miscounts them;
- it was made from another repository's desired state (`desired_digest`
  against `repository_digest` of the repository applying it);
- it was made against another instance, or something it touches changed
  since (`touched` against a fresh read).

Plan files without instance or desired digest (written before those were
recorded, or built by a library caller without a repository) are judged
without those two checks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reconciler.desired.loader import desired_files
from reconciler.desired.schema import validate_document
from reconciler.desired.settings import SETTINGS_FILE
from reconciler.errors import Diagnostic, IdcError, InputError
from reconciler.model import State
from reconciler.plan import FORMAT_VERSION, Change, Plan, resource_digest
from reconciler.plan.changes import changes_digest
from reconciler.plan.documents import KEY_FIELDS

SHOWN = 10  # items named in a message; the rest are counted
# Kinds whose document is their key (in YAML they live inside groups and rules).
KEY_IS_DOCUMENT = frozenset({"membership", "assignment"})


def repository_digest(repo: Path) -> str:
    """sha256 over idc.yaml and every desired/*.yaml (path and bytes), the
    inputs a plan is made from; `idc plan` records it in the plan file."""
    digest = hashlib.sha256()
    for path in [repo / SETTINGS_FILE, *desired_files(repo)]:
        if path.is_file():
            data = path.read_bytes()
            name = path.relative_to(repo).as_posix()
            digest.update(f"{name}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def load_plan(path: Path) -> Plan:
    """The plan file, checked against the plan schema (plan.schema.json) and whole
    (digest, keys against documents, summary) before use, so a truncated,
    hand-edited or refused plan is refused with what is wrong in it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IdcError(f"{path}: cannot read plan: {exc.strerror or exc}") from exc
    except ValueError as exc:  # not UTF-8, not JSON
        raise IdcError(f"{path}: not an idc plan file ({exc})") from exc
    if isinstance(data, dict) and data.get("format_version") != FORMAT_VERSION:
        raise IdcError(
            f"{path}: not an idc plan file (unsupported plan format_version "
            f"{data.get('format_version')!r}; this idc writes {FORMAT_VERSION})"
        )
    problems = validate_document(data, "plan", str(path))
    if problems:
        raise InputError(
            [Diagnostic(d.path, 0, 0, f"not an idc plan file: {d.message}") for d in problems]
        )
    plan = Plan.from_json(data)
    if plan.refused:
        raise IdcError(
            f"plan {path} cannot be applied: {plan.refused}; nothing was changed "
            "(`idc plan -o` saves only plans that can be applied)"
        )
    edited = list(whole_file_problems(plan, data))
    if edited:
        raise IdcError(
            f"plan {path} was edited after idc plan wrote it: {_listed(edited, '; ')}; "
            "nothing was changed. Run `idc plan -o` again and review the new plan"
        )
    return plan


def whole_file_problems(plan: Plan, data: dict[str, Any]) -> Iterator[str]:
    """What makes a schema-valid plan file inconsistent with itself."""
    if data.get("changes_digest") != changes_digest(plan.changes):
        yield "its changes do not match its changes_digest"
    for index, change in enumerate(plan.changes):
        problem = change_problem(change)
        if problem is not None:
            yield f"changes[{index}] ({change.action} {change.key_text()}): {problem}"
    if data.get("summary") != plan.summary():
        yield f"its summary {data.get('summary')} does not count its changes {plan.summary()}"


def change_problem(change: Change) -> str | None:
    """Why a change disagrees with itself: its key has the wrong fields, its
    documents do not fit its action, or they name another resource."""
    fields = KEY_FIELDS[change.kind]
    if tuple(change.key) != fields:
        return (
            f"key has fields {', '.join(change.key)}, a {change.kind} key has {', '.join(fields)}"
        )
    docs = {"before": change.before, "after": change.after}
    needed = {"create": ("after",), "update": ("before", "after"), "delete": ("before",)}
    for side, doc in docs.items():
        if (doc is not None) != (side in needed[change.action]):
            state = "has no" if doc is None else "must not have a"
            return f"a {change.action} {state} `{side}` document"
    for side, doc in docs.items():
        if doc is None:
            continue
        named = dict(doc) if change.kind in KEY_IS_DOCUMENT else {f: doc.get(f) for f in fields}
        if named != dict(change.key):
            return f"key {dict(change.key)} but `{side}` names {named}"
    return None


def check_repository(plan: Plan, repo: Path, path: Path) -> None:
    """Refuse a plan made from other desired state than this repository's."""
    actual = repository_digest(repo)
    if plan.desired_digest and plan.desired_digest != actual:
        raise IdcError(
            f"plan {path} was made from desired state {plan.desired_digest[:12]}, but "
            f"{SETTINGS_FILE} and desired/ in {repo} are {actual[:12]}: it was planned in "
            "another repository, or they changed since; nothing was changed. Run `idc plan` "
            "here and review the new plan"
        )


def check_instance(
    plan: Plan, live: State, path: Path, doing: str = "this apply would change"
) -> None:
    """Refuse a plan made against another Identity Center instance."""
    for field, planned, actual in (
        ("instance", plan.instance_arn, live.meta.instance_arn),
        ("identity store", plan.identity_store_id, live.meta.identity_store_id),
    ):
        if planned and actual and planned != actual:
            raise IdcError(
                f"plan {path} was made against {field} {planned}, but {doing} "
                f"{field} {actual}; nothing was changed. Check --profile/--region "
                "(or idc.yaml's instance), or run `idc plan` against this instance"
            )


def check_against_live(plan: Plan, live: State, path: Path) -> None:
    """Refuse a plan made against another instance, or one that is stale.

    The instance is checked first: against another instance every resource
    looks "changed", and the stale message would send the user re-planning
    against the wrong instance.
    """
    check_instance(plan, live, path)
    stale = [
        c.key_text()
        for c in plan.changes
        if resource_digest(live, c.kind, dict(c.key)) != plan.touched.get(c.key_text())
    ]
    if stale:
        raise IdcError(
            f"plan {path} is stale: {len(stale)} resource(s) it changes were changed "
            f"since it was made: {_listed(stale, ', ')}; run `idc plan` again and review "
            "the new plan"
        )


def _listed(items: list[str], sep: str) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return sep.join(items[:SHOWN]) + more
