"""reconciler.aws.errors: botocore's failures as errors that say what to do."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoRegionError,
    ProfileNotFound,
)

from reconciler.aws.errors import as_idc_error, to_aws_error
from reconciler.errors import AwsError, InputError


def _client_error(code: str, message: str, operation: str, status: int = 400) -> ClientError:
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)  # type: ignore[arg-type]


def test_a_denied_write_points_at_the_apply_policy() -> None:
    exc = _client_error("AccessDeniedException", "denied", "CreateAccountAssignment")
    error = to_aws_error(exc, "CreateAccountAssignment", "assignment X")
    assert "the caller needs sso:CreateAccountAssignment" in str(error)
    assert "`idc iam-policy apply`" in str(error)
    assert error.refused  # a 403 proves nothing was done, as before


def test_an_operation_of_two_services_names_both_actions() -> None:
    exc = _client_error("AccessDeniedException", "denied", "ListTagsForResource")
    error = to_aws_error(exc, "ListTagsForResource", "account 1")
    assert "organizations:ListTagsForResource or sso:ListTagsForResource" in str(error)


def test_other_codes_keep_aws_words_only() -> None:
    exc = _client_error("ConflictException", "already exists", "CreateGroup")
    assert str(to_aws_error(exc, "CreateGroup", "group g")) == (
        "CreateGroup on group g failed: ConflictException: already exists"
    )


def test_a_failure_outside_any_call_has_no_empty_resource() -> None:
    """What escapes every aws_call still reads as a sentence: `X failed: ...`."""
    error = as_idc_error(_client_error("ExpiredToken", "expired", "GetCallerIdentity"))
    assert isinstance(error, AwsError)
    assert str(error).startswith("GetCallerIdentity failed: ExpiredToken: expired; ")
    assert "on  failed" not in str(AwsError("X", "", "why"))


def test_region_and_profile_problems_are_bad_input() -> None:
    region = as_idc_error(NoRegionError())
    assert isinstance(region, InputError)
    assert str(region).startswith("no AWS region: pass --region REGION")
    profile = as_idc_error(ProfileNotFound(profile="ops"))
    assert isinstance(profile, InputError) and "'ops'" in str(profile)
    assert as_idc_error(ValueError("x")) is None


def test_a_denied_lock_object_points_at_the_apply_policy() -> None:
    exc = _client_error("AccessDenied", "Access Denied", "PutObject", status=403)
    error = to_aws_error(exc, "s3:PutObject", "s3://locks/idc.lock")
    assert str(error) == (
        "s3:PutObject on s3://locks/idc.lock failed: AccessDenied: Access Denied; the caller "
        "needs s3:PutObject; `idc iam-policy apply` prints the IAM policy that grants what "
        "apply needs"
    )


def test_an_unreachable_endpoint_names_the_setting_that_chose_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exc = EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert "AWS_ENDPOINT_URL" not in str(to_aws_error(exc, "ListInstances", "Identity Center"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    error = to_aws_error(exc, "ListInstances", "Identity Center")
    assert str(error).endswith("AWS_ENDPOINT_URL is set; is that endpoint running?")
    assert error.refused  # never sent
