"""The plan reviewers approved, fetched for the commit that merged it.

On merge the apply job must apply what was reviewed, not whatever a fresh
plan says now (Terraform Cloud and Atlantis work the same way). The
reviewed plan is the artifact the plan workflow uploaded for the pull
request's head commit: the pull request is the one GitHub associates with
the merged commit, and its plan run is the newest successful run of the
plan workflow for that head. Anything less certain (a push that merged no
pull request, no successful plan run, no artifact) is refused with the
reason, so nothing is applied that nobody reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.ci.gh import GitHub, GitHubError
from reconciler.errors import IdcError

PLAN_WORKFLOW = "idc-plan.yml"
PLAN_ARTIFACT = "idc-plan"


@dataclass(frozen=True)
class ReviewedPlan:
    pr: int
    head: str  # the pull request's head commit: what the plan was made from
    run_id: int  # the plan workflow run whose artifact this is
    path: Path  # plan.json in the downloaded artifact


def merged_pull_request(gh: GitHub, commit: str) -> dict[str, Any]:
    """The pull request `commit` merged (merge, squash or rebase)."""
    pulls = gh.get(f"commits/{commit}/pulls")
    merged = [p for p in pulls if p.get("merge_commit_sha") == commit] or [
        p for p in pulls if p.get("merged_at")
    ]
    if not merged:
        raise IdcError(
            f"commit {commit[:12]} did not merge a pull request, so there is no reviewed plan "
            "to apply; nothing was changed. Change desired/ through a pull request, or run "
            "`idc plan` and `idc apply` by hand"
        )
    return merged[0]


def fetch_reviewed_plan(
    gh: GitHub, commit: str, dest: Path, workflow: str = PLAN_WORKFLOW
) -> ReviewedPlan:
    """Download the reviewed plan of the pull request `commit` merged into `dest`."""
    pull = merged_pull_request(gh, commit)
    number, head = int(pull["number"]), str(pull["head"]["sha"])
    runs = gh.get(
        f"actions/workflows/{workflow}/runs", head_sha=head, status="success", per_page="100"
    )
    found = [
        r
        for r in (runs.get("workflow_runs", []) if isinstance(runs, dict) else [])
        if r.get("head_sha") == head and r.get("conclusion") == "success"
    ]
    if not found:
        raise IdcError(
            f"pull request #{number} has no successful {workflow} run for its head commit "
            f"{head[:12]}, so nobody reviewed a plan of what was merged; nothing was changed. "
            "Re-run the plan job on the pull request, review it, and apply by hand"
        )
    run_id = int(max(found, key=lambda r: int(r["id"]))["id"])
    try:
        gh.download_artifact(run_id, PLAN_ARTIFACT, dest)
    except GitHubError as exc:
        raise IdcError(
            f"the reviewed plan of pull request #{number} (artifact {PLAN_ARTIFACT} of run "
            f"{run_id}) could not be fetched: {exc}; nothing was changed. Artifacts expire "
            "(90 days by default): re-run the plan job and apply by hand"
        ) from None
    plan = dest / "plan.json"
    if not plan.is_file():
        raise IdcError(
            f"artifact {PLAN_ARTIFACT} of run {run_id} has no plan.json (the plan of pull "
            f"request #{number} failed or was refused); nothing was changed"
        )
    return ReviewedPlan(pr=number, head=head, run_id=run_id, path=plan)
