from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.event_response import EventResponse
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    uid: str,
    *,
    limit: int | Unset = UNSET,
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

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/users/{uid}/history".format(
            uid=quote(str(uid), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | list[EventResponse] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = EventResponse.from_dict(response_200_item_data)

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[HTTPError | HTTPValidationError | list[EventResponse]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    uid: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[EventResponse]]:
    """A user's history

     Every retained event about the user, oldest first, paged by `Link: rel="next"`; still answered after
    the user was deleted.

    Args:
        uid (str):
        limit (int | Unset):
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[EventResponse]]
    """

    kwargs = _get_kwargs(
        uid=uid,
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
    uid: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[EventResponse] | None:
    """A user's history

     Every retained event about the user, oldest first, paged by `Link: rel="next"`; still answered after
    the user was deleted.

    Args:
        uid (str):
        limit (int | Unset):
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[EventResponse]
    """

    return sync_detailed(
        uid=uid,
        client=client,
        limit=limit,
        cursor=cursor,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    ).parsed


async def asyncio_detailed(
    uid: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[EventResponse]]:
    """A user's history

     Every retained event about the user, oldest first, paged by `Link: rel="next"`; still answered after
    the user was deleted.

    Args:
        uid (str):
        limit (int | Unset):
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[EventResponse]]
    """

    kwargs = _get_kwargs(
        uid=uid,
        limit=limit,
        cursor=cursor,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    uid: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[EventResponse] | None:
    """A user's history

     Every retained event about the user, oldest first, paged by `Link: rel="next"`; still answered after
    the user was deleted.

    Args:
        uid (str):
        limit (int | Unset):
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[EventResponse]
    """

    return (
        await asyncio_detailed(
            uid=uid,
            client=client,
            limit=limit,
            cursor=cursor,
            x_request_id=x_request_id,
            x_trm_bookmark=x_trm_bookmark,
        )
    ).parsed
