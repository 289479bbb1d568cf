"""S3 conditional writes made atomic, as S3 makes them.

moto (5.2.1) understands `If-None-Match: *` and `If-Match` on PutObject and
`If-Match` on DeleteObject, but checks the condition and then writes as two
steps: two requests served at once (`idc sim serve` answers each on its own
thread) can both pass the check, so two racing applies would both get the S3
lock. S3 decides each conditional write atomically, one winner per version.
Serializing moto's put and delete handlers restores that.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.s3.responses import S3Response

_writes = threading.Lock()


def _atomic(handler: Any) -> Any:
    @functools.wraps(handler)
    def serialized(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _writes:
            return handler(self, *args, **kwargs)

    return serialized


def install() -> None:
    """Called once by reconciler.sim.patches.install."""
    for name in ("put_object", "delete_object"):
        setattr(S3Response, name, _atomic(getattr(S3Response, name)))
