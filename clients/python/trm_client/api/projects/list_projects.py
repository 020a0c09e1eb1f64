from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.project import Project
from ...models.project_status import ProjectStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    status: ProjectStatus | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    if not isinstance(x_trm_bookmark, Unset):
        headers["X-TRM-Bookmark"] = x_trm_bookmark

    params: dict[str, Any] = {}

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params["parent_id"] = parent_id

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/projects/",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | list[Project] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = Project.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    if response.status_code == 401:
        response_401 = HTTPError.from_dict(response.json())

        return response_401

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
) -> Response[HTTPError | HTTPValidationError | list[Project]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    status: ProjectStatus | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[Project]]:
    """List projects

     One page of the projects, optionally in one status and under one parent (its direct sub-projects),
    oldest first (by `created_at`, then `uid`), as a JSON array. When more follow, a `Link` header names
    the next page.

    Args:
        status (ProjectStatus | Unset): Where a project is in its life. Always written as one of
            the canonical values listed in `enum`. On input the EnumAdapter normalizes the spelling:
            case, spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`,
            `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value). Any other value is
            a 422 whose message lists the accepted values.
        parent_id (str | Unset):
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[Project]]
    """

    kwargs = _get_kwargs(
        status=status,
        parent_id=parent_id,
        limit=limit,
        cursor=cursor,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    status: ProjectStatus | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[Project] | None:
    """List projects

     One page of the projects, optionally in one status and under one parent (its direct sub-projects),
    oldest first (by `created_at`, then `uid`), as a JSON array. When more follow, a `Link` header names
    the next page.

    Args:
        status (ProjectStatus | Unset): Where a project is in its life. Always written as one of
            the canonical values listed in `enum`. On input the EnumAdapter normalizes the spelling:
            case, spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`,
            `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value). Any other value is
            a 422 whose message lists the accepted values.
        parent_id (str | Unset):
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[Project]
    """

    return sync_detailed(
        client=client,
        status=status,
        parent_id=parent_id,
        limit=limit,
        cursor=cursor,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    status: ProjectStatus | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[Project]]:
    """List projects

     One page of the projects, optionally in one status and under one parent (its direct sub-projects),
    oldest first (by `created_at`, then `uid`), as a JSON array. When more follow, a `Link` header names
    the next page.

    Args:
        status (ProjectStatus | Unset): Where a project is in its life. Always written as one of
            the canonical values listed in `enum`. On input the EnumAdapter normalizes the spelling:
            case, spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`,
            `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value). Any other value is
            a 422 whose message lists the accepted values.
        parent_id (str | Unset):
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[Project]]
    """

    kwargs = _get_kwargs(
        status=status,
        parent_id=parent_id,
        limit=limit,
        cursor=cursor,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    status: ProjectStatus | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[Project] | None:
    """List projects

     One page of the projects, optionally in one status and under one parent (its direct sub-projects),
    oldest first (by `created_at`, then `uid`), as a JSON array. When more follow, a `Link` header names
    the next page.

    Args:
        status (ProjectStatus | Unset): Where a project is in its life. Always written as one of
            the canonical values listed in `enum`. On input the EnumAdapter normalizes the spelling:
            case, spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`,
            `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value). Any other value is
            a 422 whose message lists the accepted values.
        parent_id (str | Unset):
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[Project]
    """

    return (
        await asyncio_detailed(
            client=client,
            status=status,
            parent_id=parent_id,
            limit=limit,
            cursor=cursor,
            x_request_id=x_request_id,
            x_trm_bookmark=x_trm_bookmark,
        )
    ).parsed
