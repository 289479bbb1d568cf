"""The CSV export of `idc export --format csv`: a State as four flat tables.

CSV is a report for auditors, who open it in a spreadsheet or load it into
a database, not a restorable backup: it leaves out permission sets' policies,
most user attributes, tags, OUs without accounts and every `None`-vs-empty
distinction, so nothing reads it back into a State. Restore from a snapshot.

Files are UTF-8 with RFC 4180 quoting done by the stdlib `csv` module (excel
dialect, CRLF rows), so commas, quotes and newlines inside a value survive.
Values are written as they are: a name starting with `=` is not prefixed to
defuse spreadsheet formulas, because the export must say exactly what Identity
Center holds. Multi-valued cells (all emails, external ids) are joined by `;`.

Rows are streamed: `csv.writer` consumes a generator that makes one row at a
time, so an organization with hundreds of thousands of assignments is never
held as text in memory. Each file goes to a temporary file beside it and is
renamed into place, so a reader sees the old export or the new one, never half.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from reconciler.errors import Diagnostic, InputError
from reconciler.fsutil import atomic_write_with, fsync_dir
from reconciler.model import State, User

USERS_CSV = "users.csv"
GROUPS_CSV = "groups.csv"
MEMBERSHIPS_CSV = "memberships.csv"
ASSIGNMENTS_CSV = "assignments.csv"

# File name -> its header, in column order. The one table of what the export
# promises; writer and reader both follow it.
CSV_FILES: dict[str, tuple[str, ...]] = {
    USERS_CSV: (
        "user_name",
        "display_name",
        "given_name",
        "family_name",
        "primary_email",
        "emails",
        "title",
        "user_type",
        "external_ids",
    ),
    GROUPS_CSV: ("group_name", "description", "member_count"),
    MEMBERSHIPS_CSV: ("group_name", "user_name"),
    ASSIGNMENTS_CSV: (
        "account_id",
        "account_name",
        "ou_path",
        "permission_set",
        "principal_type",
        "principal_name",
    ),
}

LIST_SEPARATOR = ";"

Row = list[str]


def _primary_email(user: User) -> str:
    """The email flagged primary; else the first one, since Identity Store
    holds at most one email and an unflagged one is still the user's."""
    for email in user.emails:
        if email.primary:
            return email.value
    return user.emails[0].value if user.emails else ""


def _user_rows(state: State) -> Iterator[Row]:
    for user in state.sorted_users():
        name = user.name
        yield [
            user.user_name,
            user.display_name or "",
            (name.given if name else None) or "",
            (name.family if name else None) or "",
            _primary_email(user),
            LIST_SEPARATOR.join(email.value for email in user.emails),
            user.title or "",
            user.user_type or "",
            LIST_SEPARATOR.join(f"{x.issuer}:{x.id}" for x in user.external_ids),
        ]


def _group_rows(state: State) -> Iterator[Row]:
    members = Counter(membership.group for membership in state.memberships)
    for group in state.sorted_groups():
        yield [group.name, group.description or "", str(members[group.name])]


def _membership_rows(state: State) -> Iterator[Row]:
    for membership in state.sorted_memberships():
        yield [membership.group, membership.user]


def _assignment_rows(state: State) -> Iterator[Row]:
    for assignment in state.sorted_assignments():
        account = state.accounts.get(assignment.account)
        yield [
            assignment.account,
            account.name if account else "",
            account.ou_path if account else "",
            assignment.permission_set,
            assignment.principal_type,
            assignment.principal,
        ]


_ROWS: dict[str, Callable[[State], Iterator[Row]]] = {
    USERS_CSV: _user_rows,
    GROUPS_CSV: _group_rows,
    MEMBERSHIPS_CSV: _membership_rows,
    ASSIGNMENTS_CSV: _assignment_rows,
}


def write_csv(state: State, directory: Path) -> dict[str, Path]:
    """Write the four CSV files into `directory` (made if missing), each
    atomically; returns file name -> path written, in CSV_FILES order."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, columns in CSV_FILES.items():
        path = directory / name
        _atomic_write_rows(path, columns, _ROWS[name](state))
        written[name] = path
    fsync_dir(directory)
    return written


def _atomic_write_rows(path: Path, header: tuple[str, ...], rows: Iterable[Row]) -> None:
    """Stream `rows` under `header` into `path`, atomically (fsutil)."""

    def write(handle: BinaryIO) -> None:
        # newline="" so the csv module alone decides line endings, and
        # newlines inside quoted values are written as they are.
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(rows)
        text.flush()
        text.detach()  # the binary handle stays open for fsutil's fsync

    atomic_write_with(path, write)


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """The rows of one exported file, column -> value, one at a time.

    The file's name says which table it is; a header other than the one
    CSV_FILES promises, a row with too few or too many cells, bad quoting or
    bytes that are not UTF-8 is an InputError naming the file and line. A
    leading byte-order mark (added when a spreadsheet saves the file) is
    ignored. Errors surface while iterating, as the file is read."""
    columns = CSV_FILES.get(path.name)
    if columns is None:
        known = ", ".join(CSV_FILES)
        raise _error(path, 0, f"not an idc CSV export file ({known})")
    reader: csv.DictReader[str] | None = None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, strict=True)
            header = tuple(reader.fieldnames or ())
            if header != columns:
                raise _error(path, 1, f"header is {list(header)}, expected {list(columns)}")
            for row in reader:
                if None in row or None in row.values():
                    message = f"row does not have exactly {len(columns)} cells"
                    raise _error(path, reader.line_num, message)
                yield row
    except csv.Error as exc:
        raise _error(path, reader.line_num if reader else 0, f"malformed CSV: {exc}") from exc
    except UnicodeDecodeError as exc:
        # Text is decoded in chunks, so the line is not known: name none.
        raise _error(path, 0, f"not UTF-8: {exc.reason}") from exc
    except OSError as exc:
        raise _error(path, 0, exc.strerror or str(exc)) from exc


def _error(path: Path, line: int, message: str) -> InputError:
    return InputError(Diagnostic(str(path), line, 0, message))
