"""A new user's AWS configuration problems end in a plain error saying what to
do, never "unexpected": run as a user would, without --sim, with the AWS
configuration in temporary files (conftest blocks real AWS); problems AWS
itself reports come from the in-process simulator's faults."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sim import FaultRule, Realism, Simulator, seed_demo
from tests.conftest import IdcRunner

NO_INSTANCE = "no such Identity Center instance in this account and region"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory, as a new user runs idc: hints then carry no --repo."""
    (tmp_path / "idc.yaml").write_text("instance: auto\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """The demo organization in eu-west-1, reached by `idc` without --sim."""
    with Simulator() as sim:
        seed_demo(sim)
        yield sim


def assert_plain(result_stderr: str) -> None:
    assert "unexpected" not in result_stderr
    assert "Traceback" not in result_stderr
    assert "error: :" not in result_stderr


def test_no_region_says_where_to_set_one(idc: IdcRunner, repo: Path, no_region: None) -> None:
    result = idc("accounts")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: no AWS region: pass --region REGION or set `region:` in idc.yaml"
    )
    assert_plain(result.stderr)


def test_region_of_idc_yaml_is_used_and_region_option_overrides_it(
    idc: IdcRunner, repo: Path, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo instance lives in eu-west-1 only (other regions have other,
    empty instances): whether a command finds it tells which region it read."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the AWS chain says us-east-1
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    (repo / "idc.yaml").write_text(f"instance: {sim.instance_arn}\n")
    assert NO_INSTANCE in idc("accounts").stderr

    (repo / "idc.yaml").write_text(f"instance: {sim.instance_arn}\nregion: {sim.region}\n")
    read = idc("accounts")
    assert read.exit_code == 0, read.output
    assert "11 accounts" in read.stdout

    overridden = idc("--region", "us-east-1", "accounts")
    assert overridden.exit_code == 1
    assert NO_INSTANCE in overridden.stderr


def test_region_option_is_checked_like_idc_yaml_before_any_call(idc: IdcRunner, repo: Path) -> None:
    result = idc("--region", "Europe", "accounts")
    assert result.exit_code == 1
    assert "'Europe' is not an AWS region name (like eu-west-1 or us-east-1)" in result.stderr
    (repo / "idc.yaml").write_text("region: Europe\n")
    in_yaml = idc("validate")
    assert in_yaml.exit_code == 1 and "idc.yaml:1:" in in_yaml.stderr


@pytest.mark.parametrize("how", ["option", "env"])
def test_unknown_profile_names_it_and_where_profiles_live(
    idc: IdcRunner, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[profile dev]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    if how == "env":
        monkeypatch.setenv("AWS_PROFILE", "prod")
        result = idc("accounts")
    else:
        result = idc("--profile", "prod", "accounts")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no AWS profile 'prod' in the AWS config")
    assert "--profile or AWS_PROFILE" in result.stderr
    assert_plain(result.stderr)


def test_sim_ignores_the_profile(idc: IdcRunner, repo: Path) -> None:
    result = idc("--sim", "--profile", "no-such-profile", "accounts")
    assert result.exit_code == 0, result.output
    assert "profile" not in result.stderr


@pytest.fixture
def no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No keys in the environment, no instance metadata, an empty AWS home."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    config = home / ".aws" / "config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return config


def test_no_credentials_says_how_to_provide_them(
    idc: IdcRunner, repo: Path, no_credentials: Path
) -> None:
    result = idc("--region", "eu-west-1", "accounts")
    assert result.exit_code == 1
    assert "no AWS credentials found: pass --profile NAME" in result.stderr
    assert "AWS_ACCESS_KEY_ID" in result.stderr
    assert_plain(result.stderr)


def test_sso_profile_without_login_says_to_log_in(
    idc: IdcRunner, repo: Path, no_credentials: Path
) -> None:
    no_credentials.write_text(
        "[profile admin]\nsso_session = corp\nsso_account_id = 123456789012\n"
        "sso_role_name = Admin\nregion = eu-west-1\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
    )
    result = idc("--profile", "admin", "accounts")
    assert result.exit_code == 1
    assert "run `aws sso login`" in result.stderr
    assert_plain(result.stderr)


def _fail(sim: Simulator, operation: str, code: str, message: str) -> None:
    rule = FaultRule(operation, code=code, status=400, message=message, permanent=True)
    sim.realism = Realism(faults=[rule])


def test_access_denied_names_action_resource_and_the_policy_command(
    idc: IdcRunner, repo: Path, sim: Simulator
) -> None:
    _fail(
        sim,
        "identitystore:ListUsers",
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
        "identitystore:ListUsers on resource: arn:aws:identitystore::123456789012:"
        f"identitystore/{sim.identity_store_id}",
    )
    result = idc("snapshot", "--no-commit")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: ListUsers on identity store {sim.identity_store_id} failed")
    assert "the caller needs identitystore:ListUsers" in line
    assert "`idc iam-policy snapshot`" in line
    assert_plain(result.stderr)


def test_access_denied_without_the_action_in_aws_words_still_names_it(
    idc: IdcRunner, repo: Path, sim: Simulator
) -> None:
    _fail(sim, "sso-admin:ListInstances", "AccessDeniedException", "Access denied")
    result = idc("accounts")
    assert result.exit_code == 1
    assert "ListInstances on Identity Center failed: AccessDeniedException" in result.stderr
    assert "the caller needs sso:ListInstances; `idc iam-policy" in result.stderr
    assert_plain(result.stderr)


@pytest.mark.parametrize("code", ["ExpiredTokenException", "ExpiredToken", "RequestExpired"])
def test_expired_credentials_say_to_refresh_them(
    idc: IdcRunner, repo: Path, sim: Simulator, code: str
) -> None:
    _fail(sim, "sso-admin:ListInstances", code, "The security token included is expired")
    result = idc("accounts")
    assert result.exit_code == 1
    assert "the AWS credentials have expired: refresh them" in result.stderr
    assert_plain(result.stderr)


def test_rejected_credentials_say_to_check_them(idc: IdcRunner, repo: Path, sim: Simulator) -> None:
    _fail(sim, "sso-admin:ListInstances", "UnrecognizedClientException", "bad token")
    result = idc("accounts")
    assert result.exit_code == 1
    assert "AWS does not accept these credentials" in result.stderr
    assert_plain(result.stderr)


def test_sim_ignores_regions_too(idc: IdcRunner, repo: Path) -> None:
    """The simulator is one region; a region meant for AWS must not empty it."""
    (repo / "idc.yaml").write_text("instance: auto\nregion: us-west-2\n")
    result = idc("--sim", "--region", "ap-south-1", "accounts")
    assert result.exit_code == 0, result.output
    assert "11 accounts" in result.stdout
