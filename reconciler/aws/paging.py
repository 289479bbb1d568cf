"""The one paginator helper: boto3 paginators, largest pages, read to the end.

Every list in idc goes through `paginate`, so every list is read completely:
botocore's paginator follows NextToken until it is null and keeps going over
the empty pages Organizations documents ("can occasionally return an empty set
of results even when more results are available"). We only choose the page
size: the maximum each service accepts (docs/aws.md#paging), because at a
collective 20 TPS the number of pages IS the read time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore import xform_name

from reconciler.aws.errors import aws_call

# Largest MaxResults per service (sso-admin and identitystore 100, Organizations 20).
MAX_PAGE_SIZE: dict[str, int] = {
    "sso-admin": 100,
    "identitystore": 100,
    "organizations": 20,
}


def page_size(service: str) -> int:
    return MAX_PAGE_SIZE.get(service, 100)


def _service_name(client: Any) -> str:
    return str(client.meta.service_model.service_name)


def _accepts_page_size(client: Any, operation: str) -> bool:
    """ListTagsForResource has no MaxResults: botocore refuses a PageSize there."""
    model = client.meta.service_model.operation_model(operation)
    return "MaxResults" in model.input_shape.members


def paginate(
    client: Any, operation: str, result_key: str, resource: str, **params: Any
) -> Iterator[Any]:
    """Yield every item under `result_key` of every page of `operation`.

    `operation` is the API name ("ListUsers"); `resource` names what is being
    listed for error messages ("identity store d-123", "group Platform").
    Errors become AwsError (see aws.errors) whether they happen on the first
    page or the tenth.
    """
    config = (
        {"PageSize": page_size(_service_name(client))}
        if _accepts_page_size(client, operation)
        else {}
    )
    with aws_call(operation, resource):
        pages = client.get_paginator(xform_name(operation)).paginate(
            **params, PaginationConfig=config
        )
        for page in pages:
            yield from page.get(result_key) or ()


def list_all(
    client: Any, operation: str, result_key: str, resource: str, **params: Any
) -> list[Any]:
    """`paginate` into a list (the common case)."""
    return list(paginate(client, operation, result_key, resource, **params))


def call(client: Any, operation: str, resource: str, **params: Any) -> dict[str, Any]:
    """One non-paginated call, errors translated like `paginate`'s."""
    with aws_call(operation, resource):
        result: dict[str, Any] = getattr(client, xform_name(operation))(**params)
    return result
