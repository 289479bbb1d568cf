"""GitHub's REST API through the GitHub CLI (`gh api`), as the workflows use it.

Every GitHub-hosted runner has `gh`, authenticated by the job's GH_TOKEN;
going through it (rather than an HTTP client of our own) keeps token
handling, GitHub Enterprise hosts and pagination where GitHub maintains
them. Every call names the request and gh's own error when it fails; the
token never appears in a message.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from reconciler.errors import IdcError

TIMEOUT_SECONDS = 120


class GitHubError(IdcError):
    """A GitHub request that failed: the request, and what GitHub said."""


class GitHub:
    """One repository's API, `owner/name` from GH_REPO or GITHUB_REPOSITORY."""

    def __init__(self, repository: str | None = None, gh: str = "gh") -> None:
        repository = repository or os.environ.get("GH_REPO") or os.environ.get("GITHUB_REPOSITORY")
        if not repository or "/" not in repository:
            raise IdcError(
                "no GitHub repository: set GITHUB_REPOSITORY (GitHub Actions sets it) or "
                "GH_REPO to owner/name"
            )
        self.repository = repository
        self.gh = gh

    def get(self, path: str, **query: str) -> Any:
        """GET, every page of a list (gh --paginate --slurp joins them)."""
        if query:
            path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        pages = self._api(["--paginate", "--slurp", self._path(path)], f"GET {path}")
        if isinstance(pages, list) and pages and all(isinstance(p, list) for p in pages):
            return [item for page in pages for item in page]
        return pages[0] if isinstance(pages, list) and len(pages) == 1 else pages

    def send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        """POST/PATCH a JSON body (given on stdin, so no size limit of argv)."""
        return self._api(
            ["--method", method, self._path(path), "--input", "-"],
            f"{method} {path}",
            stdin=json.dumps(body),
        )

    def download_artifact(self, run_id: int, name: str, dest: Path) -> None:
        """`gh run download`: the artifact's files into `dest`."""
        self._run(
            ["run", "download", str(run_id), "--name", name, "--dir", str(dest)],
            f"download of artifact {name} from run {run_id}",
        )

    def _path(self, path: str) -> str:
        return f"repos/{self.repository}/{path.lstrip('/')}"

    def _api(self, args: list[str], what: str, stdin: str | None = None) -> Any:
        out = self._run(["api", *args], what, stdin=stdin)
        try:
            return json.loads(out) if out.strip() else None
        except ValueError as exc:
            raise GitHubError(f"GitHub {what}: the answer is not JSON ({exc})") from None

    def _run(self, args: list[str], what: str, stdin: str | None = None) -> str:
        if shutil.which(self.gh) is None:
            raise IdcError(
                f"the GitHub CLI `{self.gh}` is not on PATH; GitHub-hosted runners have it, "
                "elsewhere install it from https://cli.github.com"
            )
        try:
            done = subprocess.run(
                [self.gh, *args],
                input=stdin,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitHubError(f"GitHub {what}: no answer in {TIMEOUT_SECONDS} s") from None
        if done.returncode != 0:
            reason = (done.stderr or done.stdout).strip().splitlines()
            raise GitHubError(f"GitHub {what} failed: {reason[-1] if reason else 'no reason'}")
        return done.stdout
