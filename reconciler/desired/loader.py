"""Desired-state files -> one located Desired, reporting every problem at once.

Desired files and snapshots share one format, so the same code reads
`desired/**/*.yaml` (or .yml) and `state/*.yaml`. Each file is parsed (located YAML
errors), schema-checked, converted through the codec item by item (an invalid
item is skipped, the rest still load, so one run reports everything), and
merged: a key defined twice, in one file or two, names both places.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler.desired.policy_grammar import check_policy
from reconciler.desired.schema import check_document, validate_document
from reconciler.desired.sealed import has_sealed, is_sealed, map_document
from reconciler.desired.semantic import check_semantics
from reconciler.desired.settings import Settings
from reconciler.desired.types import AssignmentRule, Desired, Location
from reconciler.desired.yaml_io import load_yaml_text, position, read_text
from reconciler.errors import Diagnostic, InputError
from reconciler.model import Group, Membership, PermissionSet, User, codec

DESIRED_DIR = "desired"
TOP_LEVEL_KINDS: tuple[str, ...] = ("users", "groups", "permission_sets", "assignments")
EMPTY_FILE = "file holds no documents (empty); nothing loaded from it"
# (file as shown, field, encrypted value) -> the value in clear.
OpenValue = Callable[[str, str, str], str]
_KIND_WORD = {"user": "user", "group": "group", "permission_set": "permission set"}


# Desired files are YAML by either usual suffix, in any case (a.yaml, b.yml,
# C.YAML): one rule for loading, validating and the plan's desired digest.
YAML_SUFFIXES = (".yaml", ".yml")


def desired_files(repo: Path) -> list[Path]:
    """Every YAML file under `desired/` (see YAML_SUFFIXES), sorted by path."""
    return sorted(
        p
        for p in (repo / DESIRED_DIR).rglob("*")
        if p.suffix.lower() in YAML_SUFFIXES and p.is_file()
    )


def load_desired(
    repo: Path, settings: Settings | None, *, open_value: OpenValue | None = None
) -> Desired:
    """The merged, validated desired state of a repository; InputError lists
    every problem (YAML, schema, duplicate keys, references, filter syntax).
    Without settings (idc.yaml is itself invalid) the checks that depend on
    them (references, managed kinds) are skipped, the file checks still run.
    `open_value(file, field, value)`: decrypts an `enc:v1:` value (a file
    copied from an encrypted snapshot); without it such values stay as written."""
    root = repo / DESIRED_DIR
    if not root.is_dir():
        raise InputError(
            Diagnostic(
                f"{DESIRED_DIR}/",
                0,
                0,
                f"no {DESIRED_DIR}/ directory: put desired state in {DESIRED_DIR}/*.yaml "
                "(`idc init` creates one)",
            )
        )
    paths = desired_files(repo)
    merger = _Merger(check_policies=True, open_value=open_value)
    for path in paths:
        merger.add_file(path, _display(path, repo))
    if not merger.declared and not merger.errors():
        # A new repository (`idc init` writes a commented starter file): a
        # kind no file declares is never planned, so this plans nothing. One
        # note says so instead of a warning per comment-only file.
        merger.diagnostics = [d for d in merger.diagnostics if d.message != EMPTY_FILE]
        found = f"{len(paths)} file{'s' * (len(paths) != 1)}, none" if paths else "no file"
        merger.warn(
            f"{DESIRED_DIR}/",
            f"nothing declared yet ({found} with top-level {', '.join(TOP_LEVEL_KINDS)}), "
            "so plans change nothing; declare some in desired/*.yaml, or adopt the live "
            "organization with `idc init --from-live`",
        )
    desired = merger.desired()
    if settings is not None:
        semantic = check_semantics(desired, settings, incomplete=merger.incomplete)
        merger.diagnostics.extend(semantic)
    return merger.result(desired)


def load_documents(paths: Iterable[Path], display_root: Path) -> Desired:
    """Merge desired-format documents (e.g. a snapshot's state/*.yaml) with the
    same parsing, schema and duplicate checks as desired files; paths in
    messages are shown relative to `display_root`."""
    merger = _Merger()
    for path in sorted(paths):
        merger.add_file(path, _display(path, display_root))
    return merger.result(merger.desired())


def read_document(path: Path, display_root: Path, schema: str) -> Any:
    """Parse one YAML file and check it against the package schema `<schema>.schema.json`
    (e.g. "accounts", "manifest"); returns the ruamel document."""
    shown = _display(path, display_root)
    text = read_text(path, shown)
    data = load_yaml_text(text, shown)
    problems = validate_document(data, schema, shown, text)
    if problems:
        raise InputError(problems)
    return data


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


@dataclass
class _Merger:
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    memberships: set[Membership] = field(default_factory=set)
    permission_sets: dict[str, PermissionSet] = field(default_factory=dict)
    rules: list[AssignmentRule] = field(default_factory=list)
    locations: dict[tuple[str, str], Location] = field(default_factory=dict)
    declared: set[str] = field(default_factory=set)
    # Kinds with an item that failed to load: references to them are not checked.
    incomplete: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Inline policies are held to IAM's grammar in desired files; a snapshot
    # holds what AWS accepted, which is not second-guessed.
    check_policies: bool = False
    open_value: OpenValue | None = None
    _lines: dict[Path, list[str]] = field(default_factory=dict)

    def warn(self, path: str, message: str, line: int = 0, column: int = 0) -> None:
        self.diagnostics.append(Diagnostic(path, line, column, message, "warning"))

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def add_file(self, path: Path, shown: str) -> None:
        try:
            text = read_text(path, shown)
            data = load_yaml_text(text, shown)
        except InputError as exc:
            self.diagnostics.extend(exc.diagnostics)
            self.incomplete.update(TOP_LEVEL_KINDS)  # unknown what the file declared
            return
        if self.open_value is not None and isinstance(data, dict) and has_sealed(data):
            opener = self.open_value

            def open_sealed(name: str, value: Any) -> Any:
                return opener(shown, name, value) if is_sealed(value) else value

            map_document(data, open_sealed, copy=False)  # in place: positions stay
        if data is None or data == {}:
            # A placeholder or fully commented-out file declares nothing, so it
            # cannot change a plan; say so, but do not fail the run.
            self.warn(shown, EMPTY_FILE, 1, 1)
            return
        bad_items: set[tuple[str, int]] = set()
        bad_kinds: set[str] = set()
        for where, found in check_document(data, "desired", shown, text):
            self.diagnostics.extend(found)
            if len(where) >= 2 and isinstance(where[1], int):
                bad_items.add((str(where[0]), where[1]))
            elif where and where[0] in TOP_LEVEL_KINDS:
                bad_kinds.add(str(where[0]))
            elif not where:
                bad_kinds.update(TOP_LEVEL_KINDS)
        self.incomplete.update(bad_kinds)
        if not isinstance(data, dict):
            return
        for kind in TOP_LEVEL_KINDS:
            items = data.get(kind)
            if kind not in data:
                continue
            self.declared.add(kind)
            if kind == "groups":
                self.declared.add("memberships")
            if not isinstance(items, list) or kind in bad_kinds:
                continue
            for index, item in enumerate(items):
                if (kind, index) in bad_items:
                    self.incomplete.add(kind)
                    continue
                loc = Location(shown, *position(items, index))
                self._add_item(kind, index, item, loc, path, shown)

    def _add_item(
        self, kind: str, index: int, item: Any, loc: Location, path: Path, shown: str
    ) -> None:
        if kind == "users":
            user = codec.user_from_doc(item)
            if self._claim("user", user.user_name, loc):
                self.users[user.user_name] = user
        elif kind == "groups":
            group, members = codec.group_from_doc(item)
            if self._claim("group", group.name, loc):
                self.groups[group.name] = group
                seq = item.get("members") or []
                for index, member in enumerate(members):
                    self.memberships.add(Membership(group.name, member))
                    where = Location(shown, *position(seq, index))
                    self.locations[("membership", f"{group.name}:{member}")] = where
        elif kind == "permission_sets":
            trail = f"permission_sets[{index}].inline_policy"
            policy = item.get("inline_policy")
            policy_problems = _non_json_values(policy, shown, trail)
            if not policy_problems and policy is not None and self.check_policies:
                policy_problems = check_policy(policy, shown, trail)
            self.diagnostics.extend(d for d in policy_problems if d.severity != "error")
            policy_problems = [d for d in policy_problems if d.severity == "error"]
            if policy_problems:
                self.diagnostics.extend(policy_problems)
                self.incomplete.add(kind)
                return
            ps = codec.permission_set_from_doc(item)
            if self._claim("permission_set", ps.name, loc):
                self.permission_sets[ps.name] = ps
        else:
            self.rules.append(self._rule(item, loc, path, shown))

    def _claim(self, kind: str, key: str, loc: Location) -> bool:
        first = self.locations.get((kind, key))
        if first is not None:
            message = f'{_KIND_WORD[kind]} "{key}" is also defined at {first}'
            self.diagnostics.append(Diagnostic(loc.path, loc.line, loc.column, message))
            return False
        self.locations[(kind, key)] = loc
        return True

    def desired(self) -> Desired:
        return Desired(
            users=dict(sorted(self.users.items())),
            groups=dict(sorted(self.groups.items())),
            memberships=frozenset(self.memberships),
            permission_sets=dict(sorted(self.permission_sets.items())),
            rules=tuple(self.rules),
            locations=dict(sorted(self.locations.items())),
            declared=frozenset(self.declared),
        )

    def result(self, desired: Desired) -> Desired:
        """The desired state, or every diagnostic (warnings too) as one InputError."""
        if self.errors():
            raise InputError(self.diagnostics)
        return replace(desired, warnings=tuple(sorted(self.diagnostics)))

    def _rule(self, item: Any, loc: Location, path: Path, shown: str) -> AssignmentRule:
        accounts = item["accounts"]
        principals: list[tuple[str, str, Location]] = []
        for key, ptype in (("groups", "GROUP"), ("users", "USER")):
            seq = item.get(key) or []
            for index, name in enumerate(seq):
                principals.append((ptype, str(name), Location(shown, *position(seq, index))))
        is_filter = isinstance(accounts, str)
        return AssignmentRule(
            permission_set=str(item["permission_set"]),
            groups=tuple(str(g) for g in item.get("groups") or ()),
            users=tuple(str(u) for u in item.get("users") or ()),
            accounts=str(accounts) if is_filter else tuple(map(str, accounts)),
            location=loc,
            accounts_location=(
                self._value_start(item, path, shown)
                if is_filter
                else Location(shown, *position(item, "accounts"))
            ),
            principal_locations=tuple(principals),
        )

    def _value_start(self, node: Any, path: Path, shown: str) -> Location:
        """Where the text of `node["accounts"]` starts: after an opening quote, or
        on the first content line of a block scalar, so filter columns map to the
        file. The round-trip loader does not keep scalar styles, so read the text."""
        try:
            line, col = node.lc.value("accounts")
        except (AttributeError, KeyError, TypeError):
            return Location(shown, *position(node, "accounts"))
        if path not in self._lines:
            self._lines[path] = path.read_text(encoding="utf-8").splitlines()
        lines = self._lines[path]
        text = lines[line] if line < len(lines) else ""
        first = text[col : col + 1]
        if first in ('"', "'"):
            return Location(shown, line + 1, col + 2)
        if first in ("|", ">") and line + 1 < len(lines):
            following = lines[line + 1]
            return Location(shown, line + 2, len(following) - len(following.lstrip()) + 1)
        return Location(shown, line + 1, col + 1)


def _non_json_values(node: Any, shown: str, trail: str) -> list[Diagnostic]:
    """YAML reads unquoted `Version: 2012-10-17` as a date; a policy is JSON."""
    out: list[Diagnostic] = []
    children: Iterable[tuple[Any, Any]] = ()
    if isinstance(node, dict):
        children = node.items()
    elif isinstance(node, list):
        children = enumerate(node)
    for key, value in children:
        name = f"{trail}[{key}]" if isinstance(key, int) else f"{trail}.{key}"
        if isinstance(value, datetime.date):
            line, col = position(node, key)
            message = f'{name}: a policy holds JSON values, got a date; quote it: "{value}"'
            out.append(Diagnostic(shown, line, col, message))
        else:
            out.extend(_non_json_values(value, shown, name))
    return out
