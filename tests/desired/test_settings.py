"""idc.yaml: defaults, every field read, protect globs, key specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.desired.schema import load_schema
from reconciler.desired.settings import ENCRYPTABLE_FIELDS, EncryptionKey, Settings, load_settings
from reconciler.errors import InputError


def test_minimal_settings_take_spec_defaults(tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text("instance: auto\n")
    settings = load_settings(tmp_path)
    assert settings == Settings()
    assert settings.safety.max_deletes == 25
    assert "users" in settings.manage and "assignment" in settings.manage
    assert not settings.accounts.include_management
    assert settings.encryption_key is None


def test_empty_settings_file_means_defaults(tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text("# all defaults\n")
    assert load_settings(tmp_path) == Settings()


def test_every_field_is_read(tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text(
        "instance: arn:aws:sso:::instance/ssoins-6804a1b2c3d4e5f6\n"
        "region: eu-central-1\n"
        "manage: {users: false, groups: false, memberships: false}\n"
        "safety: {max_deletes: 3, protect: ['group:BreakGlass']}\n"
        "accounts: {include_suspended: true, include_management: true}\n"
        "encryption: {key: 'kms:alias/idc'}\n"
    )
    settings = load_settings(tmp_path)
    assert settings.instance == "arn:aws:sso:::instance/ssoins-6804a1b2c3d4e5f6"
    assert settings.region == "eu-central-1"
    assert settings.manage.scim
    assert "membership" not in settings.manage and "permission_sets" in settings.manage
    assert settings.safety.max_deletes == 3
    assert settings.accounts.include_suspended and settings.accounts.include_management
    assert settings.encryption_key == EncryptionKey("kms", "alias/idc")


def test_missing_settings_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_settings(tmp_path)
    (problem,) = caught.value.diagnostics
    assert problem.path == "idc.yaml"
    assert "idc init" in problem.message


def test_negative_max_deletes_is_located(tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text("safety:\n  max_deletes: -1\n")
    with pytest.raises(InputError) as caught:
        load_settings(tmp_path)
    assert [str(d) for d in caught.value.diagnostics] == [
        "idc.yaml:2:3: safety.max_deletes: must be at least 0, got -1"
    ]


@pytest.mark.parametrize(
    ("key_text", "protected"),
    [
        ("assignment:AdministratorAccess:GROUP:BreakGlass:111111111111", True),
        ("assignment:AdministratorAccess:GROUP:Platform:111111111111", False),
        ("group:BreakGlass", True),
        ("group:breakglass", False),
        ("user:breakglass@example.com", False),
    ],
)
def test_protect_globs(key_text: str, protected: bool) -> None:
    settings = Settings.from_doc(
        {
            "safety": {
                "protect": ["assignment:AdministratorAccess:group:BreakGlass:*", "group:BreakGlass"]
            }
        }
    )
    assert (settings.safety.protected(key_text) is not None) is protected


def test_encryption_key_parse() -> None:
    assert EncryptionKey.parse("env:IDC_KEY") == EncryptionKey("env", "IDC_KEY")
    assert str(EncryptionKey.parse("file:keys/a.key")) == "file:keys/a.key"
    with pytest.raises(ValueError, match="env:NAME"):
        EncryptionKey.parse("vault:x")


def test_the_s3_lock_lease_defaults_to_15_minutes_and_is_at_least_a_minute(
    tmp_path: Path,
) -> None:
    settings = tmp_path / "idc.yaml"
    settings.write_text("lock:\n  s3: s3://b/locks/apply.lock\n")
    assert load_settings(tmp_path).lock_lease_seconds == 900
    settings.write_text("lock:\n  s3: s3://b/locks/apply.lock\n  lease_seconds: 120\n")
    loaded = load_settings(tmp_path)
    assert (loaded.lock_s3, loaded.lock_lease_seconds) == ("s3://b/locks/apply.lock", 120)
    settings.write_text("lock:\n  s3: s3://b/locks/apply.lock\n  lease_seconds: 5\n")
    with pytest.raises(InputError, match=r"idc\.yaml:3"):
        load_settings(tmp_path)


def test_encryption_fields_and_key_location(tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text(
        "region: eu-west-1\nencryption:\n  fields: [phone_numbers, emails]\n  key: env:IDC_KEY\n"
    )
    settings = load_settings(tmp_path)
    assert settings.encryption_fields == ("emails", "phone_numbers")  # schema order
    assert str(settings.encryption_location) == "idc.yaml:4:3"
    assert set(ENCRYPTABLE_FIELDS) == set(
        load_schema("settings")["properties"]["encryption"]["properties"]["fields"]["items"]["enum"]
    )


def test_unknown_encrypted_field_is_located(tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text("encryption:\n  key: env:K\n  fields: [emails, password]\n")
    with pytest.raises(InputError, match=r"^idc.yaml:3:\d+: .*password"):
        load_settings(tmp_path)
