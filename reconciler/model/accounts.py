"""The Organizations inventory that account filters expand against.

An OU path names an OU by the names from the root down, joined by `/`:
`/Root/Prod/Payments`. Organizations allows any character in an OU name,
`/` included, so inside a path a name's `/` is written `%2F` and its `%` is
written `%25` (percent-encoding, as in URLs). `Prod/Legacy` next to `Prod`
is `/Root/Prod%2FLegacy`, and every `/` in a path separates two OUs, so a
prefix test on paths is a subtree test. Reading a path, `%2F`/`%2f` and
`%25` are decoded and any other `%` is taken literally (`/Root/100%` is the
OU named `100%`); the canonical spelling encodes both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROOT_PATH = "/Root"
_ESCAPED = re.compile(r"%(2[Ff]|25)")


def ou_segment(name: str) -> str:
    """An OU name as one path segment."""
    return name.replace("%", "%25").replace("/", "%2F")


def ou_name(segment: str) -> str:
    """The OU name a path segment spells (the inverse of `ou_segment`)."""
    return _ESCAPED.sub(lambda m: "%" if m[1] == "25" else "/", segment)


def ou_child_path(parent_path: str, name: str) -> str:
    """The path of the OU `name` directly below the OU at `parent_path`."""
    return f"{parent_path}/{ou_segment(name)}"


def ou_path_names(path: str) -> list[str]:
    """`/Root/Prod%2FLegacy` -> ["Root", "Prod/Legacy"]."""
    return [ou_name(segment) for segment in path.strip("/").split("/")]


def canonical_ou_path(path: str) -> str:
    """The one spelling of `path`: every segment decoded and encoded again, so
    `%2f` and `%2F` (or `100%` and `100%25`) name the same OU. Leading and
    trailing slashes are kept as written."""
    if "%" not in path:
        return path
    return "/".join(ou_segment(ou_name(segment)) for segment in path.split("/"))


def ou_ancestors(path: str) -> list[str]:
    """ "/Root/Prod/Payments" -> ["/Root", "/Root/Prod", "/Root/Prod/Payments"]."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


@dataclass(frozen=True, order=True)
class OrgUnit:
    id: str  # r-xxxx for the root, ou-xxxx-yyyyyyyy otherwise
    path: str  # canonical OU path, "/Root/Prod/Payments"; the root is "/Root"

    @property
    def name(self) -> str:
        return ou_path_names(self.path)[-1]


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    status: str = "ACTIVE"  # Organizations Account.State: ACTIVE, SUSPENDED, ...
    ou_path: str = ROOT_PATH  # canonical OU path of the OU holding the account
    tags: tuple[tuple[str, str], ...] = ()  # sorted (key, value)

    @property
    def key(self) -> str:
        return self.id

    @property
    def tag_map(self) -> dict[str, str]:
        return dict(self.tags)

    def in_ou(self, path: str) -> bool:
        """True when the account sits in the OU at `path` or any OU below it."""
        path = canonical_ou_path(path).rstrip("/")
        return self.ou_path == path or self.ou_path.startswith(path + "/")
