"""Split an expression into parentheses, keywords and fully built atoms.

Atoms are lexed whole (`tag:"cost center"="R&D"` is one token) because their
values may be quoted and hold spaces, parentheses or keywords; the parser then
only deals with boolean structure. Quoting: `'...'` or `"..."`, no backslash
escapes (so regexes read naturally); a quote character inside a value quoted
with that same character is written twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reconciler.desired.filters.errors import FilterSyntaxError
from reconciler.desired.filters.nodes import (
    KEYWORDS,
    QUOTES,
    AccountId,
    Atom,
    Everything,
    NameGlob,
    NameRegex,
    OrgUnitId,
    OrgUnitPath,
    TagMatch,
)

# Organizations id formats (API reference, OrganizationalUnitId / RootId).
OU_ID = re.compile(r"ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32}")
PREFIXES = ("name:", "name~", "tag:", "ou:")
ATOM_HELP = "expected *, an account id, name:, name~, tag:, ou:, 'not' or '('"


@dataclass(frozen=True)
class Token:
    """`kind` is "(", ")", "and", "or", "not", "atom", "end", or "word" (text
    that is none of these; the parser says what was expected there)."""

    kind: str
    column: int
    text: str = ""
    atom: Atom | None = None


class Lexer:
    """One pass over the text; `tokens()` raises FilterSyntaxError with a column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, pos: int | None = None) -> FilterSyntaxError:
        return FilterSyntaxError(message, (self.pos if pos is None else pos) + 1, self.text)

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            self.skip_space()
            if self.pos >= len(self.text):
                out.append(Token("end", self.pos + 1))
                return out
            char = self.text[self.pos]
            if char in "()":
                out.append(Token(char, self.pos + 1, char))
                self.pos += 1
            else:
                out.append(self.word())

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_boundary(self) -> bool:
        """End of text, whitespace or a parenthesis: where a token may end."""
        return (
            self.pos >= len(self.text)
            or self.text[self.pos].isspace()
            or self.text[self.pos] in "()"
        )

    def word(self) -> Token:
        start = self.pos
        lowered = self.text[start : start + 5].lower()
        prefix = next((p for p in PREFIXES if lowered.startswith(p)), None)
        if prefix is not None:
            self.pos += len(prefix)
            atom = self.atom(prefix, start)
            return Token("atom", start + 1, self.text[start : self.pos], atom)
        if self.text[start] in QUOTES:
            raise self.error(
                'a quoted value must follow name:, name~, tag: or ou: (e.g. name:"my account")'
            )
        bare = self.bare(start)
        lowered = bare.lower()
        if lowered in KEYWORDS:
            return Token(lowered, start + 1, bare)
        if bare == "*":
            return Token("atom", start + 1, bare, Everything(column=start + 1))
        if bare.isascii() and bare.isdigit():
            if len(bare) != 12:
                raise self.error(f"an account id has 12 digits, {bare!r} has {len(bare)}", start)
            return Token("atom", start + 1, bare, AccountId(bare, column=start + 1))
        return Token("word", start + 1, bare)

    def bare(self, start: int) -> str:
        """An unquoted run up to whitespace or a parenthesis; quotes may not
        appear inside it (quote the whole value instead)."""
        while not self.at_boundary():
            if self.text[self.pos] in QUOTES:
                raise self.error("quote inside an unquoted value: quote the whole value")
            self.pos += 1
        return self.text[start : self.pos]

    def value(self, after: str, stop: str = "") -> tuple[str, int]:
        """A value, quoted or bare, and its 0-based start; a bare value also
        ends at any character in `stop` (the `=` after a tag key)."""
        start = self.pos
        if self.pos < len(self.text) and self.text[self.pos] in QUOTES:
            return self.quoted(stop), start
        while not self.at_boundary() and self.text[self.pos] not in stop:
            if self.text[self.pos] in QUOTES:
                raise self.error("quote inside an unquoted value: quote the whole value")
            self.pos += 1
        if self.pos == start:
            at_paren = start < len(self.text) and self.text[start] in "()"
            hint = " (quote values that contain parentheses)" if at_paren else ""
            raise self.error(f"expected a value after {after!r}{hint}")
        return self.text[start : self.pos], start

    def quoted(self, stop: str) -> str:
        quote_char, start = self.text[self.pos], self.pos
        self.pos += 1
        parts: list[str] = []
        while True:
            end = self.text.find(quote_char, self.pos)
            if end < 0:
                raise self.error(f"unterminated quote {quote_char} (opened here)", start)
            parts.append(self.text[self.pos : end])
            self.pos = end + 1
            if self.text[self.pos : self.pos + 1] == quote_char:  # doubled: a literal quote
                parts.append(quote_char)
                self.pos += 1
                continue
            break
        if not self.at_boundary() and self.text[self.pos] not in stop:
            raise self.error(f"unexpected {self.text[self.pos]!r} after the closing quote")
        return "".join(parts)

    def atom(self, prefix: str, start: int) -> Atom:
        column = start + 1
        if prefix == "tag:":
            key, key_at = self.value(prefix, stop="=")
            if not key:
                raise self.error("a tag key cannot be empty", key_at)
            if self.text[self.pos : self.pos + 1] != "=":
                return TagMatch(key, None, column=column)
            self.pos += 1
            tag_value, _ = self.value(f"tag:{key}=")
            return TagMatch(key, tag_value, column=column)
        value, value_at = self.value(prefix)
        quoted = self.text[value_at] in QUOTES
        if prefix == "name:":
            if not value:
                raise self.error("an empty name pattern matches no account", value_at)
            return NameGlob(value, column=column)
        if prefix == "name~":
            try:
                re.compile(value)
            except re.error as exc:
                offset = (exc.pos or 0) + (1 if quoted else 0)
                raise self.error(
                    f"invalid regular expression: {exc.msg}", value_at + offset
                ) from None
            return NameRegex(value, column=column)
        if value.startswith("/"):
            return OrgUnitPath(value, column=column)
        if OU_ID.fullmatch(value):
            return OrgUnitId(value, column=column)
        raise self.error(
            f"{value!r} is neither an OU path (/Root/Prod) nor an OU id (ou-ab12-cdef3456, r-ab12)",
            value_at,
        )
