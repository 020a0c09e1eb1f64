from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.task_at_depth import TaskAtDepth
from ...types import UNSET, Response, Unset


def _get_kwargs(
    uid: UUID,
    *,
    depth: int | Unset = 1,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    if not isinstance(x_trm_bookmark, Unset):
        headers["X-TRM-Bookmark"] = x_trm_bookmark

    params: dict[str, Any] = {}

    params["depth"] = depth

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/tasks/{uid}/dependents".format(
            uid=quote(str(uid), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | list[TaskAtDepth] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = TaskAtDepth.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    if response.status_code == 401:
        response_401 = HTTPError.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = HTTPError.from_dict(response.json())

        return response_404

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
) -> Response[HTTPError | HTTPValidationError | list[TaskAtDepth]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    depth: int | Unset = 1,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[TaskAtDepth]]:
    """List a task's dependents

     The tasks waiting for this task — those it blocks, those they block, and so on, up to `depth` edges
    away — each once at its smallest depth, ordered by depth, then oldest first (`created_at`, then
    `uid`).

    Args:
        uid (UUID):
        depth (int | Unset):  Default: 1.
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[TaskAtDepth]]
    """

    kwargs = _get_kwargs(
        uid=uid,
        depth=depth,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    depth: int | Unset = 1,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[TaskAtDepth] | None:
    """List a task's dependents

     The tasks waiting for this task — those it blocks, those they block, and so on, up to `depth` edges
    away — each once at its smallest depth, ordered by depth, then oldest first (`created_at`, then
    `uid`).

    Args:
        uid (UUID):
        depth (int | Unset):  Default: 1.
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[TaskAtDepth]
    """

    return sync_detailed(
        uid=uid,
        client=client,
        depth=depth,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    ).parsed


async def asyncio_detailed(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    depth: int | Unset = 1,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[TaskAtDepth]]:
    """List a task's dependents

     The tasks waiting for this task — those it blocks, those they block, and so on, up to `depth` edges
    away — each once at its smallest depth, ordered by depth, then oldest first (`created_at`, then
    `uid`).

    Args:
        uid (UUID):
        depth (int | Unset):  Default: 1.
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[TaskAtDepth]]
    """

    kwargs = _get_kwargs(
        uid=uid,
        depth=depth,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    depth: int | Unset = 1,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[TaskAtDepth] | None:
    """List a task's dependents

     The tasks waiting for this task — those it blocks, those they block, and so on, up to `depth` edges
    away — each once at its smallest depth, ordered by depth, then oldest first (`created_at`, then
    `uid`).

    Args:
        uid (UUID):
        depth (int | Unset):  Default: 1.
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[TaskAtDepth]
    """

    return (
        await asyncio_detailed(
            uid=uid,
            client=client,
            depth=depth,
            x_request_id=x_request_id,
            x_trm_bookmark=x_trm_bookmark,
        )
    ).parsed
