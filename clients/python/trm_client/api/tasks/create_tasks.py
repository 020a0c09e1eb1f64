from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.task import Task
from ...models.task_bulk_create import TaskBulkCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TaskBulkCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/tasks/bulk",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | list[Task] | None:
    if response.status_code == 201:
        response_201 = []
        _response_201 = response.json()
        for response_201_item_data in _response_201:
            response_201_item = Task.from_dict(response_201_item_data)

            response_201.append(response_201_item)

        return response_201

    if response.status_code == 401:
        response_401 = HTTPError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = HTTPError.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = HTTPError.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = HTTPError.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = HTTPError.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = HTTPError.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = HTTPError.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = HTTPError.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[HTTPError | HTTPValidationError | list[Task]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TaskBulkCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[Task]]:
    """Create many tasks at once

     Creates 1 to 1,000 tasks in one transaction, all or none, for imports. Each item is a body as
    for `POST /api/v1/tasks/`, and items may name different projects. A 422 lists every problem
    of every item at `["body", "tasks", i, …]` and writes nothing. Each created task
    publishes its own `task.created` event. The body may be up to 56,000 KiB (the one route
    allowed past 1 MiB).

    Args:
        idempotency_key (None | str | Unset):
        x_request_id (str | Unset):
        body (TaskBulkCreate): Tasks to create at once, all or none: 1 to 1,000 bodies as for
            `POST /api/v1/tasks/`. Every problem of every item is reported in one 422, at `["body",
            "tasks", i, …]`. Example: {'tasks': [{'status': 'todo', 'title': 'Import the backlog'},
            {'priority': 'high', 'tags': ['import'], 'title': 'Review the import'}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[Task]]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: TaskBulkCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[Task] | None:
    """Create many tasks at once

     Creates 1 to 1,000 tasks in one transaction, all or none, for imports. Each item is a body as
    for `POST /api/v1/tasks/`, and items may name different projects. A 422 lists every problem
    of every item at `["body", "tasks", i, …]` and writes nothing. Each created task
    publishes its own `task.created` event. The body may be up to 56,000 KiB (the one route
    allowed past 1 MiB).

    Args:
        idempotency_key (None | str | Unset):
        x_request_id (str | Unset):
        body (TaskBulkCreate): Tasks to create at once, all or none: 1 to 1,000 bodies as for
            `POST /api/v1/tasks/`. Every problem of every item is reported in one 422, at `["body",
            "tasks", i, …]`. Example: {'tasks': [{'status': 'todo', 'title': 'Import the backlog'},
            {'priority': 'high', 'tags': ['import'], 'title': 'Review the import'}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[Task]
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TaskBulkCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[Task]]:
    """Create many tasks at once

     Creates 1 to 1,000 tasks in one transaction, all or none, for imports. Each item is a body as
    for `POST /api/v1/tasks/`, and items may name different projects. A 422 lists every problem
    of every item at `["body", "tasks", i, …]` and writes nothing. Each created task
    publishes its own `task.created` event. The body may be up to 56,000 KiB (the one route
    allowed past 1 MiB).

    Args:
        idempotency_key (None | str | Unset):
        x_request_id (str | Unset):
        body (TaskBulkCreate): Tasks to create at once, all or none: 1 to 1,000 bodies as for
            `POST /api/v1/tasks/`. Every problem of every item is reported in one 422, at `["body",
            "tasks", i, …]`. Example: {'tasks': [{'status': 'todo', 'title': 'Import the backlog'},
            {'priority': 'high', 'tags': ['import'], 'title': 'Review the import'}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[Task]]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TaskBulkCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[Task] | None:
    """Create many tasks at once

     Creates 1 to 1,000 tasks in one transaction, all or none, for imports. Each item is a body as
    for `POST /api/v1/tasks/`, and items may name different projects. A 422 lists every problem
    of every item at `["body", "tasks", i, …]` and writes nothing. Each created task
    publishes its own `task.created` event. The body may be up to 56,000 KiB (the one route
    allowed past 1 MiB).

    Args:
        idempotency_key (None | str | Unset):
        x_request_id (str | Unset):
        body (TaskBulkCreate): Tasks to create at once, all or none: 1 to 1,000 bodies as for
            `POST /api/v1/tasks/`. Every problem of every item is reported in one 422, at `["body",
            "tasks", i, …]`. Example: {'tasks': [{'status': 'todo', 'title': 'Import the backlog'},
            {'priority': 'high', 'tags': ['import'], 'title': 'Review the import'}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[Task]
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            x_request_id=x_request_id,
        )
    ).parsed
