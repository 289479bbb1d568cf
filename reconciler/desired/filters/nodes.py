"""The filter expression tree: immutable, hashable, printable.

Nodes are frozen dataclasses so equal expressions compare and hash equal (the
evaluator caches by node); `column` records where a node was written, for
error messages, and is left out of equality so `parse(str(e)) == e`.
`str(node)` is the canonical text: lower-case keywords, single spaces, values
quoted only when they must be, parentheses only where precedence needs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from reconciler.model.accounts import canonical_ou_path

KEYWORDS = frozenset({"and", "or", "not"})
QUOTES = "\"'"


def needs_quotes(value: str, extra: str = "") -> bool:
    """Whether `value` must be quoted to lex back as one value."""
    return (
        not value
        or value.lower() in KEYWORDS
        or any(c.isspace() or c in "()" or c in QUOTES or c in extra for c in value)
    )


def quote(value: str, extra: str = "") -> str:
    """`value` as written in an expression: bare when safe, else quoted.

    Prefers double quotes, single quotes when the value holds a double quote,
    and doubles the quote character when it holds both (`"say ""hi"" it's"`).
    """
    if not needs_quotes(value, extra):
        return value
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', '""') + '"'


class Expr:
    """Base of every node; subclasses are frozen dataclasses."""

    def children(self) -> tuple[Expr, ...]:
        return ()

    def walk(self) -> Iterator[Expr]:
        """This node and every node below it, depth first, left to right."""
        yield self
        for child in self.children():
            yield from child.walk()


class Atom(Expr):
    """A leaf: selects accounts by one property."""


@dataclass(frozen=True)
class Everything(Atom):
    """`*`: every eligible account (active and not the management account)."""

    column: int = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        return "*"


@dataclass(frozen=True)
class AccountId(Atom):
    """A 12-digit id: that account, eligible or not (explicit intent)."""

    account_id: str
    column: int = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        return self.account_id


@dataclass(frozen=True)
class NameGlob(Atom):
    """`name:GLOB`: account name matches a case-sensitive shell glob."""

    pattern: str
    column: int = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        return f"name:{quote(self.pattern)}"


@dataclass(frozen=True)
class NameRegex(Atom):
    """`name~REGEX`: a Python regex found anywhere in the name (re.search);
    anchor with ^ and $ to match the whole name."""

    pattern: str
    column: int = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        return f"name~{quote(self.pattern)}"


@dataclass(frozen=True)
class TagMatch(Atom):
    """`tag:KEY=GLOB` (value matches a case-sensitive glob) or `tag:KEY`
    (the account carries the tag, any value); `value is None` for presence."""

    key: str
    value: str | None = None
    column: int = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        text = f"tag:{quote(self.key, extra='=')}"
        return text if self.value is None else f"{text}={quote(self.value)}"


@dataclass(frozen=True)
class OrgUnitPath(Atom):
    """`ou:/Root/Prod`: accounts in that OU or any OU nested below it.

    A `/` inside an OU name is written `%2F` and a `%` as `%25`
    (`ou:/Root/Prod%2FLegacy` is the OU named `Prod/Legacy`); the path is kept
    in that canonical spelling, so `%2f` and `%2F` are one atom."""

    path: str
    column: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", canonical_ou_path(self.path))

    def __str__(self) -> str:
        return f"ou:{quote(self.path)}"


@dataclass(frozen=True)
class OrgUnitId(Atom):
    """`ou:ou-ab12-cdef3456` or `ou:r-ab12`: the OU (or root) by id, recursive."""

    ou_id: str
    column: int = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        return f"ou:{self.ou_id}"


@dataclass(frozen=True)
class Not(Expr):
    """Eligible accounts the operand does not select."""

    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def __str__(self) -> str:
        inner = str(self.operand)
        return f"not ({inner})" if isinstance(self.operand, And | Or) else f"not {inner}"


@dataclass(frozen=True)
class And(Expr):
    """Accounts every operand selects (two or more operands)."""

    operands: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.operands

    def __str__(self) -> str:
        return " and ".join(
            f"({op})" if isinstance(op, And | Or) else str(op) for op in self.operands
        )


@dataclass(frozen=True)
class Or(Expr):
    """Accounts any operand selects (two or more operands)."""

    operands: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.operands

    def __str__(self) -> str:
        return " or ".join(f"({op})" if isinstance(op, Or) else str(op) for op in self.operands)
