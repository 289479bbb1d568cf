"""The two AWS KMS calls of envelope encryption: make a data key, unwrap one.

KMS never sees the data: it generates a 256-bit data key under the user's
KMS key (GenerateDataKey) and later turns the wrapped copy stored beside the
ciphertext back into the key (Decrypt). The encryption context binds a
wrapped key to its purpose, so a backup's data key cannot be passed off as
the key of the personal fields in state/ (KMS refuses a different context).
"""

from __future__ import annotations

from reconciler.aws.clients import AwsSession
from reconciler.aws.errors import aws_call

DATA_KEY_BYTES = 32
# Codes meaning "this blob does not open with this key", not an outage.
WRONG_KEY_CODES = frozenset(
    {"IncorrectKeyException", "InvalidCiphertextException", "InvalidKeyUsageException"}
)


def generate_data_key(
    session: AwsSession, key_id: str, context: dict[str, str]
) -> tuple[bytes, bytes]:
    """(plaintext data key, the blob KMS can decrypt it from) under `key_id`."""
    with aws_call("GenerateDataKey", key_id):
        response = session.client("kms").generate_data_key(
            KeyId=key_id, NumberOfBytes=DATA_KEY_BYTES, EncryptionContext=context
        )
    return bytes(response["Plaintext"]), bytes(response["CiphertextBlob"])


def decrypt_data_key(
    session: AwsSession, key_id: str, blob: bytes, context: dict[str, str]
) -> bytes:
    """The data key `blob` wraps; KeyId is passed so KMS refuses a blob made
    under any other key (IncorrectKeyException) instead of silently using it."""
    with aws_call("Decrypt", key_id):
        response = session.client("kms").decrypt(
            CiphertextBlob=blob, KeyId=key_id, EncryptionContext=context
        )
    return bytes(response["Plaintext"])
