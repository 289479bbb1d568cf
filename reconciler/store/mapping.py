"""`idc restore --map FILE`: restore a backup into another organization.

The map names the backup's accounts (and OU paths) as the target knows
them; principals and permission sets match by name, and the target instance
and identity store are always the ones idc is pointed at, never the
backup's. Mapping rewrites the backup's State before anything else sees it,
so planning, the compatibility check and apply run unchanged: an unmapped
account the target does not have is a compatibility error, not a silent drop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from reconciler.desired.loader import read_document
from reconciler.errors import IdcError
from reconciler.model import Account, State
from reconciler.store.restore import Source

MAP_SCHEMA = "restore-map"


@dataclass(frozen=True)
class RestoreMap:
    accounts: Mapping[str, str] = field(default_factory=dict)  # backup id -> target id
    ous: Mapping[str, str] = field(default_factory=dict)  # backup OU path -> target path

    @property
    def reverse(self) -> dict[str, str]:
        """Target id -> backup id, for messages about a mapped account."""
        return {target: backup for backup, target in self.accounts.items()}


def load_map(path: Path, repo: Path) -> RestoreMap:
    """The map file, checked against restore-map.schema.json; InputError with
    every problem located `file:line:col`."""
    if not path.is_file():
        raise IdcError(f"--map: {path} is not a file")
    data = read_document(path, repo, MAP_SCHEMA) or {}
    return RestoreMap(
        accounts={str(k): str(v) for k, v in (data.get("accounts") or {}).items()},
        ous={str(k): str(v) for k, v in (data.get("ous") or {}).items()},
    )


def map_state(state: State, amap: RestoreMap) -> State:
    """The backup as the target names it: assignments and account records
    under their target ids, account records under their target OU paths."""
    if not amap.accounts and not amap.ous:
        return state
    ids = amap.accounts
    accounts: dict[str, Account] = {}
    for account in state.accounts.values():
        moved = replace(
            account,
            id=ids.get(account.id, account.id),
            ou_path=amap.ous.get(account.ou_path, account.ou_path),
        )
        accounts[moved.id] = moved
    assignments = frozenset(
        replace(a, account=ids.get(a.account, a.account)) for a in state.assignments
    )
    return replace(state, accounts=accounts, assignments=assignments)


def map_source(source: Source, amap: RestoreMap) -> Source:
    return replace(source, state=map_state(source.state, amap), mapped_from=amap.reverse)
