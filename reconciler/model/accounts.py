"""The Organizations inventory that account filters expand against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class OrgUnit:
    id: str  # r-xxxx for the root, ou-xxxx-yyyyyyyy otherwise
    path: str  # "/Root/Prod/Payments"; the root is "/Root"


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    status: str = "ACTIVE"  # Organizations Account.State: ACTIVE, SUSPENDED, ...
    ou_path: str = "/Root"
    tags: tuple[tuple[str, str], ...] = ()  # sorted (key, value)

    @property
    def key(self) -> str:
        return self.id

    @property
    def tag_map(self) -> dict[str, str]:
        return dict(self.tags)

    def in_ou(self, path: str) -> bool:
        """True when the account sits in the OU at `path` or any OU below it."""
        path = path.rstrip("/")
        return self.ou_path == path or self.ou_path.startswith(path + "/")
