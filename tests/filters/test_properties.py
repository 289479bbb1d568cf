"""Properties: printing round-trips, and expansion obeys boolean algebra and
agrees with a naive per-account reference evaluator on random organizations."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired.filters import (
    AccountId,
    And,
    Everything,
    Expr,
    Inventory,
    NameGlob,
    NameRegex,
    Not,
    Or,
    OrgUnitId,
    OrgUnitPath,
    TagMatch,
    expand,
    left_out,
    parse,
)
from reconciler.desired.filters.lexer import OU_ID
from reconciler.model.accounts import Account, OrgUnit, ou_child_path, ou_path_names

# Values that stress the lexer: spaces, parentheses, both quotes, '=', keywords.
TRICKY = st.text(alphabet="ab Z-*?=()\"'/:~\t", min_size=1, max_size=8)
VALUES = TRICKY | st.text(min_size=1, max_size=8) | st.sampled_from(["and", "OR", "Not", "*"])


def expressions(atoms: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.recursive(
        atoms,
        lambda sub: st.one_of(
            st.builds(Not, sub),
            st.lists(sub, min_size=2, max_size=3).map(lambda ops: And(tuple(ops))),
            st.lists(sub, min_size=2, max_size=3).map(lambda ops: Or(tuple(ops))),
        ),
        max_leaves=8,
    )


ANY_ATOM: st.SearchStrategy[Expr] = st.one_of(
    st.just(Everything()),
    st.from_regex(r"[0-9]{12}", fullmatch=True).map(AccountId),
    VALUES.map(NameGlob),
    VALUES.map(re.escape).map(NameRegex),
    st.builds(TagMatch, VALUES, st.none() | st.text(max_size=6) | TRICKY),
    VALUES.map(lambda v: OrgUnitPath("/" + v)),
    st.lists(VALUES | st.sampled_from(["a/b", "%", "%2F", "/"]), min_size=1, max_size=3).map(
        lambda names: OrgUnitPath(path_of(("Root", *names)))
    ),
    st.from_regex(OU_ID, fullmatch=True).map(OrgUnitId),
)


def path_of(names: tuple[str, ...]) -> str:
    """The path of the OU reached by `names` from the root."""
    path = "/" + names[0]
    for name in names[1:]:
        path = ou_child_path(path, name)
    return path


@given(expressions(ANY_ATOM))
def test_printed_expressions_parse_back_to_the_same_tree(expr: Expr) -> None:
    text = str(expr)
    assert parse(text) == expr
    assert str(parse(text)) == text


@given(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=4))
def test_any_ou_names_survive_a_path_and_a_filter(names: list[str]) -> None:
    """OU names may hold any character, `/` and `%` included."""
    path = path_of(("Root", *names))
    assert ou_path_names(path) == ["Root", *names]
    assert path.count("/") == len(names) + 1  # every / separates two OUs
    assert parse(str(OrgUnitPath(path))) == OrgUnitPath(path)


# -- random organizations over a small vocabulary, so atoms match something --

# OUs by their names from the root; some names hold `/` or `%`, so a sibling
# ("A/X") and a child ("A" then "X") would share a path if it were not encoded.
OU_NAMES: list[tuple[str, ...]] = [
    ("Root",),
    ("Root", "A"),
    ("Root", "A", "X"),
    ("Root", "A/X"),
    ("Root", "A/X", "X"),
    ("Root", "B"),
    ("Root", "B", "Y Z"),
    ("Root", "B/Y Z"),
    ("Root", "100%"),
    ("Root", "100%2F"),
]
OUS = [path_of(names) for names in OU_NAMES]
NAMES_OF = dict(zip(OUS, OU_NAMES, strict=True))
assert len(NAMES_OF) == len(OU_NAMES), "two OUs share a path"
OU_IDS = {"/Root": "r-root", **{p: f"ou-root-{i:08d}" for i, p in enumerate(OUS[1:])}}
NAMES = ["web", "data", "prod-web", "prod-data", "dev web", "Web"]
TAG_KEYS = ["env", "tier", "cost center"]
TAG_VALUES = ["prod", "dev", "p*", "", "R&D"]


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    count = draw(st.integers(0, 12))
    accounts = []
    for i in range(count):
        tags = draw(st.dictionaries(st.sampled_from(TAG_KEYS), st.sampled_from(TAG_VALUES)))
        accounts.append(
            Account(
                id=f"{100000000000 + i}",
                name=draw(st.sampled_from(NAMES)),
                status=draw(st.sampled_from(["ACTIVE", "ACTIVE", "SUSPENDED"])),
                ou_path=draw(st.sampled_from(OUS)),
                tags=tuple(sorted(tags.items())),
            )
        )
    return Inventory(
        accounts,
        [OrgUnit(OU_IDS[p], p) for p in OUS],
        management_account_id="100000000000",
        include_suspended=draw(st.booleans()),
        include_management=draw(st.booleans()),
    )


ORG_ATOM: st.SearchStrategy[Expr] = st.one_of(
    st.just(Everything()),
    st.integers(0, 13).map(lambda i: AccountId(f"{100000000000 + i}")),
    st.sampled_from(["*web", "prod-*", "dev web", "[wW]eb", "*"]).map(NameGlob),
    st.sampled_from(["web", "^prod", "a$", "W"]).map(NameRegex),
    st.builds(TagMatch, st.sampled_from(TAG_KEYS), st.none() | st.sampled_from(TAG_VALUES)),
    st.sampled_from(OUS).map(OrgUnitPath),
    st.sampled_from(sorted(OU_IDS.values())).map(OrgUnitId),
)
ORG_EXPR = expressions(ORG_ATOM)


def reference(expr: Expr, account: Account, inv: Inventory) -> bool:
    """Does `expr` select `account`? Written independently, one account at a time."""
    eligible = inv.is_eligible(account)
    match expr:
        case Not(operand):
            return eligible and not reference(operand, account, inv)
        case And(operands):
            return all(reference(op, account, inv) for op in operands)
        case Or(operands):
            return any(reference(op, account, inv) for op in operands)
        case AccountId(account_id):
            return account.id == account_id
        case Everything():
            return eligible
        case NameGlob(pattern):
            return eligible and fnmatch.fnmatchcase(account.name, pattern)
        case NameRegex(pattern):
            return eligible and re.search(pattern, account.name) is not None
        case TagMatch(key, value):
            tags = account.tag_map
            hit = key in tags and (value is None or fnmatch.fnmatchcase(tags[key], value))
            return eligible and hit
        case OrgUnitPath(path):
            return eligible and below(account, NAMES_OF[path])
        case OrgUnitId(ou_id):
            path = next(p for p, i in OU_IDS.items() if i == ou_id)
            return eligible and below(account, NAMES_OF[path])
    raise AssertionError(expr)


def below(account: Account, names: tuple[str, ...]) -> bool:
    """The account's OU is the OU `names` or inside it: compared by OU names,
    never by path text."""
    return NAMES_OF[account.ou_path][: len(names)] == names


@settings(max_examples=300)
@given(inventories(), ORG_EXPR)
def test_expansion_agrees_with_a_per_account_reference(inv: Inventory, expr: Expr) -> None:
    expected = {a.id for a in inv.accounts.values() if reference(expr, a, inv)}
    assert expand(expr, inv) == expected
    assert expand(str(expr), inv) == expected


@given(inventories(), ORG_EXPR, ORG_EXPR)
def test_de_morgan(inv: Inventory, a: Expr, b: Expr) -> None:
    assert expand(Not(Or((a, b))), inv) == expand(And((Not(a), Not(b))), inv)
    assert expand(Not(And((a, b))), inv) == expand(Or((Not(a), Not(b))), inv)


@given(inventories(), ORG_EXPR, ORG_EXPR, ORG_EXPR)
def test_distributivity(inv: Inventory, a: Expr, b: Expr, c: Expr) -> None:
    assert expand(And((a, Or((b, c)))), inv) == expand(Or((And((a, b)), And((a, c)))), inv)
    assert expand(Or((a, And((b, c)))), inv) == expand(And((Or((a, b)), Or((a, c)))), inv)


@given(inventories(), ORG_EXPR)
def test_complement_laws_within_the_eligible_accounts(inv: Inventory, a: Expr) -> None:
    everything = expand("*", inv)
    assert expand(And((a, Not(a))), inv) == frozenset()
    assert expand(Or((a, Not(a))), inv) == everything | expand(a, inv)
    assert expand(Not(Not(a)), inv) == expand(a, inv) & everything
    assert expand(And((Everything(), a)), inv) == expand(a, inv) & everything
    assert expand(Or((Everything(), a)), inv) == everything | expand(a, inv)
    assert expand(Not(Everything()), inv) == frozenset()


@given(inventories(), ORG_EXPR)
def test_without_explicit_ids_everything_selected_is_eligible(inv: Inventory, a: Expr) -> None:
    if not any(isinstance(node, AccountId) for node in a.walk()):
        assert expand(a, inv) <= inv.eligible
        assert expand(Not(Not(a)), inv) == expand(a, inv)


@given(inventories(), ORG_EXPR, ORG_EXPR)
def test_and_or_are_commutative_and_idempotent(inv: Inventory, a: Expr, b: Expr) -> None:
    assert expand(And((a, b)), inv) == expand(And((b, a)), inv)
    assert expand(Or((a, b)), inv) == expand(Or((b, a)), inv)
    assert expand(And((a, a)), inv) == expand(a, inv) == expand(Or((a, a)), inv)


@given(ORG_EXPR, st.sampled_from([str.upper, str.title]))
def test_keyword_case_does_not_matter(expr: Expr, case: Callable[[str], str]) -> None:
    """ORG_EXPR values hold no keywords, so a regex can recase the keywords."""
    text = str(expr)
    recased = re.sub(r"(?<![^\s()])(and|or|not)(?![^\s()])", lambda m: case(m[1]), text)
    assert parse(recased) == expr


@given(inventories(), ORG_EXPR)
def test_left_out_is_what_only_the_settings_keep_from_a_filter(inv: Inventory, a: Expr) -> None:
    """Selected plus left out is what the filter selects with every account
    eligible; each left-out account is one the settings exclude, for its reason."""
    dropped = left_out(a, inv)
    ids = frozenset().union(*dropped.values())
    assert not ids & expand(a, inv)
    everyone = Inventory(
        inv.accounts.values(),
        [OrgUnit(OU_IDS[p], p) for p in OUS],
        management_account_id=inv.management_account_id,
        include_suspended=True,
        include_management=True,
    )
    assert expand(a, inv) | ids == expand(a, everyone)
    for reason, those in dropped.items():
        assert all(inv.excluded_reason(i) == reason for i in those)
