from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.project import Project
from ...models.project_create import ProjectCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ProjectCreate,
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
        "url": "/api/v1/projects/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | Project | None:
    if response.status_code == 201:
        response_201 = Project.from_dict(response.json())

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
) -> Response[HTTPError | HTTPValidationError | Project]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ProjectCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | Project]:
    """Create a project

     Creates a project at version 1, optionally as a sub-project of `parent_id` (alias
    `parent_project_id`), which must exist; projects nest at most 10 levels deep.

    Args:
        idempotency_key (None | str | Unset):
        x_request_id (str | Unset):
        body (ProjectCreate): A new project. `title` (or its alias `name`, not both) is required,
            the rest optional; `parent_project_id` is an alias of `parent_id` (not both). A property
            not listed here is a 422 (`extra_forbidden`). Example: {'description': 'Everything for the
            launch', 'parent_id': '3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f', 'status': 'on_hold',
            'title': 'Launch'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | Project]
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
    body: ProjectCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | Project | None:
    """Create a project

     Creates a project at version 1, optionally as a sub-project of `parent_id` (alias
    `parent_project_id`), which must exist; projects nest at most 10 levels deep.

    Args:
        idempotency_key (None | str | Unset):
        x_request_id (str | Unset):
        body (ProjectCreate): A new project. `title` (or its alias `name`, not both) is required,
            the rest optional; `parent_project_id` is an alias of `parent_id` (not both). A property
            not listed here is a 422 (`extra_forbidden`). Example: {'description': 'Everything for the
            launch', 'parent_id': '3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f', 'status': 'on_hold',
            'title': 'Launch'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | Project
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
    body: ProjectCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | Project]:
    """Create a project

     Creates a project at version 1, optionally as a sub-project of `parent_id` (alias
    `parent_project_id`), which must exist; projects nest at most 10 levels deep.

    Args:
        idempotency_key (None | str | Unset):
        x_request_id (str | Unset):
        body (ProjectCreate): A new project. `title` (or its alias `name`, not both) is required,
            the rest optional; `parent_project_id` is an alias of `parent_id` (not both). A property
            not listed here is a 422 (`extra_forbidden`). Example: {'description': 'Everything for the
            launch', 'parent_id': '3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f', 'status': 'on_hold',
            'title': 'Launch'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | Project]
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
    body: ProjectCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | Project | None:
    """Create a project

     Creates a project at version 1, optionally as a sub-project of `parent_id` (alias
    `parent_project_id`), which must exist; projects nest at most 10 levels deep.

    Args:
        idempotency_key (None | str | Unset):
        x_request_id (str | Unset):
        body (ProjectCreate): A new project. `title` (or its alias `name`, not both) is required,
            the rest optional; `parent_project_id` is an alias of `parent_id` (not both). A property
            not listed here is a 422 (`extra_forbidden`). Example: {'description': 'Everything for the
            launch', 'parent_id': '3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f', 'status': 'on_hold',
            'title': 'Launch'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | Project
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            x_request_id=x_request_id,
        )
    ).parsed
