"""The S3 calls of exported backups: upload, download, list, delete.

Uploads go through boto3's managed transfer (`upload_file`), which switches
to a multipart upload above `MULTIPART_BYTES` and aborts the parts of an
upload that failed, so a large file never needs to fit in memory and a
failed one leaves no visible object. Downloads stream into a file object.
Server-side encryption is asked for per object (`--sse`); transport is the
HTTPS boto3 uses by default. Every failure becomes an AwsError naming the
call, the s3:// URL and AWS's reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlparse

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from reconciler.aws.clients import AwsSession
from reconciler.aws.errors import aws_call, error_code, to_aws_error
from reconciler.errors import AwsError, InputError

MULTIPART_BYTES = 8 * 1024 * 1024
SSE_MODES = ("AES256", "aws:kms")
DELETE_BATCH = 1000  # DeleteObjects' limit
MISSING_BUCKET_CODES = frozenset({"NoSuchBucket", "404", "NotFound"})
MISSING_KEY_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def parse_s3_prefix(url: str) -> tuple[str, str]:
    """s3://bucket[/prefix] -> (bucket, prefix ending in "/" or "")."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise InputError(f"an S3 target looks like s3://BUCKET/PREFIX, got {url!r}")
    prefix = parsed.path.strip("/")
    return parsed.netloc, f"{prefix}/" if prefix else ""


@dataclass(frozen=True)
class ServerSideEncryption:
    """`--sse` and `--sse-kms-key-id`: how S3 encrypts the objects it stores."""

    mode: str | None = None
    kms_key_id: str | None = None

    def __post_init__(self) -> None:
        if self.mode is not None and self.mode not in SSE_MODES:
            raise InputError(f"--sse must be one of {', '.join(SSE_MODES)}, got {self.mode!r}")
        if self.kms_key_id and self.mode != "aws:kms":
            raise InputError("--sse-kms-key-id needs --sse aws:kms")

    def extra_args(self) -> dict[str, str]:
        args: dict[str, str] = {}
        if self.mode:
            args["ServerSideEncryption"] = self.mode
        if self.kms_key_id:
            args["SSEKMSKeyId"] = self.kms_key_id
        return args


class S3Objects:
    """Objects under one bucket, through one session's shared S3 client."""

    def __init__(self, session: AwsSession, bucket: str) -> None:
        self.session = session
        self.bucket = bucket

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def _s3(self) -> Any:
        return self.session.client("s3")

    def check_bucket(self, prefix: str) -> None:
        """AwsError saying so when the bucket does not exist or cannot be
        listed under `prefix`. A one-key listing rather than HeadBucket, so
        a role limited to its prefix (s3:prefix condition) passes."""
        where = f"s3://{self.bucket}/{prefix}"
        try:
            self._s3().list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=1)
        except ClientError as exc:
            if error_code(exc) in MISSING_BUCKET_CODES:
                raise AwsError(
                    "ListObjectsV2",
                    where,
                    "the bucket does not exist (create it, or check the name and region)",
                    "NoSuchBucket",
                ) from exc
            raise to_aws_error(exc, "ListObjectsV2", where) from exc
        except BotoCoreError as exc:
            raise to_aws_error(exc, "ListObjectsV2", where) from exc

    def upload(
        self,
        path: Path,
        key: str,
        sse: ServerSideEncryption,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        extra: dict[str, Any] = dict(sse.extra_args())
        if metadata:
            extra["Metadata"] = dict(metadata)
        config = TransferConfig(multipart_threshold=MULTIPART_BYTES, use_threads=False)
        with aws_call("PutObject", self.url(key)):
            self._s3().upload_file(str(path), self.bucket, key, ExtraArgs=extra, Config=config)

    def download(self, key: str, dst: BinaryIO) -> bool:
        """Stream the object into `dst`; False when there is no such key."""
        config = TransferConfig(multipart_threshold=MULTIPART_BYTES, use_threads=False)
        try:
            self._s3().download_fileobj(self.bucket, key, dst, Config=config)
        except ClientError as exc:
            if error_code(exc) in MISSING_KEY_CODES:
                return False
            raise to_aws_error(exc, "GetObject", self.url(key)) from exc
        except BotoCoreError as exc:
            raise to_aws_error(exc, "GetObject", self.url(key)) from exc
        return True

    def exists(self, key: str) -> bool:
        try:
            self._s3().head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in MISSING_KEY_CODES:
                return False
            raise to_aws_error(exc, "HeadObject", self.url(key)) from exc
        except BotoCoreError as exc:
            raise to_aws_error(exc, "HeadObject", self.url(key)) from exc
        return True

    def folders(self, prefix: str) -> list[str]:
        """The names of the "folders" directly under `prefix`."""
        names: list[str] = []
        with aws_call("ListObjectsV2", self.url(prefix)):
            pages = self._s3().get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
                for common in page.get("CommonPrefixes") or ():
                    names.append(str(common["Prefix"])[len(prefix) :].rstrip("/"))
        return sorted(names)

    def objects(self, prefix: str) -> Iterator[tuple[str, int]]:
        """(key, size) of every object under `prefix`."""
        with aws_call("ListObjectsV2", self.url(prefix)):
            pages = self._s3().get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents") or ():
                    yield str(item["Key"]), int(item["Size"])

    def delete(self, keys: list[str]) -> None:
        """Delete `keys` in the order given, in batches DeleteObjects accepts."""
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            with aws_call("DeleteObjects", self.url(batch[0])):
                response = self._s3().delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
            errors = response.get("Errors") or ()
            if errors:
                first = errors[0]
                raise AwsError(
                    "DeleteObjects",
                    self.url(str(first.get("Key", ""))),
                    str(first.get("Message", "")),
                    str(first.get("Code", "")),
                )
