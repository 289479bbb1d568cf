"""Property: model -> codec -> YAML text -> parse -> schema-valid -> codec -> same model.

Desired files and snapshots share one format, so whatever the tool writes must
read back identically and pass the same schema a person's file must pass.
"""

from __future__ import annotations

import json
import re
import string
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.desired.loader import load_documents
from reconciler.desired.schema import validate_document
from reconciler.desired.yaml_io import (
    canonical_parser,
    dump_yaml,
    load_canonical_yaml,
    load_yaml_text,
)
from reconciler.model import (
    Address,
    CustomerManagedPolicy,
    ExternalId,
    Group,
    PermissionsBoundary,
    PermissionSet,
    PersonName,
    Photo,
    TypedValue,
    User,
    codec,
)

# Whole strings YAML would read as something else, or trim, if written bare.
TRICKY = st.sampled_from(
    ["true", "No", "on", "null", "~", "1985-04-12", "0123", "0x1F", "1e3", ".inf", "1_000",
     "12:30", "- x", "? x", "a: b", "#x", "a #b", "&a", "*a", "!a", "@a", "%a", "|", ">",
     "---", "...", "'", '"', " lead", "trail ", " ", "\t", "a\r\nb", "x\n", "a  b",
     "a\x85b", "\u2028", "x\u2029"]
)  # fmt: skip
# Identity Store strings (AWS-NOTES 5.1): letters, marks, symbols, numbers,
# punctuation, tab, LF, CR, space, NBSP and U+3000, leading and trailing
# spaces included.
IDS_CHARACTERS = st.characters(categories=("L", "M", "S", "N", "P")) | st.sampled_from(
    "\t\n\r \u00a0\u3000"
)
TEXT = TRICKY | st.text(IDS_CHARACTERS, min_size=1, max_size=24)
# Keys and ids: no whitespace (user names may not have any).
WORD = st.sampled_from(["true", "NULL", "2024-01-01", "0x1F", "#x", "-x", "@a", "*a", "!a"])
NAME = st.one_of(
    WORD, st.text(st.characters(categories=("L", "M", "N", "P", "S")), min_size=1, max_size=40)
)
OPT = st.none() | TEXT
BOOL = st.none() | st.booleans()


def typed_values() -> st.SearchStrategy[tuple[TypedValue, ...]]:
    one = st.builds(TypedValue, value=TEXT, type=OPT, primary=BOOL)
    return st.lists(one, max_size=1).map(tuple)


users = st.builds(
    User,
    user_name=NAME,
    display_name=OPT,
    name=st.none()
    | st.builds(
        PersonName,
        formatted=OPT,
        family=OPT,
        given=OPT,
        middle=OPT,
        honorific_prefix=OPT,
        honorific_suffix=OPT,
    ).filter(lambda n: any(vars(n).values())),  # an all-empty name is no name
    nick_name=OPT,
    profile_url=OPT,
    title=OPT,
    user_type=OPT,
    preferred_language=OPT,
    locale=OPT,
    timezone=OPT,
    website=OPT,
    birthdate=st.none() | st.dates().map(lambda d: d.isoformat()),
    emails=typed_values(),
    phone_numbers=typed_values(),
    roles=typed_values(),
    addresses=st.lists(
        st.builds(
            Address,
            street_address=OPT,
            locality=OPT,
            region=OPT,
            postal_code=OPT,
            country=OPT,
            formatted=OPT,
            type=OPT,
            primary=BOOL,
        ),
        max_size=1,
    ).map(tuple),
    photos=st.lists(
        st.builds(Photo, value=TEXT, type=OPT, display=OPT, primary=BOOL), max_size=3
    ).map(tuple),
    external_ids=st.lists(st.builds(ExternalId, issuer=NAME, id=NAME), max_size=3).map(tuple),
)

groups = st.builds(
    Group,
    name=TEXT,
    description=OPT,
    external_ids=st.lists(st.builds(ExternalId, issuer=NAME, id=NAME), max_size=2).map(tuple),
)

PS_NAME = st.text(string.ascii_letters + string.digits + "+=,.@_-", min_size=1, max_size=32)
# Permission set descriptions: tab, LF, CR and Latin-1 without C1 controls.
LATIN1 = TRICKY.filter(lambda s: re.fullmatch(r"[\t\n\r\x20-\x7e\xa1-\xff]+", s)) | st.text(
    st.sampled_from("\t\n\r")
    | st.characters(min_codepoint=0x20, max_codepoint=0x7E)
    | st.characters(min_codepoint=0xA1, max_codepoint=0xFF),
    min_size=1,
    max_size=60,
)
# Strings inside an inline policy: tab, LF, CR and U+0020-U+00FF, NEL included.
POLICY_TEXT = (
    TRICKY
    | st.just("x" * 5000 + "  y")
    | st.text(
        st.sampled_from("\t\n\r\x85") | st.characters(min_codepoint=0x20, max_codepoint=0xFF),
        min_size=1,
        max_size=24,
    )
)
ARN = st.sampled_from(
    [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/job-function/Billing",
        "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
    ]
)
CMP = st.builds(
    CustomerManagedPolicy,
    name=PS_NAME,
    path=st.sampled_from(["/", "/boundaries/", "/team.a/b-c/"]),
)
JSON_SCALAR = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | POLICY_TEXT
POLICY = st.fixed_dictionaries(
    {
        "Version": st.just("2012-10-17"),
        "Statement": st.lists(
            st.dictionaries(
                st.sampled_from(["Sid", "Effect", "Action", "Resource", "Condition"]),
                st.recursive(JSON_SCALAR, lambda c: st.lists(c, max_size=3), max_leaves=5),
                max_size=4,
            ),
            max_size=3,
        ),
    }
)
# Tag keys and values (AWS-NOTES 1.3): letters, separators (U+2028/U+2029
# too), numbers and _.:/=+-@.
TAG = st.sampled_from([" lead", "trail ", "true", "1e3", "a  b", "x\u2028y"]) | st.text(
    st.characters(categories=("L", "Z", "N")) | st.sampled_from("_.:/=+-@"),
    min_size=1,
    max_size=12,
)


@st.composite
def permission_sets(draw: st.DrawFn) -> PermissionSet:
    boundary = draw(
        st.none()
        | st.builds(PermissionsBoundary, managed_policy_arn=ARN)
        | st.builds(PermissionsBoundary, customer_managed_policy=CMP)
    )
    minutes = draw(st.integers(60, 720))
    return PermissionSet.build(
        draw(PS_NAME),
        description=draw(st.none() | LATIN1),
        session_duration=draw(st.none() | st.just(f"PT{minutes}M")),
        relay_state=draw(st.none() | st.just("https://console.aws.amazon.com/")),
        managed_policies=draw(st.lists(ARN, max_size=3)),
        customer_managed_policies=draw(st.lists(CMP, max_size=3)),
        inline_policy=draw(st.none() | POLICY),
        permissions_boundary=boundary,
        tags=draw(st.dictionaries(TAG, TAG | st.just(""), max_size=5)),
    )


def through_yaml(doc: dict[str, Any]) -> Any:
    text = dump_yaml(doc)
    data = load_yaml_text(text, "roundtrip.yaml")
    problems = validate_document(data, "desired", "roundtrip.yaml")
    assert problems == [], text
    return data


@given(users)
def test_user_round_trips_through_yaml(user: User) -> None:
    data = through_yaml({"users": [codec.user_to_doc(user)]})
    assert codec.user_from_doc(data["users"][0]) == user


@given(groups, st.lists(NAME, unique=True, max_size=4))
def test_group_and_members_round_trip(group: Group, members: list[str]) -> None:
    data = through_yaml({"groups": [codec.group_to_doc(group, members)]})
    assert codec.group_from_doc(data["groups"][0]) == (group, sorted(members))


@given(permission_sets())
def test_permission_set_round_trips_through_yaml(ps: PermissionSet) -> None:
    data = through_yaml({"permission_sets": [codec.permission_set_to_doc(ps)]})
    back = codec.permission_set_from_doc(data["permission_sets"][0])
    assert (back, back.inline_policy) == (ps, ps.inline_policy)  # the document as written


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(users, max_size=4, unique_by=lambda u: u.user_name))
def test_snapshot_files_load_back_through_the_loader(people: list[User]) -> None:
    """The same files, read by load_documents as a snapshot would be."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "state" / "users.yaml"
        path.parent.mkdir()
        path.write_text(dump_yaml({"users": [codec.user_to_doc(u) for u in people]}))
        desired = load_documents([path], root)
    assert dict(desired.users) == {u.user_name: u for u in people}
    assert desired.declared == {"users"}
    where = [desired.locations[("user", u.user_name)] for u in people]
    assert {w.path for w in where} <= {"state/users.yaml"}
    assert [w.line for w in where] == sorted({w.line for w in where})  # in file order


@settings(max_examples=200, deadline=None)
@given(users, permission_sets())
def test_the_fast_snapshot_parser_reads_what_the_round_trip_parser_reads(
    user: User, ps: PermissionSet
) -> None:
    """Snapshots are read with libyaml's parser (load_canonical_yaml); on
    every string AWS accepts it must read exactly what the round-trip
    loader reads, by itself (not by falling back to it)."""
    doc = {"users": [codec.user_to_doc(user)], "permission_sets": [codec.permission_set_to_doc(ps)]}
    text = dump_yaml(doc)
    fast = canonical_parser().load(text)
    assert json.loads(json.dumps(fast)) == json.loads(json.dumps(load_yaml_text(text, "t.yaml")))
    assert load_canonical_yaml(text, "t.yaml") == fast


def test_what_libyaml_refuses_is_read_by_the_round_trip_parser() -> None:
    """libyaml refuses ':' in a plain scalar inside a flow sequence (valid
    YAML 1.2, e.g. a hand-edited policy ARN list); the fast path falls back."""
    text = "managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n"
    assert load_canonical_yaml(text, "t.yaml") == {
        "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    }
