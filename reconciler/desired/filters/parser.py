"""Recursive-descent parser for the account filter grammar (docs/filters.md):

    expr   := term ("or" term)*
    term   := factor ("and" factor)*
    factor := "not" factor | "(" expr ")" | atom

`and` binds tighter than `or`; parentheses are kept as structure, so the
printed form of a tree parses back to the same tree. Parsing is cached by
text: a plan evaluates the same few expressions for thousands of rules.
"""

from __future__ import annotations

from functools import lru_cache

from reconciler.desired.filters.errors import FilterSyntaxError
from reconciler.desired.filters.lexer import ATOM_HELP, Lexer, Token
from reconciler.desired.filters.nodes import And, Expr, Not, Or


@lru_cache(maxsize=8192)
def parse(text: str) -> Expr:
    """The expression tree of `text`; FilterSyntaxError (a ValueError with
    `.column` and `.message`) when it is not a filter expression."""
    return Parser(text).parse()


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = Lexer(text).tokens()
        self.index = 0

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            raise self.error("empty filter expression: " + ATOM_HELP, self.peek())
        expr = self.expr()
        token = self.peek()
        if token.kind == ")":
            raise self.error("unmatched ')'", token)
        if token.kind != "end":
            raise self.error(
                f"unexpected {token.text!r}: expected 'and', 'or' or the end "
                "(quote values that contain spaces)",
                token,
            )
        return expr

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, token: Token) -> FilterSyntaxError:
        return FilterSyntaxError(message, token.column, self.text)

    def expr(self) -> Expr:
        operands = [self.term()]
        while self.peek().kind == "or":
            self.take()
            operands.append(self.term())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def term(self) -> Expr:
        operands = [self.factor()]
        while self.peek().kind == "and":
            self.take()
            operands.append(self.factor())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def factor(self) -> Expr:
        token = self.take()
        if token.kind == "not":
            return Not(self.factor())
        if token.kind == "atom":
            assert token.atom is not None
            return token.atom
        if token.kind == "(":
            inner = self.expr()
            closing = self.peek()
            if closing.kind != ")":
                raise self.error(
                    f"expected ')' to close the '(' at column {token.column}, "
                    f"found {repr(closing.text) if closing.text else 'the end'}",
                    closing,
                )
            self.take()
            return inner
        if token.kind == "word":
            raise self.error(
                f"unexpected {token.text!r}: {ATOM_HELP}{_word_hint(token.text)}", token
            )
        previous = self.tokens[self.index - 2].text if self.index >= 2 else ""
        found = "the end" if token.kind == "end" else repr(token.text)
        after = f" after {previous!r}" if previous else ""
        raise self.error(f"{ATOM_HELP}{after}, found {found}", token)


def _word_hint(word: str) -> str:
    """A likely fix for a bare word where an atom was expected."""
    lowered = word.lower()
    if lowered in ("name", "tag", "ou"):
        return f" (write {lowered}:VALUE with no space)"
    if ":" not in word and "~" not in word and word.isprintable():
        return f" (an account name? write name:{word})"
    return ""
