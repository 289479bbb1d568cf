"""`idc prune`'s keep/remove decisions, against calendars worked out by hand.

The expected sets below are read off a calendar, not computed: the synthetic
history is a backup every 6 hours (00, 06, 12, 18 UTC) from Tue 2026-09-01
to Wed 2026-12-09, 400 backups; 2026-12-09 is in ISO week 2026-W50 (Mon 7
to Sun 13 Dec), so the newest of each earlier week is a Sunday 18:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.errors import InputError
from reconciler.store.retention import Candidate, Decision, KeepPolicy, decide

START = datetime(2026, 9, 1, tzinfo=UTC)


def name(time: datetime) -> str:
    return time.strftime("%Y-%m-%dT%H%M")


def backup(stamp: str) -> Candidate:
    time = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    return Candidate(name(time), time)


CALENDAR = [
    Candidate(name(START + timedelta(hours=6 * i)), START + timedelta(hours=6 * i))
    for i in range(400)
]


def kept(decisions: list[Decision]) -> dict[str, tuple[str, ...]]:
    return {d.candidate.name: d.reasons for d in decisions if d.keep}


def test_the_calendar_is_the_one_described() -> None:
    assert len(CALENDAR) == 400
    assert CALENDAR[-1].name == "2026-12-09T1800"


def test_keep_last_keeps_the_newest_five() -> None:
    assert kept(decide(CALENDAR, KeepPolicy(last=5))) == {
        "2026-12-09T1800": ("last 1",),
        "2026-12-09T1200": ("last 2",),
        "2026-12-09T0600": ("last 3",),
        "2026-12-09T0000": ("last 4",),
        "2026-12-08T1800": ("last 5",),
    }


def test_keep_daily_keeps_the_last_backup_of_each_of_seven_days() -> None:
    days = ["2026-12-09", "2026-12-08", "2026-12-07", "2026-12-06"]
    days += ["2026-12-05", "2026-12-04", "2026-12-03"]
    assert kept(decide(CALENDAR, KeepPolicy(daily=7))) == {
        f"{day}T1800": (f"daily {day}",) for day in days
    }


def test_keep_weekly_keeps_the_newest_of_each_iso_week() -> None:
    assert kept(decide(CALENDAR, KeepPolicy(weekly=4))) == {
        "2026-12-09T1800": ("weekly 2026-W50",),
        "2026-12-06T1800": ("weekly 2026-W49",),
        "2026-11-29T1800": ("weekly 2026-W48",),
        "2026-11-22T1800": ("weekly 2026-W47",),
    }


def test_keep_monthly_keeps_the_last_backup_of_each_month() -> None:
    assert kept(decide(CALENDAR, KeepPolicy(monthly=3))) == {
        "2026-12-09T1800": ("monthly 2026-12",),
        "2026-11-30T1800": ("monthly 2026-11",),
        "2026-10-31T1800": ("monthly 2026-10",),
    }


def test_combined_rules_keep_the_union_and_name_every_rule() -> None:
    decisions = decide(CALENDAR, KeepPolicy(last=2, daily=4, weekly=3, monthly=2))
    assert kept(decisions) == {
        "2026-12-09T1800": ("last 1", "daily 2026-12-09", "weekly 2026-W50", "monthly 2026-12"),
        "2026-12-09T1200": ("last 2",),
        "2026-12-08T1800": ("daily 2026-12-08",),
        "2026-12-07T1800": ("daily 2026-12-07",),
        "2026-12-06T1800": ("daily 2026-12-06", "weekly 2026-W49"),
        "2026-11-30T1800": ("monthly 2026-11",),
        "2026-11-29T1800": ("weekly 2026-W48",),
    }
    assert len(decisions) == 400
    assert [d.candidate.name for d in decisions[:3]] == [
        "2026-12-09T1800",
        "2026-12-09T1200",
        "2026-12-09T0600",
    ]
    removed = [d for d in decisions if not d.keep]
    assert len(removed) == 393
    assert {d.reasons for d in removed} == {("not kept by any rule",)}


def test_days_without_backups_do_not_use_up_daily_slots() -> None:
    history = [backup(s) for s in ("2026-12-01T10:00", "2026-12-02T09:00", "2026-12-02T21:00")]
    history += [backup(s) for s in ("2026-12-05T08:00", "2026-12-09T07:00")]
    assert kept(decide(history, KeepPolicy(daily=3))) == {
        "2026-12-09T0700": ("daily 2026-12-09",),
        "2026-12-05T0800": ("daily 2026-12-05",),
        "2026-12-02T2100": ("daily 2026-12-02",),
    }


def test_months_without_backups_do_not_use_up_monthly_slots() -> None:
    history = [backup(s) for s in ("2026-06-15T00:00", "2026-07-15T00:00", "2026-10-01T00:00")]
    assert set(kept(decide(history, KeepPolicy(monthly=2)))) == {
        "2026-10-01T0000",
        "2026-07-15T0000",
    }


def test_weeks_follow_iso_years_across_new_year() -> None:
    history = [backup(s) for s in ("2026-12-28T12:00", "2027-01-01T12:00", "2027-01-04T12:00")]
    assert kept(decide(history, KeepPolicy(weekly=2, monthly=1))) == {
        "2027-01-04T1200": ("weekly 2027-W01", "monthly 2027-01"),
        "2027-01-01T1200": ("weekly 2026-W53",),
    }


def test_buckets_are_utc_days_whatever_zone_a_time_is_given_in() -> None:
    new_york = timezone(timedelta(hours=-5))
    late = Candidate("late-evening-ny", datetime(2026, 12, 1, 23, 30, tzinfo=new_york))
    early = Candidate("early-utc", datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    decisions = decide([early, late], KeepPolicy(daily=2))
    assert kept(decisions) == {"late-evening-ny": ("daily 2026-12-02",)}


def test_equal_times_are_ordered_by_name_whatever_the_input_order() -> None:
    time = datetime(2026, 12, 1, tzinfo=UTC)
    a, b, c = (Candidate(n, time) for n in "abc")
    for order in ([a, b, c], [c, a, b], [b, c, a]):
        decisions = decide(order, KeepPolicy(last=1))
        assert [(d.candidate.name, d.keep) for d in decisions] == [
            ("c", True),
            ("b", False),
            ("a", False),
        ]


def test_nothing_given_nothing_decided() -> None:
    assert decide([], KeepPolicy(last=3)) == []


@pytest.mark.parametrize("rule", ["last", "daily", "weekly", "monthly"])
def test_negative_counts_are_refused_naming_the_flag(rule: str) -> None:
    with pytest.raises(InputError, match=f"--keep-{rule} must be 0 or more, not -1"):
        KeepPolicy(**{"last": 1, rule: -1})


def test_a_policy_that_keeps_nothing_is_refused() -> None:
    message = (
        "give at least one of --keep-last/--keep-daily/--keep-weekly/--keep-monthly; "
        "idc never prunes everything"
    )
    for policy in ({}, {"last": 0, "daily": 0, "weekly": 0, "monthly": 0}):
        with pytest.raises(InputError) as error:
            KeepPolicy(**policy)
        assert str(error.value) == message


def test_naive_times_are_refused() -> None:
    with pytest.raises(InputError) as error:
        Candidate("nightly", datetime(2026, 12, 1, 3, 0))
    assert str(error.value) == (
        "backup 'nightly': time 2026-12-01T03:00:00 has no timezone; give it in UTC"
    )


def test_a_name_listed_twice_is_refused() -> None:
    twice = [backup("2026-12-01T00:00"), backup("2026-12-01T00:00"), backup("2026-12-02T00:00")]
    with pytest.raises(InputError, match="'2026-12-01T0000' is listed more than once"):
        decide(twice, KeepPolicy(last=10))


candidates = st.lists(
    st.builds(
        Candidate,
        name=st.text("abcdef", min_size=1, max_size=6),
        # Whole hours over ~7 weeks across a new year: equal times, shared
        # days and weeks, and an ISO week that straddles two years are common.
        time=st.integers(0, 1200).map(
            lambda h: datetime(2026, 11, 20, tzinfo=UTC) + timedelta(hours=h)
        ),
    ),
    max_size=60,
    unique_by=lambda c: c.name,
)


def build(policy: dict[str, int]) -> KeepPolicy | None:
    """The policy, or None when it keeps nothing (refused, tested above)."""
    try:
        return KeepPolicy(**policy)
    except InputError:
        return None


policies = st.builds(
    build,
    st.fixed_dictionaries({r: st.integers(0, 6) for r in ("last", "daily", "weekly", "monthly")}),
).filter(lambda p: p is not None)


@given(candidates, policies)
def test_properties_of_every_decision(given_: list[Candidate], policy: KeepPolicy) -> None:
    decisions = decide(given_, policy)
    assert sorted(d.candidate.name for d in decisions) == sorted(c.name for c in given_)
    times = [d.candidate.time for d in decisions]
    assert times == sorted(times, reverse=True)
    keeps = [d.candidate for d in decisions if d.keep]
    assert len(keeps) <= policy.last + policy.daily + policy.weekly + policy.monthly
    if decisions:
        assert decisions[0].keep
    for d in decisions:
        assert (d.reasons == ("not kept by any rule",)) == (not d.keep)
    assert all(d.keep for d in decide(keeps, policy))
