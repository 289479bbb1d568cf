"""A reviewed plan against a fresh one, in words (`idc plan --against`).

Lines read as the plan does (`+ create ReadOnly to GROUP Devs in 1111…`),
marked by where the change is: `-` reviewed but no longer planned, `+`
planned now but never reviewed, `~` in both but doing something else now,
with a unified diff of the document that differs (reviewed → now).
"""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.plan import Change, Plan
from reconciler.plan.compare import PlanComparison
from reconciler.render.diffs import subject, unified_json_diff


def comparison_lines(comparison: PlanComparison, fresh: Plan) -> Iterator[str]:
    yield comparison.summary()
    for change in comparison.only_reviewed:
        yield f"  - {_said(change, fresh)}  (reviewed; no longer planned)"
    for change in comparison.only_fresh:
        yield f"  + {_said(change, fresh)}  (planned now; never reviewed)"
    for pair in comparison.changed:
        differences = pair.differences()
        yield f"  ~ {_said(pair.fresh, fresh)}  ({', '.join(differences)} differ)"
        if "action" in differences:
            yield f"      reviewed: {pair.reviewed.action}, now: {pair.fresh.action}"
        for side in ("before", "after"):
            if side in differences:
                old, new = getattr(pair.reviewed, side), getattr(pair.fresh, side)
                for line in unified_json_diff(side, old, new)[2:]:
                    yield f"      {line}"
        if "reprovision" in differences:
            yield (
                f"      re-provision: reviewed {', '.join(pair.reviewed.reprovision) or 'none'}, "
                f"now {', '.join(pair.fresh.reprovision) or 'none'}"
            )


def _said(change: Change, plan: Plan) -> str:
    return f"{change.action} {change.kind} {subject(change, plan.accounts)}"
