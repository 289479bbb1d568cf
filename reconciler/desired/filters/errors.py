"""What can go wrong with a filter expression, located at a 1-based column.

Filters live inside YAML scalars and CLI options, so an error must say where in
the expression it is; `diagnostic()` turns that into a file position once the
caller knows where the expression starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.errors import Diagnostic


class FilterError(ValueError):
    """A problem in one filter expression, at `column` (1-based) of `text`."""

    def __init__(self, message: str, column: int, text: str = "") -> None:
        self.message = message
        self.column = max(column, 1)
        self.text = text
        super().__init__(message)

    def pointer(self) -> str:
        """The expression and a caret under the column, two lines, for terminals."""
        if not self.text:
            return ""
        return f"  {self.text}\n  {' ' * (self.column - 1)}^"

    def with_text(self, text: str) -> FilterError:
        """The same error knowing the full expression (for the caret line)."""
        self.text = text
        return self

    def diagnostic(self, path: str, line: int, first_column: int) -> Diagnostic:
        """A file diagnostic, given where the expression's first character is."""
        column = first_column + self.column - 1 if line else 0
        return Diagnostic(path, line, column, self.message)

    def __str__(self) -> str:
        head = f"column {self.column}: {self.message}"
        return f"{head}\n{self.pointer()}" if self.text else head


class FilterSyntaxError(FilterError):
    """The text is not a filter expression (docs/filters.md)."""


class FilterReferenceError(FilterError):
    """The expression names an OU the organization does not have.

    An error, not a warning: `not ou:/Root/Prd` (a typo) would otherwise
    silently select every account.
    """


class AmbiguousAccountNameError(ValueError):
    """An explicit account list names an account that is not unique; use its id."""

    def __init__(self, name: str, ids: tuple[str, ...]) -> None:
        self.name = name
        self.ids = ids
        super().__init__(
            f"account name {name!r} is used by {len(ids)} accounts ({', '.join(ids)}); "
            "list the account id instead"
        )


@dataclass(frozen=True, order=True)
class FilterIssue:
    """A non-fatal finding about an expression against one inventory, e.g. an
    explicit account id the organization does not have, or a tag key no
    account carries. The plan reports these as warnings (errors with --strict)."""

    column: int
    message: str

    def diagnostic(self, path: str, line: int, first_column: int) -> Diagnostic:
        """A file warning, given where the expression's first character is."""
        column = first_column + self.column - 1 if line else 0
        return Diagnostic(path, line, column, self.message, severity="warning")

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}"
