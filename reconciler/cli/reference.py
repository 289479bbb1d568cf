"""Generated reference docs: docs/cli.md from every command's --help, and
docs/fields.md from the JSON Schemas, so neither can drift from the product.

`make docs` (python -m reconciler.cli.reference) rewrites both;
tests/cli/test_reference.py fails when a file is not what this module renders.
Help is rendered at 80 columns, the width a user's terminal most often has.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import click

from reconciler.fsutil import atomic_write_text

WIDTH = 80
DOCS = Path(__file__).resolve().parents[2] / "docs"
REGENERATE = "make docs  (or: python -m reconciler.cli.reference)"
# schema file -> the file it describes, in the order the reference lists them.
SCHEMAS: dict[str, str] = {
    "settings.schema.json": "idc.yaml",
    "desired.schema.json": "desired/**/*.yaml and the state/ snapshot files",
    "accounts.schema.json": "state/accounts.yaml",
    "manifest.schema.json": "state/manifest.yaml",
    "plan.schema.json": "plan files (idc plan -o PLAN, --format json)",
}


def commands() -> Iterator[tuple[list[str], click.Command, click.Context]]:
    """Every command and subcommand, depth first in `--help` order, with the
    context its help renders in (prog name idc, 80 columns)."""
    from reconciler.cli.main import cli

    root = click.Context(
        cli,
        info_name="idc",
        terminal_width=WIDTH,
        max_content_width=WIDTH,
        **cli.context_settings,
    )

    def walk(
        path: list[str], cmd: click.Command, ctx: click.Context
    ) -> Iterator[tuple[list[str], click.Command, click.Context]]:
        yield path, cmd, ctx
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    child = click.Context(sub, parent=ctx, info_name=name)
                    yield from walk([*path, name], sub, child)

    yield from walk([], cli, root)


def help_text(cmd: click.Command, ctx: click.Context) -> str:
    return cmd.get_help(ctx).rstrip() + "\n"


def render_cli() -> str:
    parts = [
        "# CLI reference\n",
        "<!-- Generated from every command's --help; do not edit. "
        f"Regenerate with: {REGENERATE} -->\n",
        "Global options (`--repo`, `--sim`, `--region`, ...) go before the command "
        "name: `idc --sim plan`. Exit codes are listed in [exit-codes.md](exit-codes.md).\n",
    ]
    for path, cmd, ctx in commands():
        title = " ".join(["idc", *path])
        parts.append(f"## {title}\n\n```\n{help_text(cmd, ctx)}```\n")
    return "\n".join(parts)


# --- schemas -----------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _type(node: dict[str, Any]) -> str:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name})"
    if "anyOf" in node and "type" not in node:
        return " or ".join(_type(alt) for alt in node["anyOf"])
    kind = node.get("type", "any")
    if kind == "array" and isinstance(node.get("items"), dict):
        return f"list of {_type(node['items'])}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"map of {_type(node['additionalProperties'])}"
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def _rules(node: dict[str, Any], required: bool) -> str:
    rules = ["required"] if required else []
    if "default" in node:
        rules.append(f"default `{json.dumps(node['default'])}`")
    if "const" in node:
        rules.append(f"`{json.dumps(node['const'])}`")
    if "enum" in node:
        rules.append("one of " + ", ".join(f"`{v}`" for v in node["enum"]))
    for low, high, unit in (
        ("minLength", "maxLength", "characters"),
        ("minItems", "maxItems", "items"),
        ("minProperties", "maxProperties", "entries"),
        ("minimum", "maximum", ""),
    ):
        if low in node and high in node:
            rules.append(f"{node[low]} to {node[high]} {unit}".strip())
        elif low in node:
            rules.append(f"at least {node[low]} {unit}".strip())
        elif high in node:
            rules.append(f"at most {node[high]} {unit}".strip())
    if node.get("uniqueItems"):
        rules.append("no duplicates")
    if "pattern" in node:
        rules.append(f"pattern `{node['pattern']}`")
    if "not" in node and "enum" in node["not"]:
        rules.append("not " + ", ".join(f"`{v}`" for v in node["not"]["enum"]))
    return "; ".join(rules)


def _rows(node: dict[str, Any], prefix: str) -> Iterator[str]:
    """Table rows for the properties of an object node, nested ones inline."""
    required = set(node.get("required", []))
    for name, prop in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        description = prop.get("description", "")
        if "examples" in prop and not isinstance(prop["examples"][0], (dict, list)):
            description += " Example: " + ", ".join(f"`{e}`" for e in prop["examples"][:2])
        yield (
            f"| `{path}` | {_cell(_type(prop))} | {_cell(_rules(prop, name in required))} "
            f"| {_cell(description.strip())} |"
        )
        if prop.get("type") == "object" and "properties" in prop:
            yield from _rows(prop, f"{path}.")
        items = prop.get("items")
        if isinstance(items, dict) and "properties" in items:
            yield from _rows(items, f"{path}[].")


def _table(node: dict[str, Any]) -> str:
    rows = list(_rows(node, ""))
    if not rows:
        return ""
    head = "| Field | Type | Rules | Meaning |\n|---|---|---|---|\n"
    return head + "\n".join(rows) + "\n"


def render_fields() -> str:
    parts = [
        "# Field reference\n",
        "<!-- Generated from reconciler/schemas/*.schema.json; do not edit. "
        f"Regenerate with: {REGENERATE} -->\n",
        "Every field of every file idc reads or writes, from the JSON Schemas it "
        "validates them with (`idc init` copies them into `schemas/` for editors). "
        "[formats.md](formats.md) explains the files; `a.b` is a nested field, "
        "`a[].b` a field of each list item.\n",
    ]
    folder = resources.files("reconciler") / "schemas"
    for filename, describes in SCHEMAS.items():
        schema = json.loads((folder / filename).read_text(encoding="utf-8"))
        parts.append(f"## {describes}\n\n{schema.get('description', '')}\n")
        parts.append(f"Schema: `{filename}`.\n\n{_table(schema)}")
        for name, definition in schema.get("$defs", {}).items():
            text = definition.get("description", "")
            parts.append(f"### {name}\n\n{text}\n\n{_table(definition)}".rstrip() + "\n")
    return "\n".join(parts)


GENERATED = {"cli.md": render_cli, "fields.md": render_fields}


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    for name, render in GENERATED.items():
        atomic_write_text(DOCS / name, render())
        print(f"wrote {DOCS / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
