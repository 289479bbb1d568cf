"""KMS Decrypt answering a mismatched KeyId as AWS does.

AWS's Decrypt reference: when the KeyId of the request does not identify
the KMS key the ciphertext was encrypted under, the request is rejected with
IncorrectKeyException (400). moto (5.2.1) answers AccessDeniedException
instead, which would send a user with the wrong key to fix IAM permissions.
"""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.kms.models import KmsBackend
from moto.kms.utils import decrypt


class IncorrectKeyException(JsonRESTError):
    code = 400

    def __init__(self) -> None:
        super().__init__(
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.",
        )


def _decrypt(
    self: Any,
    ciphertext_blob: bytes,
    encryption_context: dict[str, str],
    key_id: str | None = None,
) -> tuple[bytes, str]:
    plaintext, actual_key_id = decrypt(
        master_keys=self.keys,
        ciphertext_blob=ciphertext_blob,
        encryption_context=encryption_context,
    )
    if key_id is not None and self.any_id_to_key_id(key_id) != actual_key_id:
        raise IncorrectKeyException()
    return plaintext, self.keys[actual_key_id].arn


def install() -> None:
    """Called once by reconciler.sim.patches.install."""
    KmsBackend.decrypt = _decrypt  # type: ignore[method-assign]
