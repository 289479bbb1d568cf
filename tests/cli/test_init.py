import json
from pathlib import Path

import git

from reconciler.desired.yaml_io import load_yaml
from tests.conftest import ROOT, IdcRunner


def test_init_scaffolds_a_gitops_repo(idc: IdcRunner, tmp_path: Path) -> None:
    repo = tmp_path / "org"
    result = idc("init", str(repo))
    assert result.exit_code == 0, result.output
    assert (repo / "idc.yaml").read_text().startswith("# yaml-language-server: $schema=")
    for name in ("idc-plan.yml", "idc-apply.yml", "idc-snapshot.yml"):
        assert (repo / ".github" / "workflows" / name).exists()
    assert (repo / "desired").is_dir()
    git.Repo(repo)  # a git repository, ready for snapshots


def test_messages_are_never_wrapped_inside_a_path_or_command(
    idc: IdcRunner, tmp_path: Path
) -> None:
    repo = tmp_path / ("a-long-directory-name-" * 4) / "org"
    result = idc("init", str(repo))
    assert result.exit_code == 0, result.output
    assert f"initialised {repo}; next: `idc validate`, `idc snapshot`, `idc plan`\n" in (
        result.stderr
    )


def test_init_never_overwrites_existing_files(idc: IdcRunner, tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text("instance: auto\n")
    assert idc("init", str(tmp_path)).exit_code == 0
    assert (tmp_path / "idc.yaml").read_text() == "instance: auto\n"


def test_init_scim_does_not_manage_identities(idc: IdcRunner, tmp_path: Path) -> None:
    assert idc("init", "--scim", str(tmp_path)).exit_code == 0
    text = (tmp_path / "idc.yaml").read_text()
    assert "users: false" in text and "groups: false" in text and "memberships: false" in text


def test_product_workflows_are_the_templates_init_writes() -> None:
    templates = ROOT / "reconciler" / "store" / "templates"
    for template in templates.glob("*.yml"):
        shipped = ROOT / ".github" / "workflows" / template.name
        assert shipped.read_text() == template.read_text(), template.name


def test_init_copies_every_packaged_schema(idc: IdcRunner, tmp_path: Path) -> None:
    assert idc("init", str(tmp_path / "org")).exit_code == 0
    packaged = sorted((ROOT / "reconciler" / "schemas").glob("*.schema.json"))
    assert len(packaged) == 5
    for schema in packaged:
        copied = tmp_path / "org" / "schemas" / schema.name
        assert json.loads(copied.read_text()) == json.loads(schema.read_text())


def test_workflows_install_idc_without_the_simulator() -> None:
    for template in (ROOT / "reconciler" / "store" / "templates").glob("*.yml"):
        text = template.read_text()
        assert 'pip install "idc-reconciler==' in text, template.name
        assert "[sim]" not in text and "--sim" not in text, template.name


def test_a_refused_plan_is_still_commented_on_the_pull_request() -> None:
    workflow = load_yaml(ROOT / "reconciler" / "store" / "templates" / "idc-plan.yml")
    steps = {step.get("name", ""): step for step in workflow["jobs"]["plan"]["steps"]}
    comment = steps["Comment the plan on the pull request"]
    assert comment["if"].startswith("always() && ")  # runs after a failed plan step


def test_plan_after_init_from_live_is_empty(idc: IdcRunner, tmp_path: Path) -> None:
    repo = tmp_path / "adopted"
    adopted = idc("--repo", str(repo), "--sim", "init", "--from-live")
    assert adopted.exit_code == 0, adopted.output
    assert (repo / "desired" / "assignments" / "Developer.yaml").exists()
    assert idc("--repo", str(repo), "validate").exit_code == 0
    plan = idc("--repo", str(repo), "--sim", "plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes" in plan.stdout


def test_init_from_live_scim_adopts_only_what_the_repo_manages(
    idc: IdcRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "scim"
    assert idc("--repo", str(repo), "--sim", "init", "--scim", "--from-live").exit_code == 0
    assert not (repo / "desired" / "users.yaml").exists()
    plan = idc("--repo", str(repo), "--sim", "plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_init_from_live_refuses_to_overwrite_desired_files(idc: IdcRunner, tmp_path: Path) -> None:
    repo = tmp_path / "twice"
    assert idc("--repo", str(repo), "--sim", "init", "--from-live").exit_code == 0
    again = idc("--repo", str(repo), "--sim", "init", "--from-live")
    assert again.exit_code == 1
    assert "already exist" in again.stderr and "--force" in again.stderr


def test_modelines_resolve_to_schemas_init_copies_into_the_repo(
    idc: IdcRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "org"
    assert idc("--repo", str(repo), "--sim", "init", "--from-live").exit_code == 0
    written = [repo / "idc.yaml", *sorted((repo / "desired").rglob("*.yaml"))]
    assert len(written) > 5
    for path in written:
        first = path.read_text().splitlines()[0]
        target = first.removeprefix("# yaml-language-server: $schema=")
        assert target != first, path
        assert (path.parent / target).resolve().is_file(), (path, target)
