"""`idc init`: a new GitOps repository, optionally adopting the live organization.

Adoption writes explicit desired files (no invented filters) so the first plan
is empty; people then replace explicit account lists with filters in reviews.
Existing files are never overwritten unless asked: init is safe to re-run.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import git

from reconciler.desired.schema import schema_files
from reconciler.desired.yaml_io import dump_yaml
from reconciler.fsutil import atomic_write_text
from reconciler.model import State
from reconciler.model.codec import (
    assignment_rules,
    group_to_doc,
    permission_set_to_doc,
    user_to_doc,
)

WORKFLOWS = ("idc-plan.yml", "idc-apply.yml", "idc-snapshot.yml")


def modeline(schema: str, path: str) -> str:
    """A yaml-language-server modeline for the file at repo-relative `path`,
    pointing at the copy of the schema `idc init` puts in the repo's schemas/."""
    up = "../" * path.count("/")
    return f"# yaml-language-server: $schema={up}schemas/{schema}\n"


def settings_text(scim: bool) -> str:
    managed = "false" if scim else "true"
    return (
        modeline("settings.schema.json", "idc.yaml")
        + "# idc settings: see `idc --help` and the README.\n"
        "instance: auto            # or the instance ARN\n"
        "manage:                   # kinds this repository is authoritative for\n"
        f"  users: {managed}\n"
        f"  groups: {managed}\n"
        f"  memberships: {managed}\n"
        "  permission_sets: true\n"
        "  assignments: true\n"
        "safety:\n"
        "  max_deletes: 25         # plan fails above this unless --allow-deletes\n"
        "  protect: []             # globs on change keys never deleted or changed\n"
        "accounts:\n"
        "  include_suspended: false\n"
        "  include_management: false\n"
    )


def scaffold(repo: Path, *, scim: bool = False, force: bool = False) -> list[Path]:
    """Create what is missing; return the files written."""
    written: list[Path] = []

    def put(path: Path, text: str) -> None:
        if path.exists() and not force:
            return
        atomic_write_text(path, text)
        written.append(path)

    repo.mkdir(parents=True, exist_ok=True)
    for schema in schema_files():
        # Always refreshed: the schemas belong to the installed idc version.
        atomic_write_text(repo / "schemas" / schema.name, schema.read_text("utf-8"))
    put(repo / "idc.yaml", settings_text(scim))
    put(repo / ".gitignore", ".idc/\nplan.json\nplan.md\n")
    (repo / "desired").mkdir(exist_ok=True)
    (repo / "journal").mkdir(exist_ok=True)
    put(repo / "journal" / ".gitkeep", "")
    templates = resources.files("reconciler.store") / "templates"
    for name in WORKFLOWS:
        put(repo / ".github" / "workflows" / name, (templates / name).read_text("utf-8"))
    try:
        git.Repo(repo)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        git.Repo.init(repo, initial_branch="main")
    return written


def desired_files_from_state(state: State, *, scim: bool = False) -> dict[str, str]:
    """Relative path -> YAML text of desired files equal to `state`."""
    files: dict[str, dict[str, Any]] = {}
    members: dict[str, list[str]] = {}
    for m in state.sorted_memberships():
        members.setdefault(m.group, []).append(m.user)
    if not scim:
        files["desired/users.yaml"] = {"users": [user_to_doc(u) for u in state.sorted_users()]}
        files["desired/groups.yaml"] = {
            "groups": [group_to_doc(g, members.get(g.name, ())) for g in state.sorted_groups()]
        }
    for ps in state.sorted_permission_sets():
        files[f"desired/permission_sets/{ps.name}.yaml"] = {
            "permission_sets": [permission_set_to_doc(ps)]
        }
    by_ps: dict[str, list] = {}
    for a in state.sorted_assignments():
        by_ps.setdefault(a.permission_set, []).append(a)
    for name, assignments in sorted(by_ps.items()):
        files[f"desired/assignments/{name}.yaml"] = {"assignments": assignment_rules(assignments)}
    return {
        path: dump_yaml(doc, modeline("desired.schema.json", path)) for path, doc in files.items()
    }


def adopt(repo: Path, state: State, *, scim: bool = False, force: bool = False) -> list[Path]:
    """Write desired/ from live state; refuses to overwrite existing files."""
    files = desired_files_from_state(state, scim=scim)
    clashes = [rel for rel in files if (repo / rel).exists()]
    if clashes and not force:
        from reconciler.errors import InputError

        raise InputError(
            f"{len(clashes)} desired file(s) already exist (e.g. {clashes[0]}); "
            "pass --force to overwrite them"
        )
    for rel, text in files.items():
        atomic_write_text(repo / rel, text)
    return [repo / rel for rel in files]
