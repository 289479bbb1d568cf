"""The terminal plan, Terraform style: `+` create, `~` update, `-` delete.

Changes are grouped by kind (in the order apply runs the kinds), updates show
attribute-level diffs and structured values (policies) as unified JSON diffs.
Warnings, then what the plan leaves alone (unmanaged or undeclared kinds)
and what already matches, as `# ` notes, close every plan. Colour comes from
rich; with colour off the output is plain text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from rich.console import Console
from rich.text import Text

from reconciler.plan import Change, Plan
from reconciler.render.diffs import (
    attribute_changes,
    compact_json,
    pretty_json,
    shown_attributes,
    subject,
    unified_json_diff,
)
from reconciler.render.grouping import (
    KIND_TITLES,
    by_kind,
    scope_notes,
    skipped_lines,
    summary_line,
)

SIGN = {"create": "+", "update": "~", "delete": "-"}
STYLE = {"create": "green", "update": "yellow", "delete": "red"}
VERB = {"create": "created", "update": "updated in place", "delete": "destroyed"}


def render_text(plan: Plan, *, color: bool = False) -> str:
    """The whole plan as text (ANSI colours when `color`)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        soft_wrap=True,
        width=120,
    )
    for line in plan_lines(plan):
        console.print(line)
    return buffer.getvalue()


def plan_lines(plan: Plan) -> Iterable[Text]:
    if plan.empty and plan.skipped:
        yield Text("No changes left to make: everything found is skipped (listed below).")
    elif plan.empty:
        yield Text("No changes. Identity Center matches the desired state.", style="bold green")
    else:
        yield Text("idc will perform the following actions (grouped by kind; apply order within):")
        for kind, changes in by_kind(plan.changes):
            yield Text("")
            yield Text(f"{KIND_TITLES[kind]} ({len(changes)})", style="bold")
            for change in changes:
                yield from change_lines(change)
    if plan.skipped:
        yield Text("")
        yield Text(f"Skipped ({len(plan.skipped)}), not done by this plan:", style="bold")
        for line in skipped_lines(plan):
            yield Text(f"  {line}")
    if plan.warnings:
        yield Text("")
        for warning in plan.warnings:
            yield Text.assemble(("Warning: ", "bold yellow"), warning)
    notes = scope_notes(plan)
    if notes:
        yield Text("")
        for note in notes:
            yield Text(f"# {note}", style="dim")
    yield Text("")
    yield Text(summary_line(plan), style="bold")


def change_lines(change: Change) -> Iterable[Text]:
    sign, style = SIGN[change.action], STYLE[change.action]
    head = Text.assemble(
        (f"  {sign} ", style), (f"{change.kind} ", style), (subject(change), "bold")
    )
    if change.reason:
        head.append(f"  # {change.reason}", style="dim")
    yield head
    if change.kind in ("membership", "assignment"):
        return
    if change.action == "update":
        yield from _update_lines(change)
    elif change.action == "create":
        for name, value in shown_attributes(change.after):
            yield from _value_lines(name, value, "+", "green")
    if change.reprovision:
        accounts = ", ".join(change.reprovision)
        yield Text(f"      then re-provision to {accounts}", style="cyan")


def _update_lines(change: Change) -> Iterable[Text]:
    for attr in attribute_changes(change):
        if attr.status == "added":
            yield from _value_lines(attr.name, attr.new, "+", "green")
        elif attr.status == "removed":
            yield from _value_lines(attr.name, attr.old, "-", "red")
        elif attr.structured:
            yield Text(f"      ~ {attr.name}:", style="yellow")
            for line in unified_json_diff(attr.name, attr.old, attr.new)[2:]:
                yield Text(f"          {line}", style=_diff_style(line))
        else:
            yield Text.assemble(
                ("      ~ ", "yellow"),
                f"{attr.name} = {compact_json(attr.old)} -> {compact_json(attr.new)}",
            )


def _value_lines(name: str, value: object, sign: str, style: str) -> Iterable[Text]:
    text = compact_json(value)
    if len(text) <= 80:
        yield Text.assemble((f"      {sign} ", style), f"{name} = {text}")
        return
    yield Text.assemble((f"      {sign} ", style), f"{name} =")
    for line in pretty_json(value).splitlines():
        yield Text(f"          {line}")


def _diff_style(line: str) -> str:
    if line.startswith("+"):
        return "green"
    if line.startswith("-"):
        return "red"
    return "cyan" if line.startswith("@@") else ""
