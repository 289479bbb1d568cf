"""Drift as ONE GitHub issue labelled `idc-drift`, kept true every night.

The scheduled job plans after it snapshots: changes pending mean live
Identity Center no longer matches desired/ (someone used the console, SCIM
added a user, an apply failed half way). An issue per night would be noise
nobody reads; so there is one open issue with the label, its body the
current plan, updated while drift lasts, and closed with a comment on the
first night live state matches again.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.ci.comments import fitted
from reconciler.ci.gh import GitHub, GitHubError

LABEL = "idc-drift"
TITLE = "Identity Center drift: live state differs from desired/"
LABEL_COLOR = "d93f0b"
INTRO = (
    "The scheduled snapshot found live Identity Center different from `desired/`. "
    "Either make desired/ say what is live (a pull request), or apply desired/ "
    "(`idc plan`, `idc apply`). This issue is updated every night and closed when "
    "the drift is gone.\n\n"
)


@dataclass(frozen=True)
class DriftReport:
    action: str  # opened, updated, closed, none
    number: int | None = None
    url: str = ""


def report_drift(gh: GitHub, drifted: bool, plan_markdown: str, tail: str = "") -> DriftReport:
    """Open, update or close the drift issue to match what the plan found."""
    open_issues = [
        issue
        for issue in gh.get("issues", labels=LABEL, state="open", per_page="100")
        if "pull_request" not in issue  # the issues API lists pull requests too
    ]
    if drifted:
        body = fitted(INTRO + plan_markdown, tail)
        if open_issues:
            issue = open_issues[0]
            gh.send("PATCH", f"issues/{issue['number']}", {"body": body})
            return DriftReport("updated", issue["number"], str(issue.get("html_url", "")))
        _ensure_label(gh)
        issue = gh.send("POST", "issues", {"title": TITLE, "body": body, "labels": [LABEL]})
        return DriftReport("opened", issue["number"], str(issue.get("html_url", "")))
    for issue in open_issues:
        note = "Drift is gone: live Identity Center matches `desired/` again."
        gh.send("POST", f"issues/{issue['number']}/comments", {"body": note + tail})
        gh.send("PATCH", f"issues/{issue['number']}", {"state": "closed"})
    if open_issues:
        first = open_issues[0]
        return DriftReport("closed", first["number"], str(first.get("html_url", "")))
    return DriftReport("none")


def _ensure_label(gh: GitHub) -> None:
    """Create the label the first time; GitHub answers 422 when it exists."""
    try:
        gh.send(
            "POST",
            "labels",
            {"name": LABEL, "color": LABEL_COLOR, "description": "live state differs"},
        )
    except GitHubError as exc:
        if "422" not in str(exc) and "already_exists" not in str(exc):
            raise
