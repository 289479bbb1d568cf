"""AWS-shaped error responses for the simulator.

Every error the simulator raises serialises the way the real service does
for the awsJson protocols: `__type` carries the code botocore maps to an
exception class, plus the extra members the service model declares
(`Reason`, `ResourceType`, `RetryAfterSeconds`, ...), so product code sees
exactly what it would see from AWS.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.exceptions import JsonRESTError


class SimAwsError(JsonRESTError):
    """A service error with an HTTP status and optional extra body members."""

    def __init__(self, code: str, message: str, status: int = 400, **fields: Any) -> None:
        super().__init__(code, message)
        self.code = status
        body: dict[str, Any] = {"__type": code, "Message": message, "message": message}
        body.update({k: v for k, v in fields.items() if v is not None})
        self.description = json.dumps(body)

    def as_response(self) -> tuple[int, dict[str, str], str]:
        """(status, headers, body) as moto's dispatch returns them."""
        return self.code, dict(self.get_headers()), self.get_body()


def validation(message: str) -> SimAwsError:
    return SimAwsError("ValidationException", message)


def conflict(message: str, reason: str | None = None) -> SimAwsError:
    return SimAwsError("ConflictException", message, Reason=reason)


def not_found(message: str, resource_type: str | None = None, resource_id: str | None = None):
    return SimAwsError(
        "ResourceNotFoundException", message, ResourceType=resource_type, ResourceId=resource_id
    )


def quota(message: str) -> SimAwsError:
    return SimAwsError("ServiceQuotaExceededException", message)


def throttling(service: str, operation: str) -> SimAwsError:
    """sso-admin and identitystore reject over-limit calls with HTTP 400
    ThrottlingException; identitystore adds RetryAfterSeconds."""
    message = f"Rate exceeded for {operation}"
    if service == "identitystore":
        return SimAwsError("ThrottlingException", message, RetryAfterSeconds=1)
    return SimAwsError("ThrottlingException", message)


def too_many_requests(operation: str) -> SimAwsError:
    """Organizations' throttling shape (it has no ThrottlingException)."""
    return SimAwsError(
        "TooManyRequestsException",
        f"AWS Organizations can't complete your request because {operation} is being "
        "called too frequently. Try again later.",
        Type="TooManyRequestsException",
    )
