"""What the GitHub workflows need beyond idc's own verbs: the sticky plan
comment, the reviewed plan of a merged pull request, the drift issue.

Kept out of the workflow YAML so it is Python a test can run (the workflow
steps call `idc ci ...`), and out of `cli/` so a library user driving
another CI can reuse it.
"""

from __future__ import annotations

import os


def run_url_from_env() -> str:
    """This GitHub Actions run's page, from the variables every job has."""
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repo, run = os.environ.get("GITHUB_REPOSITORY"), os.environ.get("GITHUB_RUN_ID")
    return f"{server}/{repo}/actions/runs/{run}" if repo and run else ""
