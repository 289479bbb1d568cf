"""A lock object in S3, so applies from different machines never interleave.

S3 conditional writes make this a real lock: `PutObject` with
`IfNoneMatch='*'` succeeds for exactly one writer when the key is absent
and fails with 412 PreconditionFailed for everyone else. The object's body
names the holder, so the refusal can say who holds it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.aws.clients import AwsSession
from reconciler.aws.errors import error_code, to_aws_error
from reconciler.errors import IdcError, InputError


class S3LockHeldError(IdcError):
    """The S3 lock object exists: another apply (on some machine) holds it."""


def parse_s3_url(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    key = parsed.path.lstrip("/")
    if parsed.scheme != "s3" or not parsed.netloc or not key:
        raise InputError(f"lock.s3 must look like s3://bucket/key, got {url!r}")
    return parsed.netloc, key


class S3Lock:
    def __init__(self, session: AwsSession, url: str) -> None:
        self.session = session
        self.url = url
        self.bucket, self.key = parse_s3_url(url)
        self.etag: str | None = None

    def acquire(self, holder: dict[str, Any]) -> None:
        """Create the lock object, or raise S3LockHeldError naming its holder."""
        body = json.dumps(holder, sort_keys=True).encode("utf-8")
        s3 = self.session.client("s3")
        try:
            response = s3.put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=body,
                IfNoneMatch="*",
                ContentType="application/json",
            )
        except ClientError as exc:
            if error_code(exc) in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise S3LockHeldError(
                    f"another apply holds the S3 lock {self.url}: {self._describe_holder()}; "
                    "wait for it to finish (if it died, delete the lock object)"
                ) from exc
            raise to_aws_error(exc, "s3:PutObject", self.url) from exc
        except BotoCoreError as exc:
            raise to_aws_error(exc, "s3:PutObject", self.url) from exc
        self.etag = response.get("ETag")

    def release(self) -> None:
        """Delete the lock object if it is still the one we wrote."""
        if self.etag is None:
            return
        s3 = self.session.client("s3")
        try:
            current = s3.head_object(Bucket=self.bucket, Key=self.key).get("ETag")
            if current == self.etag:
                s3.delete_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            if error_code(exc) not in ("404", "NoSuchKey", "NotFound"):
                raise to_aws_error(exc, "s3:DeleteObject", self.url) from exc
        except BotoCoreError as exc:
            raise to_aws_error(exc, "s3:DeleteObject", self.url) from exc
        finally:
            self.etag = None

    def _describe_holder(self) -> str:
        try:
            body = self.session.client("s3").get_object(Bucket=self.bucket, Key=self.key)["Body"]
            holder = json.loads(body.read())
            text = (
                f"pid {holder.get('pid')} of {holder.get('user')} on {holder.get('host')} "
                f"since {holder.get('time')}"
            )
            return text + (f", journal {holder['journal']}" if holder.get("journal") else "")
        except (ClientError, BotoCoreError, ValueError, KeyError):
            return "holder unknown (the lock object is unreadable)"
