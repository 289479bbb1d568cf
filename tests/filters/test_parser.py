"""Parsing: every atom, quoting rule, precedence and error column."""

from __future__ import annotations

import pytest

from reconciler.desired.filters import (
    AccountId,
    And,
    Everything,
    FilterSyntaxError,
    NameGlob,
    NameRegex,
    Not,
    Or,
    OrgUnitId,
    OrgUnitPath,
    TagMatch,
    parse,
)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("*", Everything()),
        ("444444444444", AccountId("444444444444")),
        ("name:prod-*", NameGlob("prod-*")),
        ("name~^data-", NameRegex("^data-")),
        ("tag:env=prod", TagMatch("env", "prod")),
        ("tag:env=prod*", TagMatch("env", "prod*")),
        ("tag:pci", TagMatch("pci", None)),
        ("tag:a=b=c", TagMatch("a", "b=c")),
        ("ou:/Root/Prod/Payments", OrgUnitPath("/Root/Prod/Payments")),
        ("ou:ou-ab12-cdef3456", OrgUnitId("ou-ab12-cdef3456")),
        ("ou:r-ab12", OrgUnitId("r-ab12")),
    ],
)
def test_each_atom_parses_to_its_node_and_prints_back(text: str, tree: object) -> None:
    assert parse(text) == tree
    assert str(parse(text)) == text


@pytest.mark.parametrize(
    ("text", "tree", "canonical"),
    [
        ('name~"^data-(prod|dev)$"', NameRegex("^data-(prod|dev)$"), None),
        ('ou:"/Root/Shared Services"', OrgUnitPath("/Root/Shared Services"), None),
        ('tag:"cost center"="R&D"', TagMatch("cost center", "R&D"), 'tag:"cost center"=R&D'),
        ("tag:'cost center'", TagMatch("cost center"), 'tag:"cost center"'),
        ("name:'and'", NameGlob("and"), 'name:"and"'),
        ("name:and", NameGlob("and"), 'name:"and"'),
        ("name:'say \"hi\"'", NameGlob('say "hi"'), None),
        ('name:"it\'s ""x"""', NameGlob('it\'s "x"'), None),
        ('tag:"a=b"=c', TagMatch("a=b", "c"), None),
        ('tag:env=""', TagMatch("env", ""), None),
        ('name~"\\d{3}$"', NameRegex("\\d{3}$"), "name~\\d{3}$"),
        ('ou:"ou-ab12-cdef3456"', OrgUnitId("ou-ab12-cdef3456"), "ou:ou-ab12-cdef3456"),
    ],
)
def test_quoted_values_keep_spaces_parentheses_keywords_and_quotes(
    text: str, tree: object, canonical: str | None
) -> None:
    assert parse(text) == tree
    assert str(parse(text)) == (canonical or text)
    assert parse(str(parse(text))) == tree


def test_keywords_and_prefixes_are_case_insensitive() -> None:
    assert parse("NOT Name:x AND TAG:env=prod Or OU:/Root") == parse(
        "not name:x and tag:env=prod or ou:/Root"
    )


def test_and_binds_tighter_than_or_and_not_tighter_than_and() -> None:
    a, b, c = NameGlob("a"), NameGlob("b"), NameGlob("c")
    assert parse("name:a or name:b and name:c") == Or((a, And((b, c))))
    assert parse("not name:a and name:b") == And((Not(a), b))
    assert parse("name:a and name:b and name:c") == And((a, b, c))


def test_parentheses_group_and_are_printed_only_where_needed() -> None:
    tree = parse("(name:a or name:b) and not (name:c and name:d)")
    assert str(tree) == "(name:a or name:b) and not (name:c and name:d)"
    assert str(parse("((name:a))")) == "name:a"
    assert str(parse("name:a or (name:b and name:c)")) == "name:a or name:b and name:c"


def test_parentheses_may_touch_atoms_and_keywords() -> None:
    assert parse("not(name:a)and(name:b)") == And((Not(NameGlob("a")), NameGlob("b")))


def test_whitespace_of_any_kind_separates_tokens() -> None:
    assert parse("\tname:a\n and  name:b ") == And((NameGlob("a"), NameGlob("b")))


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("", 1, "empty filter expression"),
        ("   ", 4, "empty filter expression"),
        ("name:a and", 11, "after 'and', found the end"),
        ("name:a or or name:b", 11, "after 'or', found 'or'"),
        ("(name:a", 8, "expected ')' to close the '(' at column 1"),
        ("name:a)", 7, "unmatched ')'"),
        ("name:a name:b", 8, "expected 'and', 'or' or the end"),
        ("name:my account", 9, "quote values that contain spaces"),
        ("name:", 6, "expected a value after 'name:'"),
        ("tag:env=", 9, "expected a value after 'tag:env='"),
        ("tag:=x", 5, "expected a value after 'tag:'"),
        ('tag:""=x', 5, "tag key cannot be empty"),
        ('name:""', 6, "empty name pattern"),
        ('name:"abc', 6, 'unterminated quote "'),
        ('name:"a"b', 9, "after the closing quote"),
        ('name:a"b', 7, "quote inside an unquoted value"),
        ('"prod"', 1, "quoted value must follow"),
        ("prod-web", 1, "write name:prod-web"),
        ("name :x", 1, "write name:VALUE with no space"),
        ("12345", 1, "an account id has 12 digits, '12345' has 5"),
        ("1234567890123", 1, "has 13"),
        ("ou:Prod", 4, "neither an OU path"),
        ("ou:ou-AB12-x", 4, "neither an OU path"),
        ("name:a and name~(x", 17, "quote values that contain parentheses"),
        ('name~"a(b"', 8, "invalid regular expression: missing )"),
        ("name~a[", 7, "invalid regular expression"),
        ("not", 4, "after 'not', found the end"),
        ("**", 1, "unexpected '**'"),
    ],
)
def test_syntax_errors_name_the_problem_and_point_at_the_column(
    text: str, column: int, message: str
) -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse(text)
    assert info.value.column == column
    assert message in info.value.message
    assert isinstance(info.value, ValueError)


def test_error_text_shows_the_expression_with_a_caret_under_the_column() -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse("ou:/Root/Prod and tag:")
    lines = str(info.value).splitlines()
    assert lines[0] == "column 23: expected a value after 'tag:'"
    assert lines[1] == "  ou:/Root/Prod and tag:"
    assert lines[2].index("^") == 2 + 22


def test_error_maps_to_a_file_diagnostic_when_the_expression_start_is_known() -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse("name:a )")
    diagnostic = info.value.diagnostic("desired/assignments.yaml", 7, 15)
    assert (diagnostic.line, diagnostic.column) == (7, 22)
    assert str(diagnostic) == "desired/assignments.yaml:7:22: unmatched ')'"


def test_only_ascii_digits_make_an_account_id() -> None:
    with pytest.raises(FilterSyntaxError, match="an account name"):
        parse("١٢٣٤٥٦٧٨٩٠١٢")
