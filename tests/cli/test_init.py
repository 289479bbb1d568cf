from pathlib import Path

import git

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
