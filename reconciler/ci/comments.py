"""The plan as one sticky pull-request comment, and notices on merged ones.

Reviewers read the plan in the pull request. Every push re-plans; a new
comment per push buries the current plan under old ones, and "edit the
last comment by this token" edits someone else's comment once a second
bot or workflow shares the token. So the plan comment is the one whose
body starts with the marker `idc plan --format markdown` writes first
(`<!-- idc-plan ...`), found among all the pull request's comments and
edited in place; the marker is in no other comment idc writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.ci.gh import GitHub
from reconciler.render.markdown import GITHUB_COMMENT_LIMIT, MARKER

CUT = (
    "\n\n> ✂️ The rest is left out to stay under GitHub's comment size limit; "
    "see the plan artifact.\n"
)


@dataclass(frozen=True)
class Posted:
    action: str  # created, updated
    url: str


def footer(run_url: str, artifact_url: str = "", artifact: str = "idc-plan") -> str:
    """Where the run and the complete plan are (the comment may be cut)."""
    parts = []
    if run_url:
        parts.append(f"[workflow run]({run_url})")
    if artifact_url:
        parts.append(f"[plan artifact `{artifact}`]({artifact_url})")
    elif run_url:
        parts.append(f"plan artifact `{artifact}` in that run")
    return f"\n---\n{' · '.join(parts)}\n" if parts else ""


def fitted(body: str, tail: str = "") -> str:
    """`body` + `tail`, cut so the whole stays under GitHub's limit (the plan
    markdown already leaves room; this guards hand-made or foreign bodies)."""
    room = GITHUB_COMMENT_LIMIT - len(tail)
    if len(body) > room:
        body = body[: room - len(CUT)] + CUT
    return body + tail


def sticky_comment(gh: GitHub, pr: int, body: str, tail: str = "") -> Posted:
    """Create the pull request's plan comment, or edit it in place."""
    if not body.startswith(MARKER):
        body = f"{MARKER} -->\n{body}"
    text = fitted(body, tail)
    for comment in gh.get(f"issues/{pr}/comments", per_page="100"):
        if str(comment.get("body", "")).startswith(MARKER):
            edited = gh.send("PATCH", f"issues/comments/{comment['id']}", {"body": text})
            return Posted("updated", str((edited or comment).get("html_url", "")))
    created = gh.send("POST", f"issues/{pr}/comments", {"body": text})
    return Posted("created", str((created or {}).get("html_url", "")))


def notice_comment(gh: GitHub, pr: int, notice: str, body: str, tail: str = "") -> Posted:
    """A new comment (it must notify, and must not replace the reviewed
    plan), starting with `notice`, so it is never taken for the sticky one."""
    text = fitted(f"{notice}\n\n{body}", tail)
    created = gh.send("POST", f"issues/{pr}/comments", {"body": text})
    return Posted("created", str((created or {}).get("html_url", "")))
