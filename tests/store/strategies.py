"""Hypothesis strategies for whole States, consistent the way a live read is:
members and assignments name principals and permission sets that exist."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from reconciler.model import (
    Account,
    Address,
    Assignment,
    CustomerManagedPolicy,
    ExternalId,
    Group,
    Membership,
    OrgUnit,
    PermissionsBoundary,
    PermissionSet,
    PersonName,
    Photo,
    State,
    StateMeta,
    TypedValue,
    User,
)

# Every character some AWS string field accepts (AWS-NOTES 4.1, 5.1): letters,
# marks, numbers, punctuation, symbols and separators of every script (tags
# take U+2028/U+2029), tab, LF and CR (Identity Store), the C1 controls with
# NEL (inline policies take U+0080-U+00FF); and whole strings YAML would
# read as something else, or trim, if written bare.
YAML_LOOKALIKES = st.sampled_from(
    ["true", "No", "on", "null", "~", "1985-04-12", "0123", "0x1F", "1e3", ".inf", "1_000",
     "12:30", "- x", "? x", "a: b", "#x", "a #b", "&a", "*a", "!a", "@a", "%a", "|", ">",
     "---", "...", "'", '"', " lead", "trail ", " ", "\t", "a\r\nb", "x\n", "\x85", "a\u2028b"]
)  # fmt: skip
AWS_CHARACTERS = (
    st.characters(categories=("L", "M", "N", "P", "S", "Z"))
    | st.sampled_from("\t\n\r")
    | st.characters(min_codepoint=0x80, max_codepoint=0x9F)
)
text = YAML_LOOKALIKES | st.text(alphabet=AWS_CHARACTERS, min_size=1, max_size=12)
maybe_text = st.none() | text
flag = st.none() | st.booleans()
# User names and permission set names: AWS allows no whitespace in either.
names = st.text(alphabet="abcXYZ019_+=,.@-", min_size=1, max_size=10)
account_ids = st.from_regex(r"\A[0-9]{12}\Z")

typed_values = st.builds(TypedValue, value=text, type=maybe_text, primary=flag)
users = st.builds(
    User,
    user_name=names,
    display_name=maybe_text,
    # An all-empty PersonName is no name (User normalises it to None), so
    # generating one exercises that rule in the round-trip too.
    name=st.none()
    | st.builds(PersonName, formatted=maybe_text, family=maybe_text, given=maybe_text),
    title=maybe_text,
    locale=maybe_text,
    birthdate=st.none() | st.dates().map(str),
    emails=st.lists(typed_values, max_size=2).map(tuple),
    phone_numbers=st.lists(typed_values, max_size=1).map(tuple),
    addresses=st.lists(
        st.builds(Address, street_address=maybe_text, country=maybe_text, primary=flag),
        max_size=1,
    ).map(tuple),
    photos=st.lists(st.builds(Photo, value=text, display=maybe_text), max_size=1).map(tuple),
    external_ids=st.lists(st.builds(ExternalId, issuer=text, id=text), max_size=1).map(tuple),
)
groups = st.builds(Group, name=text, description=maybe_text)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
boundaries = (
    st.none()
    | st.builds(
        PermissionsBoundary, managed_policy_arn=st.just("arn:aws:iam::aws:policy/ReadOnlyAccess")
    )
    | st.builds(
        PermissionsBoundary,
        customer_managed_policy=st.builds(CustomerManagedPolicy, name=names, path=st.just("/b/")),
    )
)


@st.composite
def permission_sets(draw: st.DrawFn) -> PermissionSet:
    return PermissionSet.build(
        draw(names),
        description=draw(maybe_text),
        session_duration=draw(st.none() | st.sampled_from(["PT1H", "PT90M", "PT12H"])),
        relay_state=draw(maybe_text),
        managed_policies=draw(st.lists(st.sampled_from(["arn:aws:iam::aws:policy/A", "arn:b"]))),
        customer_managed_policies=draw(
            st.lists(st.builds(CustomerManagedPolicy, name=names, path=st.just("/")), max_size=2)
        ),
        inline_policy=draw(st.none() | st.dictionaries(text, json_values, min_size=1, max_size=3)),
        permissions_boundary=draw(boundaries),
        tags=draw(st.dictionaries(text, text, max_size=3)),
    )


@st.composite
def states(draw: st.DrawFn) -> State:
    user_list = draw(st.lists(users, max_size=5, unique_by=lambda u: u.user_name))
    group_list = draw(st.lists(groups, max_size=4, unique_by=lambda g: g.name))
    ps_list = draw(st.lists(permission_sets(), max_size=4, unique_by=lambda p: p.name))
    ou_list = draw(
        st.lists(
            st.builds(OrgUnit, id=st.from_regex(r"\Aou-ab12-[a-z0-9]{8}\Z"), path=names),
            max_size=3,
            unique_by=lambda o: o.id,
        )
    )
    account_list = draw(
        st.lists(
            st.builds(
                Account,
                id=account_ids,
                name=text,
                status=st.sampled_from(["ACTIVE", "SUSPENDED"]),
                ou_path=st.sampled_from(["/Root", "/Root/Prod", "/Root/A b", "/Root/P%2FL"]),
                tags=st.dictionaries(text, text, max_size=2).map(
                    lambda d: tuple(sorted(d.items()))
                ),
            ),
            max_size=4,
            unique_by=lambda a: a.id,
        )
    )
    user_names = [u.user_name for u in user_list]
    group_names = [g.name for g in group_list]
    memberships = (
        draw(
            st.sets(
                st.builds(Membership, st.sampled_from(group_names), st.sampled_from(user_names))
            )
        )
        if user_names and group_names
        else set()
    )
    principals = [("USER", n) for n in user_names] + [("GROUP", n) for n in group_names]
    assignments: set[Assignment] = set()
    if principals and ps_list:
        for _ in range(draw(st.integers(0, 8))):
            ptype, principal = draw(st.sampled_from(principals))
            ps = draw(st.sampled_from(ps_list)).name
            known = [a.id for a in account_list]
            account = draw(st.sampled_from(known) | account_ids if known else account_ids)
            assignments.add(Assignment(ps, ptype, principal, account))  # type: ignore[arg-type]
    return State.build(
        users=user_list,
        groups=group_list,
        memberships=memberships,
        permission_sets=ps_list,
        assignments=assignments,
        accounts=account_list,
        org_units=ou_list,
        meta=StateMeta(
            instance_arn="arn:aws:sso:::instance/ssoins-0000000000000000",
            identity_store_id="d-0000000000",
            management_account_id=draw(st.just("") | account_ids),
        ),
    )
