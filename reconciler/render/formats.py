"""One plan, three renderings: the choice `idc plan` and `idc show` share.

Every rendering is made from the Plan alone (what the JSON plan file holds),
so a saved plan file renders exactly as the plan did when it was made.
"""

from __future__ import annotations

from reconciler.plan import Plan
from reconciler.render.json import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text

FORMATS: tuple[str, ...] = ("text", "markdown", "json")
FORMAT_HELP = "text for terminals, markdown for a pull-request comment, json = the plan file."


def render_plan(plan: Plan, fmt: str, *, color: bool = False) -> str:
    """The plan as `fmt` (one of FORMATS); `color` applies to text only."""
    if fmt == "json":
        return render_json(plan)
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, color=color)
