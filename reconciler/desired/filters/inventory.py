"""The organization indexed once for fast filter evaluation.

Every lookup a filter atom needs is a dict access or one scan over distinct
names or tag values, never over accounts per rule; results are frozensets of
account ids so boolean operators are set algebra. Atoms only ever select
*eligible* accounts (active, not the management account, unless the settings
say otherwise); an explicit account id is the one exception and is resolved
against every account. OU paths are canonical (model.accounts: a `/` inside an
OU name is `%2F`), so the ancestors of a path are its `/`-separated prefixes.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache

from reconciler.model.accounts import (
    Account,
    OrgUnit,
    canonical_ou_path,
    ou_ancestors,
    ou_path_names,
)
from reconciler.model.state import State

_GLOB_CHARS = frozenset("*?[")


@lru_cache(maxsize=4096)
def compiled_glob(pattern: str) -> re.Pattern[str]:
    """A case-sensitive shell glob (fnmatch rules) as a compiled regex."""
    return re.compile(fnmatch.translate(pattern))


@lru_cache(maxsize=4096)
def compiled_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


class Inventory:
    """Accounts and OUs of one organization, with the indexes filters use."""

    def __init__(
        self,
        accounts: Iterable[Account],
        org_units: Iterable[OrgUnit] = (),
        *,
        management_account_id: str = "",
        include_suspended: bool = False,
        include_management: bool = False,
    ) -> None:
        self.accounts: Mapping[str, Account] = {a.id: a for a in sorted(accounts, key=_by_id)}
        self._org_units = tuple(org_units)
        self._widened: Inventory | None = None
        self.management_account_id = management_account_id
        self.include_suspended = include_suspended
        self.include_management = include_management
        self.eligible: frozenset[str] = frozenset(
            a.id for a in self.accounts.values() if self.is_eligible(a)
        )
        self.ou_path_by_id: dict[str, str] = {ou.id: ou.path.rstrip("/") for ou in self._org_units}
        self.known_ou_paths: set[str] = set(self.ou_path_by_id.values())

        names_all: dict[str, list[str]] = defaultdict(list)
        names: dict[str, set[str]] = defaultdict(set)
        subtree: dict[str, set[str]] = defaultdict(set)
        tags: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for account in self.accounts.values():
            names_all[account.name].append(account.id)
            ancestors = ou_ancestors(account.ou_path)
            self.known_ou_paths.update(ancestors)
            if account.id not in self.eligible:
                continue
            names[account.name].add(account.id)
            for path in ancestors:
                subtree[path].add(account.id)
            for key, value in account.tags:
                tags[key][value].add(account.id)
        self.ids_by_name: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in names_all.items()}
        self._names = {k: frozenset(v) for k, v in names.items()}
        self._subtree = {k: frozenset(v) for k, v in subtree.items()}
        self._tags = {k: {v: frozenset(ids) for v, ids in vs.items()} for k, vs in tags.items()}
        self.tag_keys: frozenset[str] = frozenset(
            key for account in self.accounts.values() for key, _ in account.tags
        )
        # Evaluated expressions and atoms; owned by reconciler.desired.filters.evaluate.
        self.memo: dict[object, frozenset[str]] = {}
        by_plain: dict[str, list[str]] = defaultdict(list)
        for known in sorted(self.known_ou_paths):
            by_plain["/" + "/".join(ou_path_names(known))].append(known)
        self._by_plain = dict(by_plain)

    @classmethod
    def from_state(
        cls, state: State, include_suspended: bool = False, include_management: bool = False
    ) -> Inventory:
        return cls(
            state.accounts.values(),
            state.org_units.values(),
            management_account_id=state.meta.management_account_id,
            include_suspended=include_suspended,
            include_management=include_management,
        )

    def widened(self) -> Inventory:
        """The same organization with every account eligible (itself when all
        are), to tell what a filter leaves out only because of the settings."""
        if len(self.eligible) == len(self.accounts):
            return self
        if self._widened is None:
            self._widened = Inventory(
                self.accounts.values(),
                self._org_units,
                management_account_id=self.management_account_id,
                include_suspended=True,
                include_management=True,
            )
        return self._widened

    def is_eligible(self, account: Account) -> bool:
        """Whether filter atoms other than an explicit id may select `account`."""
        if account.status != "ACTIVE" and not self.include_suspended:
            return False
        return self.include_management or account.id != self.management_account_id

    def excluded_reason(self, account_id: str) -> str:
        """Why an existing account is not eligible ("" when it is)."""
        account = self.accounts[account_id]
        if account.id == self.management_account_id and not self.include_management:
            return "management account"
        if account.status != "ACTIVE" and not self.include_suspended:
            return account.status.lower().replace("_", " ")
        return ""

    # -- lookups used by the evaluator; each returns eligible account ids --

    def with_id(self, account_id: str) -> frozenset[str]:
        return frozenset((account_id,)) if account_id in self.accounts else frozenset()

    def named(self, glob: str) -> frozenset[str]:
        if not _GLOB_CHARS & set(glob):
            return self._names.get(glob, frozenset())
        match = compiled_glob(glob).match
        return _union(ids for name, ids in self._names.items() if match(name))

    def name_search(self, regex: str) -> frozenset[str]:
        search = compiled_regex(regex).search
        return _union(ids for name, ids in self._names.items() if search(name))

    def tagged(self, key: str, value_glob: str | None) -> frozenset[str]:
        values = self._tags.get(key, {})
        if value_glob is None:
            return _union(values.values())
        if not _GLOB_CHARS & set(value_glob):
            return values.get(value_glob, frozenset())
        match = compiled_glob(value_glob).match
        return _union(ids for value, ids in values.items() if match(value))

    def in_ou_path(self, path: str) -> frozenset[str] | None:
        """Eligible accounts at or below the OU `path`; None if no such OU."""
        path = canonical_ou_path(path).rstrip("/")
        if path not in self.known_ou_paths:
            return None
        return self._subtree.get(path, frozenset())

    def same_names(self, path: str) -> list[str]:
        """Known OU paths other than `path` that read the same with every
        `%2F` taken as a separator: `/Root/Prod/Legacy` for `/Root/Prod%2FLegacy`
        and the other way round. A path that means one OU but was maybe
        meant as another."""
        plain = "/" + "/".join(ou_path_names(path))
        path = canonical_ou_path(path).rstrip("/")
        return [p for p in self._by_plain.get(plain, ()) if p != path]

    def in_ou_id(self, ou_id: str) -> frozenset[str] | None:
        path = self.ou_path_by_id.get(ou_id)
        return None if path is None else self.in_ou_path(path)


def _by_id(account: Account) -> str:
    return account.id


def _union(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    out: set[str] = set()
    for ids in sets:
        out |= ids
    return frozenset(out)
