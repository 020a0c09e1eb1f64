from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.event_response import EventResponse
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = UNSET,
    event_type: list[str] | Unset = UNSET,
    entity_type: str | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    after: UUID | Unset = UNSET,
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

    json_event_type: list[str] | Unset = UNSET
    if not isinstance(event_type, Unset):
        json_event_type = event_type

    params["event_type"] = json_event_type

    params["entity_type"] = entity_type

    params["entity_id"] = entity_id

    params["cursor"] = cursor

    json_after: str | Unset = UNSET
    if not isinstance(after, Unset):
        json_after = str(after)
    params["after"] = json_after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/events/history",
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
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    event_type: list[str] | Unset = UNSET,
    entity_type: str | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    after: UUID | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[EventResponse]]:
    """The durable event log

     Every retained event (`TRM__EVENTS__RETENTION_DAYS`, default 30), newest first, paged by the `Link:
    rel="next"` header. With `after=<event_id>`: the events after that one, oldest first, for tailing
    (from the oldest retained when the id is no longer held); the next page's link carries the last
    event's id.

    Args:
        limit (int | Unset):
        event_type (list[str] | Unset):
        entity_type (str | Unset):
        entity_id (str | Unset):
        cursor (str | Unset):
        after (UUID | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[EventResponse]]
    """

    kwargs = _get_kwargs(
        limit=limit,
        event_type=event_type,
        entity_type=entity_type,
        entity_id=entity_id,
        cursor=cursor,
        after=after,
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
    limit: int | Unset = UNSET,
    event_type: list[str] | Unset = UNSET,
    entity_type: str | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    after: UUID | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[EventResponse] | None:
    """The durable event log

     Every retained event (`TRM__EVENTS__RETENTION_DAYS`, default 30), newest first, paged by the `Link:
    rel="next"` header. With `after=<event_id>`: the events after that one, oldest first, for tailing
    (from the oldest retained when the id is no longer held); the next page's link carries the last
    event's id.

    Args:
        limit (int | Unset):
        event_type (list[str] | Unset):
        entity_type (str | Unset):
        entity_id (str | Unset):
        cursor (str | Unset):
        after (UUID | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[EventResponse]
    """

    return sync_detailed(
        client=client,
        limit=limit,
        event_type=event_type,
        entity_type=entity_type,
        entity_id=entity_id,
        cursor=cursor,
        after=after,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    event_type: list[str] | Unset = UNSET,
    entity_type: str | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    after: UUID | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[EventResponse]]:
    """The durable event log

     Every retained event (`TRM__EVENTS__RETENTION_DAYS`, default 30), newest first, paged by the `Link:
    rel="next"` header. With `after=<event_id>`: the events after that one, oldest first, for tailing
    (from the oldest retained when the id is no longer held); the next page's link carries the last
    event's id.

    Args:
        limit (int | Unset):
        event_type (list[str] | Unset):
        entity_type (str | Unset):
        entity_id (str | Unset):
        cursor (str | Unset):
        after (UUID | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[EventResponse]]
    """

    kwargs = _get_kwargs(
        limit=limit,
        event_type=event_type,
        entity_type=entity_type,
        entity_id=entity_id,
        cursor=cursor,
        after=after,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    event_type: list[str] | Unset = UNSET,
    entity_type: str | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    after: UUID | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[EventResponse] | None:
    """The durable event log

     Every retained event (`TRM__EVENTS__RETENTION_DAYS`, default 30), newest first, paged by the `Link:
    rel="next"` header. With `after=<event_id>`: the events after that one, oldest first, for tailing
    (from the oldest retained when the id is no longer held); the next page's link carries the last
    event's id.

    Args:
        limit (int | Unset):
        event_type (list[str] | Unset):
        entity_type (str | Unset):
        entity_id (str | Unset):
        cursor (str | Unset):
        after (UUID | Unset):
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
            client=client,
            limit=limit,
            event_type=event_type,
            entity_type=entity_type,
            entity_id=entity_id,
            cursor=cursor,
            after=after,
            x_request_id=x_request_id,
            x_trm_bookmark=x_trm_bookmark,
        )
    ).parsed
