"""A State as the canonical snapshot file set of docs/formats.md#state, and back.

A snapshot is a mapping of paths relative to `state/` to file bytes, so the
same code reads a working tree, a git revision or an export. Every data file
is a desired-state document (users, groups, permission_sets, assignments), so
an old snapshot can be used as desired state for a restore; only
`accounts.yaml` (the Organizations inventory) and `manifest.yaml` have their
own shapes. Output is canonical: records sorted by key, documents from the
one codec, written by the one YAML writer, so an unchanged organization gives
byte-identical files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any
from urllib.parse import quote

from reconciler.desired.yaml_io import dump_yaml, load_canonical_yaml
from reconciler.errors import Diagnostic, InputError
from reconciler.model import Assignment, Membership, PrincipalType, State, StateMeta, codec

SnapshotFiles = dict[str, bytes]

MANIFEST_FILE = "manifest.yaml"
ACCOUNTS_FILE = "accounts.yaml"
USERS_FILE = "users.yaml"
GROUPS_FILE = "groups.yaml"
PERMISSION_SETS_DIR = "permission_sets"
ASSIGNMENTS_DIR = "assignments"

# Each file's JSON Schema, for the yaml-language-server modeline: a path
# relative to the file into the repository's `schemas/` (which `idc init`
# writes), so editors complete and check snapshots offline and the bytes never
# depend on where idc is installed.
DESIRED_SCHEMA = "desired.schema.json"
ACCOUNTS_SCHEMA = "accounts.schema.json"
MANIFEST_SCHEMA = "manifest.schema.json"
DO_NOT_EDIT = "# written by idc snapshot; do not edit (run `idc snapshot` to refresh)"

_PRINCIPAL_FIELDS: tuple[tuple[PrincipalType, str], ...] = (("GROUP", "groups"), ("USER", "users"))
_SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9_+=,.@-]+$")  # AWS's own name pattern


def schema_of(path: str) -> str:
    """The JSON Schema a snapshot file follows: accounts and the manifest
    have their own, every other file is a desired-state document."""
    return {ACCOUNTS_FILE: ACCOUNTS_SCHEMA, MANIFEST_FILE: MANIFEST_SCHEMA}.get(
        path, DESIRED_SCHEMA
    )


def header(schema: str, path: str) -> str:
    """The two comment lines every snapshot file starts with; `path` is the
    file's path under state/."""
    up = "../" * (path.count("/") + 1)
    return f"# yaml-language-server: $schema={up}schemas/{schema}\n{DO_NOT_EDIT}\n"


def file_name_for(name: str) -> str:
    """A file name for a permission set: the name itself when it is safe on
    every filesystem, else percent-encoded (the document holds the real name)."""
    if _SAFE_FILE_NAME.match(name):
        return f"{name}.yaml"
    return quote(name, safe="") + ".yaml"


def yaml_bytes(schema: str, document: Mapping[str, Any], path: str) -> bytes:
    return dump_yaml(dict(document), header(schema, path)).encode("utf-8")


# A document transform applied before writing or after reading (store.fields):
# (path as shown, document) -> document.
Transform = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]


def render_data_files(state: State, transform: Transform | None = None) -> SnapshotFiles:
    """Every file of the snapshot except the manifest; `transform` (the
    field encryption) sees each document before it is written."""
    members: dict[str, list[str]] = {}
    for membership in state.sorted_memberships():
        members.setdefault(membership.group, []).append(membership.user)
    docs: dict[str, Mapping[str, Any]] = {
        ACCOUNTS_FILE: {
            **(
                {"management_account": state.meta.management_account_id}
                if state.meta.management_account_id
                else {}
            ),
            "org_units": [
                codec.org_unit_to_doc(ou)
                for ou in sorted(state.org_units.values(), key=lambda o: (o.path, o.id))
            ],
            "accounts": [codec.account_to_doc(a) for a in state.sorted_accounts()],
        },
        USERS_FILE: {"users": [codec.user_to_doc(u) for u in state.sorted_users()]},
        GROUPS_FILE: {
            "groups": [
                codec.group_to_doc(group, members.get(group.name, ()))
                for group in state.sorted_groups()
            ]
        },
    }
    for ps in state.sorted_permission_sets():
        path = f"{PERMISSION_SETS_DIR}/{file_name_for(ps.name)}"
        docs[path] = {"permission_sets": [codec.permission_set_to_doc(ps)]}
    by_account: dict[str, list[Assignment]] = {}
    for assignment in state.sorted_assignments():
        by_account.setdefault(assignment.account, []).append(assignment)
    for account_id, assignments in sorted(by_account.items()):
        path = f"{ASSIGNMENTS_DIR}/{file_name_for(account_id)}"
        docs[path] = {"assignments": codec.assignment_rules(assignments)}
    if transform is not None:
        docs = {path: transform(path, doc) for path, doc in docs.items()}
    return {path: yaml_bytes(schema_of(path), doc, path) for path, doc in sorted(docs.items())}


def is_data_file(path: str) -> bool:
    """True for the files a snapshot parses (the manifest and strays are not)."""
    if path in (ACCOUNTS_FILE, USERS_FILE, GROUPS_FILE):
        return True
    folder, _, name = path.partition("/")
    return (
        folder in (PERMISSION_SETS_DIR, ASSIGNMENTS_DIR)
        and "/" not in name
        and (name.endswith(".yaml"))
    )


def parse_snapshot(
    files: Mapping[str, bytes],
    *,
    origin: str = "state",
    meta: StateMeta | None = None,
    transform: Transform | None = None,
) -> State:
    """Files of a snapshot -> State. `origin` prefixes paths in error messages
    (`state`, or `HEAD~2:state`). A missing or malformed file is an InputError
    naming it, never a traceback or a silently partial state. `transform`
    (the field decryption) sees each document as read."""
    reader = _Reader(files, origin, transform)
    accounts_doc = reader.document(ACCOUNTS_FILE, required=True)
    users = reader.records(USERS_FILE, "users", codec.user_from_doc)
    group_pairs = reader.records(GROUPS_FILE, "groups", codec.group_from_doc)
    permission_sets = []
    assignments: list[Assignment] = []
    for path in sorted(files):
        if not is_data_file(path):
            continue
        if path.startswith(PERMISSION_SETS_DIR + "/"):
            permission_sets += reader.records(
                path, "permission_sets", codec.permission_set_from_doc
            )
        elif path.startswith(ASSIGNMENTS_DIR + "/"):
            for rule in reader.records(path, "assignments", dict):
                assignments += reader.expand_rule(path, rule)
    org_units = reader.convert(
        ACCOUNTS_FILE,
        lambda: [codec.org_unit_from_doc(d) for d in accounts_doc.get("org_units") or ()],
    )
    accounts = reader.convert(
        ACCOUNTS_FILE,
        lambda: [codec.account_from_doc(d) for d in accounts_doc.get("accounts") or ()],
    )
    management = accounts_doc.get("management_account")
    base = meta or StateMeta()
    return reader.convert(
        origin,
        lambda: State.build(
            users=users,
            groups=[group for group, _ in group_pairs],
            memberships=[
                Membership(group.name, user) for group, names in group_pairs for user in names
            ],
            permission_sets=permission_sets,
            assignments=assignments,
            accounts=accounts,
            org_units=org_units,
            meta=StateMeta(
                instance_arn=base.instance_arn,
                identity_store_id=base.identity_store_id,
                management_account_id=str(management) if management else "",
                region=base.region,
            ),
        ),
    )


class _Reader:
    """Turns file bytes into documents, and any failure into an InputError
    that names the file as the user sees it."""

    def __init__(
        self, files: Mapping[str, bytes], origin: str, transform: Transform | None = None
    ) -> None:
        self.files = files
        self.origin = origin
        self.transform = transform

    def shown(self, path: str) -> str:
        return f"{self.origin}/{path}"

    def fail(self, path: str, message: str) -> InputError:
        return InputError(Diagnostic(self.shown(path), 0, 0, message))

    def document(self, path: str, *, required: bool = False) -> Mapping[str, Any]:
        data = self.files.get(path)
        if data is None:
            if required:
                raise self.fail(path, "missing from the snapshot")
            return {}
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail(path, "file is not UTF-8") from None
        doc = load_canonical_yaml(text, self.shown(path))
        if doc is None:
            return {}
        if not isinstance(doc, Mapping):
            raise self.fail(path, "expected a mapping at the top level")
        return self.transform(self.shown(path), doc) if self.transform else doc

    def records(self, path: str, key: str, convert: Callable[[Any], Any]) -> list[Any]:
        items = self.document(path, required=True).get(key) or []
        if not isinstance(items, list):
            raise self.fail(path, f"`{key}` must be a list")
        return [self.convert(path, partial(convert, item)) for item in items]

    def expand_rule(self, path: str, rule: Mapping[str, Any]) -> list[Assignment]:
        """One explicit rule -> its concrete assignments."""
        accounts = rule.get("accounts") or []
        if not isinstance(accounts, list):
            raise self.fail(path, "snapshot assignments need an explicit list of account ids")
        if "permission_set" not in rule:
            raise self.fail(path, "an assignment rule without `permission_set`")
        return [
            Assignment(str(rule["permission_set"]), ptype, str(principal), str(account))
            for ptype, field in _PRINCIPAL_FIELDS
            for principal in rule.get(field) or ()
            for account in accounts
        ]

    def convert(self, path: str, build: Callable[[], Any]) -> Any:
        try:
            return build()
        except InputError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self.fail(
                path, f"not a valid snapshot file: {type(exc).__name__}: {exc}"
            ) from None
