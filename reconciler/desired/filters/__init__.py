"""The account filter language (docs/filters.md): parse, print, expand.

    ou:/Root/Prod and not tag:tier=sandbox
    name~"^data-(prod|dev)$" or 444444444444
    tag:"cost center"="R&D"

Pure: no I/O, no AWS. Build an `Inventory` once from a State, then
`expand(text_or_expr, inventory)` as often as needed; parsing and evaluation
are cached. `name~REGEX` uses re.search (found anywhere in the name; anchor
with ^...$ for a whole-name match), like grep; `name:GLOB` and tag value globs
are case-sensitive shell globs. In `ou:` paths a `/` inside an OU name is
written `%2F` and a `%` as `%25`: `ou:/Root/Prod%2FLegacy` is the OU named
`Prod/Legacy` under the root, never anything inside `/Root/Prod`.
"""

from reconciler.desired.filters.errors import (
    AmbiguousAccountNameError,
    FilterError,
    FilterIssue,
    FilterReferenceError,
    FilterSyntaxError,
)
from reconciler.desired.filters.evaluate import (
    AccountSelection,
    check,
    expand,
    expand_accounts,
)
from reconciler.desired.filters.inventory import Inventory
from reconciler.desired.filters.left_out import describe as describe_left_out
from reconciler.desired.filters.left_out import left_out, merge_left_out
from reconciler.desired.filters.nodes import (
    AccountId,
    And,
    Atom,
    Everything,
    Expr,
    NameGlob,
    NameRegex,
    Not,
    Or,
    OrgUnitId,
    OrgUnitPath,
    TagMatch,
)
from reconciler.desired.filters.parser import parse

__all__ = [
    "AccountId",
    "AccountSelection",
    "AmbiguousAccountNameError",
    "And",
    "Atom",
    "Everything",
    "Expr",
    "FilterError",
    "FilterIssue",
    "FilterReferenceError",
    "FilterSyntaxError",
    "Inventory",
    "NameGlob",
    "NameRegex",
    "Not",
    "Or",
    "OrgUnitId",
    "OrgUnitPath",
    "TagMatch",
    "check",
    "describe_left_out",
    "expand",
    "expand_accounts",
    "left_out",
    "merge_left_out",
    "parse",
]
