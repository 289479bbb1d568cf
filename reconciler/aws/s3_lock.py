"""The S3 lock object's conditional operations, so applies from different
machines never interleave.

S3 conditional writes make this a real lock without a lock service:
`PutObject` with `IfNoneMatch='*'` succeeds for exactly one writer when the
key is absent; `PutObject` and `DeleteObject` with `IfMatch=<ETag>` succeed
only while the object is still the version that writer read. Everyone else
gets 412 PreconditionFailed (or 409 ConditionalRequestConflict while another
conditional write to the key is in flight), which each method here answers
as "not yours" instead of an error. What a lease means (expiry, renewal,
take-over) is decided above, in reconciler.apply.lease.

The body is JSON naming the holder; the ETag names the version, and every
write of a holder's body differs (it carries the expiry), so an ETag seen
once identifies one write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.aws.clients import AwsSession
from reconciler.aws.errors import error_code, to_aws_error
from reconciler.errors import InputError

# The object was written or deleted by someone else since it was read.
LOST_RACE_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})
MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def parse_s3_url(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    key = parsed.path.lstrip("/")
    if parsed.scheme != "s3" or not parsed.netloc or not key:
        raise InputError(f"lock.s3 must look like s3://bucket/key, got {url!r}")
    return parsed.netloc, key


@dataclass(frozen=True)
class LockObject:
    """One version of the lock object: its body (empty if unreadable) and ETag."""

    body: dict[str, Any]
    etag: str


class S3LockStore:
    """Conditional reads and writes of the object at `url` (s3://bucket/key)."""

    def __init__(self, session: AwsSession, url: str) -> None:
        self.session = session
        self.url = url
        self.bucket, self.key = parse_s3_url(url)

    def read(self) -> LockObject | None:
        """The current version, or None when there is no lock object."""
        try:
            response = self._s3().get_object(Bucket=self.bucket, Key=self.key)
            raw = response["Body"].read()
        except ClientError as exc:
            if error_code(exc) in MISSING_CODES:
                return None
            raise to_aws_error(exc, "s3:GetObject", self.url) from exc
        except BotoCoreError as exc:
            raise to_aws_error(exc, "s3:GetObject", self.url) from exc
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        return LockObject(body if isinstance(body, dict) else {}, str(response.get("ETag", "")))

    def create(self, body: dict[str, Any]) -> str | None:
        """Write the object if there is none; its ETag, or None if one exists."""
        return self._put(body, IfNoneMatch="*")

    def replace(self, body: dict[str, Any], etag: str) -> str | None:
        """Overwrite version `etag`; the new ETag, or None if it is not current."""
        return self._put(body, IfMatch=etag)

    def delete(self, etag: str) -> bool:
        """Delete version `etag`; False if the object is another version or gone."""
        try:
            self._s3().delete_object(Bucket=self.bucket, Key=self.key, IfMatch=etag)
        except ClientError as exc:
            if error_code(exc) in LOST_RACE_CODES or error_code(exc) in MISSING_CODES:
                return False
            raise to_aws_error(exc, "s3:DeleteObject", self.url) from exc
        except BotoCoreError as exc:
            raise to_aws_error(exc, "s3:DeleteObject", self.url) from exc
        return True

    def _put(self, body: dict[str, Any], **condition: str) -> str | None:
        data = json.dumps(body, sort_keys=True).encode("utf-8")
        try:
            response = self._s3().put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=data,
                ContentType="application/json",
                **condition,
            )
        except ClientError as exc:
            code = error_code(exc)
            if code in LOST_RACE_CODES or ("IfMatch" in condition and code in MISSING_CODES):
                return None
            raise to_aws_error(exc, "s3:PutObject", self.url) from exc
        except BotoCoreError as exc:
            raise to_aws_error(exc, "s3:PutObject", self.url) from exc
        return str(response.get("ETag", ""))

    def _s3(self) -> Any:
        return self.session.client("s3")
