"""The auditors' CSV export: exact values through quoting, the promised
headers, UTF-8, clear errors on foreign files, and rows streamed to disk."""

from __future__ import annotations

import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.errors import InputError
from reconciler.model import (
    Account,
    Assignment,
    ExternalId,
    Group,
    Membership,
    PersonName,
    State,
    TypedValue,
    User,
)
from reconciler.store.backup_csv import CSV_FILES, read_csv, write_csv
from tests.store.strategies import AWS_CHARACTERS

ZOE_DISPLAY = 'Zoë "Z", Admin\nsecond line'
TRICKY_DESCRIPTION = 'line one\r\nline "two", with comma'
OU_PATH = "/Root/Prod%2FLegacy/Zoë"


def _tricky_state() -> State:
    return State.build(
        users=[
            User(
                user_name="zoe@example.com",
                display_name=ZOE_DISPLAY,
                name=PersonName(given="Zoë", family="=1+2"),
                title="+SUM(A1:A9)",
                user_type="-Contractor",
                emails=(
                    TypedValue("zoe@example.com", "work", True),
                    TypedValue("z,oe@example.org", "home"),
                ),
                external_ids=(ExternalId("okta", "00u1"), ExternalId("https://idp", "a:b")),
            ),
            User(user_name="=cmd|' /C calc'!A0"),
        ],
        groups=[
            Group("Admins, Prod", TRICKY_DESCRIPTION),
            Group("@ops"),
        ],
        memberships=[
            Membership("Admins, Prod", "zoe@example.com"),
            Membership("Admins, Prod", "=cmd|' /C calc'!A0"),
            Membership("@ops", "zoe@example.com"),
        ],
        assignments=[
            Assignment("Admin", "GROUP", "Admins, Prod", "111111111111"),
            Assignment("ReadOnly", "USER", "zoe@example.com", "999999999999"),
        ],
        accounts=[Account("111111111111", 'Prod "main", EU', ou_path=OU_PATH)],
    )


def test_round_trip_gives_the_promised_columns_and_exact_values(tmp_path: Path) -> None:
    written = write_csv(_tricky_state(), tmp_path / "export")
    assert list(written) == list(CSV_FILES)
    rows = {name: list(read_csv(path)) for name, path in written.items()}
    for name, table in rows.items():
        assert all(tuple(row) == CSV_FILES[name] for row in table)

    assert rows["users.csv"] == [
        {
            "user_name": "=cmd|' /C calc'!A0",
            "display_name": "",
            "given_name": "",
            "family_name": "",
            "primary_email": "",
            "emails": "",
            "title": "",
            "user_type": "",
            "external_ids": "",
        },
        {
            "user_name": "zoe@example.com",
            "display_name": ZOE_DISPLAY,
            "given_name": "Zoë",
            "family_name": "=1+2",
            "primary_email": "zoe@example.com",
            "emails": "zoe@example.com;z,oe@example.org",
            "title": "+SUM(A1:A9)",
            "user_type": "-Contractor",
            "external_ids": "okta:00u1;https://idp:a:b",
        },
    ]
    assert rows["groups.csv"] == [
        {"group_name": "@ops", "description": "", "member_count": "1"},
        {"group_name": "Admins, Prod", "description": TRICKY_DESCRIPTION, "member_count": "2"},
    ]
    assert rows["memberships.csv"] == [
        {"group_name": "@ops", "user_name": "zoe@example.com"},
        {"group_name": "Admins, Prod", "user_name": "=cmd|' /C calc'!A0"},
        {"group_name": "Admins, Prod", "user_name": "zoe@example.com"},
    ]
    assert rows["assignments.csv"] == [
        {
            "account_id": "111111111111",
            "account_name": 'Prod "main", EU',
            "ou_path": OU_PATH,
            "permission_set": "Admin",
            "principal_type": "GROUP",
            "principal_name": "Admins, Prod",
        },
        {  # an account Organizations no longer lists: no name, no OU
            "account_id": "999999999999",
            "account_name": "",
            "ou_path": "",
            "permission_set": "ReadOnly",
            "principal_type": "USER",
            "principal_name": "zoe@example.com",
        },
    ]


def test_header_row_is_exactly_the_promised_order_and_files_are_utf8(tmp_path: Path) -> None:
    written = write_csv(_tricky_state(), tmp_path)
    for name, path in written.items():
        data = path.read_bytes()
        assert data.startswith((",".join(CSV_FILES[name]) + "\r\n").encode("ascii"))
        assert not data.startswith(b"\xef\xbb\xbf")  # no byte-order mark
        data.decode("utf-8")  # strict: raises on anything but UTF-8
    assert "Zoë".encode() in written["users.csv"].read_bytes()


def test_rewriting_replaces_files_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    write_csv(_tricky_state(), tmp_path)
    write_csv(State.build(groups=[Group("only")]), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(CSV_FILES)
    assert [row["group_name"] for row in read_csv(tmp_path / "groups.csv")] == ["only"]
    assert list(read_csv(tmp_path / "assignments.csv")) == []


printable = st.text(alphabet=AWS_CHARACTERS, min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    descriptions=st.dictionaries(printable, printable, max_size=5),
    display_names=st.dictionaries(printable, printable, max_size=5),
)
def test_any_unicode_text_round_trips(
    descriptions: dict[str, str], display_names: dict[str, str]
) -> None:
    state = State.build(
        groups=[Group(name, text) for name, text in descriptions.items()],
        users=[User(name, display_name=text) for name, text in display_names.items()],
    )
    with tempfile.TemporaryDirectory() as directory:
        written = write_csv(state, Path(directory))
        groups = {r["group_name"]: r["description"] for r in read_csv(written["groups.csv"])}
        users = {r["user_name"]: r["display_name"] for r in read_csv(written["users.csv"])}
    assert groups == descriptions
    assert users == display_names


def test_wrong_header_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("group_name,member_count,description\r\nx,1,y\r\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"groups\.csv:1:.*header"):
        list(read_csv(path))


def test_short_or_long_rows_and_foreign_files_are_input_errors(tmp_path: Path) -> None:
    path = tmp_path / "memberships.csv"
    path.write_text('group_name,user_name\r\na,b\r\n"multi\r\nline",b,extra\r\n', "utf-8")
    rows = read_csv(path)
    assert next(rows) == {"group_name": "a", "user_name": "b"}
    with pytest.raises(InputError, match=r"memberships\.csv:4:.*exactly 2 cells"):
        next(rows)
    other = tmp_path / "report.csv"
    other.write_text("a,b\r\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"report\.csv: not an idc CSV export file"):
        list(read_csv(other))
    latin1 = tmp_path / "users.csv"
    latin1.write_bytes(",".join(CSV_FILES["users.csv"]).encode() + b"\r\nZo\xeb" + b",x" * 8)
    with pytest.raises(InputError, match=r"users\.csv: not UTF-8"):
        list(read_csv(latin1))


@pytest.mark.slow
def test_large_export_is_streamed_not_built_in_memory(tmp_path: Path) -> None:
    accounts = [
        Account(f"{n:012d}", f"workload-account-{n:03d}", ou_path=f"/Root/Workloads/Team-{n:03d}")
        for n in range(100)
    ]
    state = State.build(
        accounts=accounts,
        assignments=[
            Assignment(f"PermissionSet-{p:02d}", "GROUP", f"team-group-{g:03d}", account.id)
            for account in accounts
            for p in range(20)
            for g in range(100)
        ],
    )
    assert len(state.assignments) == 200_000
    tracemalloc.start()
    try:
        written = write_csv(state, tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = written["assignments.csv"].stat().st_size
    # The sorted list of the 200,000 existing Assignment objects is the
    # only thing proportional to the state; the text never is.
    assert peak < size / 4, (peak, size)
