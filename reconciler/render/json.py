"""The JSON plan: exactly the plan file `idc apply` reads."""

from __future__ import annotations

from reconciler.plan import Plan


def render_json(plan: Plan) -> str:
    return plan.dumps()
