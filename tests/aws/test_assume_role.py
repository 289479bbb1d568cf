"""Acting as another role: assumed at the first call, renewed by botocore."""

from __future__ import annotations

from reconciler.aws.clients import AwsSession
from reconciler.sim import Simulator

ROLE = "arn:aws:iam::123456789012:role/idc-apply"


def test_an_assumed_role_session_calls_aws_as_that_role() -> None:
    with Simulator():
        session = AwsSession(role_arn=ROLE, external_id="ext-1")
        identity = session.caller_identity()
        assert identity["arn"] == "arn:aws:sts::123456789012:assumed-role/idc-apply/idc"
        assert session.client("sso-admin").list_instances()["Instances"] is not None
        # the credentials are botocore's refreshable kind, not a one-shot copy
        credentials = session.client("sts")._request_signer._credentials
        assert credentials.method == "assume-role" and hasattr(credentials, "refresh_needed")
