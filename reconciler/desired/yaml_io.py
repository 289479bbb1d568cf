"""The one YAML reader and writer.

Reading keeps ruamel's round-trip nodes so every value knows its line and
column, and so the tool can edit hand-written files without losing comments.
Writing is canonical: the caller's key order, block style, no line wrapping,
so the same data always gives the same bytes. And lossless: the loader reads
back exactly the string written, whatever AWS accepted. ruamel leaves two
ways to lose one, both closed here: a NEL (U+0085), LINE SEPARATOR or
PARAGRAPH SEPARATOR written raw inside a quoted scalar is read back as a
line break and folded into a space, so such strings are double-quoted with
the escapes backslash-N, -L and -P; and folding a long plain scalar at the line width
drops a space from a run of spaces at the fold, so nothing is ever folded.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter

from reconciler.errors import Diagnostic, InputError

# Characters ruamel's reader takes for line breaks inside a quoted scalar.
_READ_AS_BREAKS = ("\x85", "\u2028", "\u2029")


class _Representer(RoundTripRepresenter):
    """Strings holding a character the reader would fold are double-quoted,
    where the emitter writes that character as an escape."""

    def represent_str(self, data: str) -> ScalarNode:
        if any(c in data for c in _READ_AS_BREAKS):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Representer.add_representer(str, _Representer.represent_str)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.width = sys.maxsize  # never fold a long scalar (see the module docstring)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_duplicate_keys = False
    return yaml


@cache
def canonical_parser() -> YAML:
    # typ="safe" parses with libyaml (ruamel.yaml.clib) where it is
    # installed, still resolving scalars by YAML 1.2 rules like "rt".
    # libyaml refuses some YAML 1.2 that idc never writes (a plain scalar
    # with ':' inside a flow sequence, say): load_canonical_yaml falls back.
    yaml = YAML(typ="safe")
    yaml.allow_duplicate_keys = False
    return yaml


def load_canonical_yaml(text: str, path: str) -> Any:
    """Parse a file idc wrote itself (a snapshot, a backup): plain dicts and
    lists, no comments or positions, about eight times faster than the
    round-trip loader, which matters at hundreds of thousands of records.
    Anything it refuses is parsed again by load_yaml_text, so a broken
    file still gets its located diagnostic (or, should the two parsers
    ever disagree on what is valid, the round-trip reading)."""
    try:
        return canonical_parser().load(text)
    except YAMLError:
        return load_yaml_text(text, path)


def load_yaml_text(text: str, path: str) -> Any:
    """Parse YAML; syntax errors and duplicate keys become located diagnostics."""
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in str(exc):
            problem = _duplicate_key_message(exc)
        problem = _PLAIN_WORDS.get(problem, problem)
        raise InputError(Diagnostic(path, line, col, problem)) from None
    except YAMLError as exc:
        raise InputError(Diagnostic(path, 0, 0, f"invalid YAML: {exc}")) from None


# ruamel's wording for the two mistakes people make most, said plainly.
_PLAIN_WORDS = {
    "found character '\\t' that cannot start any token": (
        "tab character: YAML indents and separates with spaces only; replace the tab with spaces"
    ),
    "but found another document": (
        "a second YAML document ('---') in one file; idc reads one document per file, "
        "put this one in a file of its own"
    ),
}


def _duplicate_key_message(exc: MarkedYAMLError) -> str:
    first = exc.context_mark
    where = f" (first defined at line {first.line + 1})" if first else ""
    return f"{(exc.problem or 'duplicate key').strip()}{where}"


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Read a file as UTF-8 YAML; a non-UTF-8 file is a located error too."""
    shown = display or str(path)
    return load_yaml_text(read_text(path, shown), shown)


def read_text(path: Path, shown: str) -> str:
    """A file's text as UTF-8; a non-UTF-8 file is a located error. Kept by
    callers so hints can quote what the user wrote (see `source_text`)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            Diagnostic(shown, line, col, f"file is not UTF-8 (byte 0x{raw[exc.start]:02x})")
        ) from None
    return text


# Where a plain (unquoted) scalar ends: a flow indicator, a comment, the line end.
_PLAIN_END = re.compile(r"[,\]}]| #|\s*$")


def source_text(parent: Any, step: Any, lines: Sequence[str]) -> str | None:
    """The text as written of the plain scalar `parent[step]`, e.g. `012345678901`
    where YAML read the integer 12345678901; None when unknown. Numbers, dates
    and booleans are always plain scalars, so the text ends at the first flow
    indicator, comment or line end."""
    try:
        if isinstance(parent, CommentedMap):
            line, col = parent.lc.value(step)
        elif isinstance(parent, CommentedSeq):
            line, col = parent.lc.item(step)
        else:
            return None
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
    if line >= len(lines):
        return None
    rest = lines[line][col:]
    end = _PLAIN_END.search(rest)
    text = rest[: end.start() if end else len(rest)].rstrip()
    return text or None


def position(node: Any, key: Any = None) -> tuple[int, int]:
    """1-based (line, column) of `node[key]` (or of the node itself), (0, 0) if unknown."""
    try:
        if key is None:
            return node.lc.line + 1, node.lc.col + 1
        if isinstance(node, CommentedMap):
            line, col = node.lc.key(key)
            return line + 1, col + 1
        if isinstance(node, CommentedSeq):
            line, col = node.lc.item(key)
            return line + 1, col + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        pass
    return 0, 0


def dump_yaml(data: Any, header: str = "") -> str:
    stream = io.StringIO()
    if header:
        stream.write(header if header.endswith("\n") else header + "\n")
    _yaml().dump(data, stream)
    return stream.getvalue()
