from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.overview import Overview
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    if not isinstance(x_trm_bookmark, Unset):
        headers["X-TRM-Bookmark"] = x_trm_bookmark

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/overview",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | Overview | None:
    if response.status_code == 200:
        response_200 = Overview.from_dict(response.json())

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
) -> Response[HTTPError | HTTPValidationError | Overview]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | Overview]:
    """Overview: counts and the newest tasks

     Task counts by status (every status, zeros included), the numbers of tasks, projects and users, and
    the ten newest tasks, newest first. The parts are read concurrently; if one fails, the whole request
    fails.

    Args:
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | Overview]
    """

    kwargs = _get_kwargs(
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
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | Overview | None:
    """Overview: counts and the newest tasks

     Task counts by status (every status, zeros included), the numbers of tasks, projects and users, and
    the ten newest tasks, newest first. The parts are read concurrently; if one fails, the whole request
    fails.

    Args:
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | Overview
    """

    return sync_detailed(
        client=client,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | Overview]:
    """Overview: counts and the newest tasks

     Task counts by status (every status, zeros included), the numbers of tasks, projects and users, and
    the ten newest tasks, newest first. The parts are read concurrently; if one fails, the whole request
    fails.

    Args:
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | Overview]
    """

    kwargs = _get_kwargs(
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | Overview | None:
    """Overview: counts and the newest tasks

     Task counts by status (every status, zeros included), the numbers of tasks, projects and users, and
    the ten newest tasks, newest first. The parts are read concurrently; if one fails, the whole request
    fails.

    Args:
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | Overview
    """

    return (
        await asyncio_detailed(
            client=client,
            x_request_id=x_request_id,
            x_trm_bookmark=x_trm_bookmark,
        )
    ).parsed
