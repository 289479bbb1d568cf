"""Which backups `idc prune` keeps: restic's and borg's `forget` policy.

Pure decisions, no I/O: the caller lists the backups it found and removes
what `decide` marks; this module never decides on anything it was not given,
so a backup it was not shown is never counted, kept or removed.

The semantics are restic's `forget`, so users who know those flags get no
surprise. Backups are ordered newest first (equal times: name descending, so
the answer never depends on listing order). Each rule walks that order and
keeps the first, hence newest, backup of every new bucket until it has kept
its count:

- `last N`: every backup is its own bucket, so the N newest are kept;
- `daily D`: bucket = UTC date, so the newest backup of each of the D most
  recent days *that have backups* (a day with none does not use up a slot);
- `weekly W`: bucket = ISO year-week (`%G-W%V`), so 1 Jan 2027 is 2026-W53;
- `monthly M`: bucket = year-month.

A backup may be kept by several rules; every reason is listed ("last 1" is
the newest backup, "daily 2026-12-01", "weekly 2026-W48", "monthly
2026-11"). The rules only ever add keeps, so the newest backup is kept by any
rule, at most last+daily+weekly+monthly backups are kept, and deciding again
on the kept set keeps all of it. A policy that keeps nothing is refused:
idc never prunes everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from reconciler.errors import Diagnostic, InputError

REMOVED = "not kept by any rule"
KEEP_NOTHING = (
    "give at least one of --keep-last/--keep-daily/--keep-weekly/--keep-monthly; "
    "idc never prunes everything"
)

# Rule name -> bucket of a backup, from its position newest first (1-based)
# and its UTC time. Policy fields are named after these rules.
BUCKETS: dict[str, Callable[[int, datetime], str]] = {
    "last": lambda position, _time: str(position),
    "daily": lambda _position, time: time.strftime("%Y-%m-%d"),
    "weekly": lambda _position, time: time.strftime("%G-W%V"),
    "monthly": lambda _position, time: time.strftime("%Y-%m"),
}


@dataclass(frozen=True)
class KeepPolicy:
    """How many buckets each rule keeps; 0 turns a rule off."""

    last: int = 0
    daily: int = 0
    weekly: int = 0
    monthly: int = 0

    def __post_init__(self) -> None:
        problems = [
            f"--keep-{rule} must be 0 or more, not {count}"
            for rule, count in self.counts()
            if count < 0
        ]
        if not problems and not any(count for _rule, count in self.counts()):
            problems.append(KEEP_NOTHING)
        if problems:
            raise InputError([Diagnostic("", 0, 0, problem) for problem in problems])

    def counts(self) -> list[tuple[str, int]]:
        """(rule, count) in the order reasons are listed."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


@dataclass(frozen=True)
class Candidate:
    """One backup the caller found: its name and when it was taken.

    The time must be timezone-aware: a naive time could be any zone, and
    buckets are UTC days, weeks and months.
    """

    name: str
    time: datetime

    def __post_init__(self) -> None:
        if self.time.tzinfo is None or self.time.utcoffset() is None:
            raise InputError(
                f"backup {self.name!r}: time {self.time.isoformat()} has no timezone; "
                "give it in UTC"
            )


@dataclass(frozen=True)
class Decision:
    """Keep or remove one candidate, with every rule that kept it."""

    candidate: Candidate
    keep: bool
    reasons: tuple[str, ...]


def _newest_first(candidates: Iterable[Candidate]) -> list[Candidate]:
    ordered = sorted(candidates, key=lambda c: (c.time, c.name), reverse=True)
    twice = sorted(name for name, n in Counter(c.name for c in ordered).items() if n > 1)
    if twice:
        raise InputError(
            [Diagnostic("", 0, 0, f"backup {name!r} is listed more than once") for name in twice]
        )
    return ordered


def decide(candidates: Iterable[Candidate], policy: KeepPolicy) -> list[Decision]:
    """One decision per candidate, newest first (see the module docstring)."""
    ordered = _newest_first(candidates)
    utc = [c.time.astimezone(UTC) for c in ordered]
    reasons: list[list[str]] = [[] for _ in ordered]
    for rule, count in policy.counts():
        bucket_of = BUCKETS[rule]
        previous: str | None = None
        left = count
        for index, time in enumerate(utc):
            if left == 0:
                break
            bucket = bucket_of(index + 1, time)
            # Newest first, so a bucket's backups are adjacent and the first
            # seen is its newest.
            if bucket != previous:
                reasons[index].append(f"{rule} {bucket}")
                previous = bucket
                left -= 1
    return [
        Decision(c, bool(why), tuple(why) if why else (REMOVED,))
        for c, why in zip(ordered, reasons, strict=True)
    ]
