"""Identity Store groups and memberships, keyed by names people read."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.model.users import ExternalId


@dataclass(frozen=True)
class Group:
    name: str  # DisplayName, unique in the identity store
    description: str | None = None
    external_ids: tuple[ExternalId, ...] = ()

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True, order=True)
class Membership:
    """A user in a group. Only users can be members in Identity Store."""

    group: str
    user: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.user)
