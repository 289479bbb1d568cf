import json
from pathlib import Path

import git

from reconciler import __version__
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
    hints = f"`idc --repo {repo} validate`, `idc --repo {repo} snapshot`, `idc --repo {repo} plan`"
    assert f"initialised {repo}; next: {hints}\n" in result.stderr


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
    # accounts, backup-manifest, desired, manifest, plan, restore-map, settings
    assert len(packaged) == 7
    for schema in packaged:
        copied = tmp_path / "org" / "schemas" / schema.name
        assert json.loads(copied.read_text()) == json.loads(schema.read_text())


def test_workflows_install_the_released_idc_without_the_simulator() -> None:
    for template in (ROOT / "reconciler" / "store" / "templates").glob("*.yml"):
        text = template.read_text()
        default = f"${{{{ vars.IDC_PIP_SPEC || 'idc-reconciler=={__version__}' }}}}"
        assert f"IDC_PIP_SPEC: {default}" in text, template.name
        assert 'pip install "$IDC_PIP_SPEC"' in text, template.name
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


def _hinted_commands(stderr: str) -> list[list[str]]:
    """The commands init suggests after `next:`, split as a shell would."""
    import shlex

    (line,) = [line for line in stderr.splitlines() if "; next: " in line]
    return [shlex.split(cmd) for cmd in line.split("; next: ")[1].split("`")[1::2]]


def test_the_commands_init_suggests_succeed_in_an_empty_directory(
    idc: IdcRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "new org"
    result = idc("--sim", "init", str(repo))
    assert result.exit_code == 0, result.output
    starter = (repo / "desired" / "README.yaml").read_text()
    assert "# users:" in starter and "idc init --from-live" in starter
    commands = _hinted_commands(result.stderr)
    assert [c[:4] for c in commands] == [["idc", "--repo", str(repo), "--sim"]] * 3
    for command in commands:
        ran = idc(*command[1:])
        assert ran.exit_code == 0, (command, ran.output)
        if command[-1] in ("validate", "plan"):
            assert "nothing declared yet" in ran.output, ran.output


def test_uncommented_starter_file_is_valid_desired_state(idc: IdcRunner, tmp_path: Path) -> None:
    repo = tmp_path / "org"
    assert idc("init", str(repo)).exit_code == 0
    starter = repo / "desired" / "README.yaml"
    lines = starter.read_text().splitlines()
    body = lines[lines.index("# users:") :]
    starter.write_text("\n".join(line.removeprefix("# ") for line in body if line != "#") + "\n")
    result = idc("--repo", str(repo), "validate")
    assert result.exit_code == 0, result.output
    assert "1 user, 1 group, 1 membership, 1 permission set, 1 assignment rule" in result.stdout


def test_rerunning_init_says_which_files_it_kept(idc: IdcRunner, tmp_path: Path) -> None:
    assert idc("init", str(tmp_path)).exit_code == 0
    again = idc("init", str(tmp_path))
    assert again.exit_code == 0, again.output
    assert "wrote" not in again.stderr
    assert (
        "  kept idc.yaml, .gitignore, .gitattributes, desired/README.yaml, journal/.gitkeep, "
        ".github/workflows/idc-plan.yml, .github/workflows/idc-apply.yml, "
        ".github/workflows/idc-snapshot.yml (they exist; --force overwrites them)\n"
    ) in again.stderr


def test_init_appends_missing_entries_to_an_existing_gitignore(
    idc: IdcRunner, tmp_path: Path
) -> None:
    (tmp_path / ".gitignore").write_text("node_modules\nplan.json")  # no final newline
    result = idc("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (
        tmp_path / ".gitignore"
    ).read_text() == "node_modules\nplan.json\n# idc\n.idc/\nplan.md\n"
    assert "  appended .idc/, plan.md to .gitignore\n" in result.stderr
    again = idc("init", str(tmp_path))
    assert "appended" not in again.stderr and ".gitignore" in again.stderr  # kept now


def test_init_in_a_folder_of_a_git_repository_uses_that_repository(
    idc: IdcRunner, tmp_path: Path
) -> None:
    git.Repo.init(tmp_path, initial_branch="main")
    repo = tmp_path / "iam"
    result = idc("init", str(repo))
    assert result.exit_code == 0, result.output
    assert not (repo / ".git").exists()
    assert not (repo / ".github").exists()
    assert f"using the git repository at {tmp_path.resolve()}; workflows run in {repo}" in (
        result.stderr
    )
    for name in ("idc-plan.yml", "idc-apply.yml", "idc-snapshot.yml"):
        caller = load_yaml(tmp_path / ".github" / "workflows" / name)
        (job,) = caller["jobs"].values()
        assert job["uses"] == f"idc-reconciler/idc/.github/workflows/{name}@v{__version__}"
        assert job["with"] == {"working-directory": "iam"}
    plan = load_yaml(tmp_path / ".github" / "workflows" / "idc-plan.yml")
    assert plan["on"]["pull_request"]["paths"] == ["iam/desired/**", "iam/idc.yaml"]
    # snapshots commit into the enclosing repository
    snapshot = idc("--repo", str(repo), "--sim", "snapshot", "-m", "first")
    assert snapshot.exit_code == 0, snapshot.output
    committed = git.Repo(tmp_path).head.commit.tree / "iam" / "state" / "manifest.yaml"
    assert committed.size > 0


def test_standalone_workflows_in_a_folder_run_every_step_there(
    idc: IdcRunner, tmp_path: Path
) -> None:
    git.Repo.init(tmp_path, initial_branch="main")
    result = idc("init", "--standalone", str(tmp_path / "iam"))
    assert result.exit_code == 0, result.output
    folder = "${{ inputs.working-directory || 'iam' }}"
    plan = load_yaml(tmp_path / ".github" / "workflows" / "idc-plan.yml")
    assert plan["jobs"]["plan"]["defaults"] == {"run": {"working-directory": folder}}
    assert plan["on"]["pull_request"]["paths"] == ["iam/desired/**", "iam/idc.yaml"]
    upload = [s for s in plan["jobs"]["plan"]["steps"] if "upload-artifact" in s.get("uses", "")]
    assert upload[0]["with"]["path"].splitlines() == [f"{folder}/plan.json", f"{folder}/plan.md"]
    apply = load_yaml(tmp_path / ".github" / "workflows" / "idc-apply.yml")

    assert apply["jobs"]["apply"]["defaults"] == {"run": {"working-directory": folder}}


def test_init_scim_from_live_reports_only_what_it_wrote(idc: IdcRunner, tmp_path: Path) -> None:
    repo = tmp_path / "scim"
    result = idc("--sim", "init", "--scim", "--from-live", str(repo))
    assert result.exit_code == 0, result.output
    assert (
        f"adopted into {repo / 'desired'}: 5 permission sets, 39 assignments "
        "(users, groups and memberships are the IdP's: not written)\n"
    ) in result.stderr
    assert "users.yaml" not in result.stderr and "groups.yaml" not in result.stderr
    assert "  wrote desired/assignments/ReadOnly.yaml\n" in result.stderr


def test_init_writes_the_diff_driver_and_says_how_to_enable_it(
    idc: IdcRunner, tmp_path: Path
) -> None:
    assert idc("init", str(tmp_path)).exit_code == 0
    assert (tmp_path / ".gitattributes").read_text() == "state/** diff=idc\n"
    (tmp_path / ".gitattributes").write_text("*.png binary")
    settings = tmp_path / "idc.yaml"
    settings.write_text(settings.read_text() + "encryption:\n  key: env:K\n  fields: [emails]\n")
    again = idc("init", str(tmp_path))
    assert again.exit_code == 0, again.output
    assert (
        (tmp_path / ".gitattributes")
        .read_text()
        .endswith("*.png binary\n# idc: readable diffs of encrypted fields\nstate/** diff=idc\n")
    )
    assert "appended the idc diff driver to .gitattributes" in again.stderr
    assert 'git config diff.idc.textconv "idc decrypt --textconv"' in again.stderr
