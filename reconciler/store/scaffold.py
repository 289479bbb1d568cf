"""`idc init`: a new GitOps repository, optionally adopting the live organization.

Adoption writes explicit desired files (no invented filters) so the first plan
is empty; people then replace explicit account lists with filters in reviews.
Existing files are never overwritten unless asked: init is safe to re-run.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import git

from reconciler import __version__
from reconciler.desired.schema import schema_files
from reconciler.desired.yaml_io import dump_yaml, load_yaml_text
from reconciler.fsutil import atomic_write_text
from reconciler.model import State
from reconciler.model.codec import (
    assignment_rules,
    group_to_doc,
    permission_set_to_doc,
    user_to_doc,
)

WORKFLOWS = ("idc-plan.yml", "idc-apply.yml", "idc-snapshot.yml")
# Where idc's reusable workflows live, pinned to this release's tag.
WORKFLOWS_REPOSITORY = "idc-reconciler/idc"
WORKFLOWS_SOURCE = f"{WORKFLOWS_REPOSITORY}@v{__version__}"


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


GITIGNORE = (".idc/", "plan.json", "plan.md")
# git's diff driver for snapshots: `idc decrypt --textconv` once a user sets
# `git config diff.idc.textconv "idc decrypt --textconv"` (a per-clone
# setting git never takes from the repository); without it git diffs as usual.
GITATTRIBUTES = "state/** diff=idc"
TEXTCONV_CONFIG = 'git config diff.idc.textconv "idc decrypt --textconv"'
STARTER = "desired/README.yaml"


@dataclass
class Scaffolded:
    """What `scaffold` did, for init to report: every file written or kept."""

    git_root: Path  # the work tree holding the repository (the repo or a parent)
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # existed; left as they were
    ignored: list[str] = field(default_factory=list)  # entries appended to a .gitignore
    attributes_appended: bool = False  # the diff driver line added to a .gitattributes
    created_git: bool = False


def scaffold(
    repo: Path,
    *,
    scim: bool = False,
    force: bool = False,
    starter: bool = True,
    workflows_from: str | None = WORKFLOWS_SOURCE,
) -> Scaffolded:
    """Create what is missing. Inside an existing git work tree, the
    repository is a folder of it: no nested .git, and the workflows go to
    the work tree's .github/ (the only place GitHub runs them from), made to
    run in that folder. The workflows call the reusable ones at
    `workflows_from` (`owner/repo@ref`), or hold every step (None)."""
    repo.mkdir(parents=True, exist_ok=True)
    root, created = _git_root(repo)
    done = Scaffolded(git_root=root, created_git=created)

    def put(path: Path, text: str) -> None:
        if path.exists() and not force:
            done.kept.append(path)
            return
        atomic_write_text(path, text)
        done.written.append(path)

    for schema in schema_files():
        # Always refreshed: the schemas belong to the installed idc version.
        atomic_write_text(repo / "schemas" / schema.name, schema.read_text("utf-8"))
    put(repo / "idc.yaml", settings_text(scim))
    _gitignore(repo / ".gitignore", done)
    _gitattributes(repo / ".gitattributes", done)
    (repo / "desired").mkdir(exist_ok=True)
    templates = resources.files("reconciler.store") / "templates"
    if starter and ((repo / STARTER).exists() or not any((repo / "desired").rglob("*.yaml"))):
        put(repo / STARTER, (templates / "starter.yaml").read_text("utf-8"))
    (repo / "journal").mkdir(exist_ok=True)
    put(repo / "journal" / ".gitkeep", "")
    folder = repo.resolve().relative_to(root).as_posix()
    for name in WORKFLOWS:
        text = (templates / name).read_text("utf-8")
        if workflows_from is None:
            text = in_folder(text, folder)
        else:
            text = caller_workflow(text, name, folder, workflows_from)
        put(root / ".github" / "workflows" / name, text)
    return done


def _git_root(repo: Path) -> tuple[Path, bool]:
    """The work tree `repo` is in (a new repository in `repo` if none)."""
    try:
        found = git.Repo(repo, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        git.Repo.init(repo, initial_branch="main")
        return repo.resolve(), True
    if found.working_tree_dir is None:
        from reconciler.errors import InputError

        raise InputError(
            f"{repo} is inside the bare git repository {found.git_dir}, which has no "
            "work tree for desired/ and snapshots; choose a directory in a clone"
        )
    return Path(found.working_tree_dir).resolve(), False


def _gitignore(path: Path, done: Scaffolded) -> None:
    """Create .gitignore, or append the entries it lacks (never rewrite it)."""
    if not path.exists():
        atomic_write_text(path, "".join(f"{entry}\n" for entry in GITIGNORE))
        done.written.append(path)
        return
    text = path.read_text("utf-8", errors="replace")
    present = {line.strip() for line in text.splitlines()}
    missing = [e for e in GITIGNORE if e not in present and e.rstrip("/") not in present]
    if not missing:
        done.kept.append(path)
        return
    lead = "" if not text or text.endswith("\n") else "\n"
    atomic_write_text(path, text + lead + "# idc\n" + "".join(f"{e}\n" for e in missing))
    done.ignored = missing


def _gitattributes(path: Path, done: Scaffolded) -> None:
    """Create .gitattributes, or append the diff driver line (never rewrite it)."""
    if not path.exists():
        atomic_write_text(path, f"{GITATTRIBUTES}\n")
        done.written.append(path)
        return
    text = path.read_text("utf-8", errors="replace")
    if GITATTRIBUTES in (line.strip() for line in text.splitlines()):
        done.kept.append(path)
        return
    lead = "" if not text or text.endswith("\n") else "\n"
    atomic_write_text(
        path, f"{text}{lead}# idc: readable diffs of encrypted fields\n{GITATTRIBUTES}\n"
    )
    done.attributes_appended = True


def in_folder(workflow: str, folder: str) -> str:
    """A self-contained workflow for a repository in `folder` of the git work
    tree: its triggers watch that folder, and its steps and artifacts default
    to it (the `working-directory` input's default). `.` leaves it as it is."""
    if folder == ".":
        return workflow
    text = workflow.replace(
        'paths: ["desired/**", "idc.yaml"]', f'paths: ["{folder}/desired/**", "{folder}/idc.yaml"]'
    )
    return text.replace(
        "inputs.working-directory || '.' }}", f"inputs.working-directory || '{folder}' }}}}"
    )


def caller_workflow(template: str, name: str, folder: str, source: str) -> str:
    """A thin workflow that `uses:` the reusable one at `source` (`owner/repo@ref`):
    the template's triggers, permissions and concurrency, and one job calling
    it, so an upgrade is a one-line change of the pinned ref."""
    workflow = load_yaml_text(template, name)
    triggers = {k: v for k, v in workflow["on"].items() if k != "workflow_call"}
    if folder != ".":
        for trigger in triggers.values():
            if isinstance(trigger, dict) and "paths" in trigger:
                trigger["paths"] = [f"{folder}/{p}" for p in trigger["paths"]]
    repository, _, ref = source.partition("@")
    (job,) = workflow["jobs"]
    doc = {
        "name": workflow["name"],
        "on": triggers,
        "permissions": workflow["permissions"],
        "concurrency": workflow["concurrency"],
        "jobs": {
            job: {
                "uses": f"{repository}/.github/workflows/{name}@{ref}",
                "with": {"working-directory": folder},
            }
        },
    }
    purpose = "".join(
        f"{line}\n"
        for line in itertools.takewhile(lambda line: line.startswith("#"), template.splitlines())
        if "Reusable" not in line and "<owner>/<repo>" not in line
    )
    header = (
        f"{purpose}# The steps are idc's reusable workflow at a pinned release: upgrading is\n"
        "# changing the ref below. `idc init --standalone` writes them here instead.\n"
    )
    return dump_yaml(doc, header)


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


def remove_untouched_starter(repo: Path) -> Path | None:
    """Remove the starter file once desired/ holds real files, if nobody
    edited it (it would only warn that it declares nothing)."""
    path = repo / STARTER
    template = resources.files("reconciler.store") / "templates" / "starter.yaml"
    if path.is_file() and path.read_text("utf-8") == template.read_text("utf-8"):
        path.unlink()
        return path
    return None
