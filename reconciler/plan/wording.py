"""Reasons in words, phrased the same way for every kind."""

from __future__ import annotations

from collections.abc import Sequence


def differ(fields: Sequence[str]) -> str:
    """`description differs` / `description and tags differ`."""
    names = list(fields)
    if len(names) == 1:
        return f"{names[0]} differs"
    return f"{', '.join(names[:-1])} and {names[-1]} differ"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# How a plan marks each action, and an old value becoming a new one; the
# same marks in `idc plan`, `idc history diff` and snapshot commit messages.
SIGNS: dict[str, str] = {"create": "+", "update": "~", "delete": "-"}
ARROW = "->"
