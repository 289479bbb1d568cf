"""Account assignments: one permission set, one principal, one account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PrincipalType = Literal["USER", "GROUP"]
PRINCIPAL_TYPES: tuple[PrincipalType, ...] = ("GROUP", "USER")


@dataclass(frozen=True, order=True)
class Assignment:
    permission_set: str
    principal_type: PrincipalType
    principal: str  # group name or user name
    account: str  # 12-digit account id

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.permission_set, self.principal_type, self.principal, self.account)
