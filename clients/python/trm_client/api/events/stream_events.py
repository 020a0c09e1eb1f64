from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.event_response import EventResponse
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    event_type: list[str] | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    if not isinstance(x_trm_bookmark, Unset):
        headers["X-TRM-Bookmark"] = x_trm_bookmark

    params: dict[str, Any] = {}

    json_event_type: list[str] | Unset = UNSET
    if not isinstance(event_type, Unset):
        json_event_type = event_type

    params["event_type"] = json_event_type

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/events",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EventResponse | HTTPError | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = EventResponse.from_dict(response.text)

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
) -> Response[EventResponse | HTTPError | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    event_type: list[str] | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[EventResponse | HTTPError | HTTPValidationError]:
    """Stream domain events (Server-Sent Events)

     A `text/event-stream` of every domain event committed from now on, by any instance sharing the
    store, in the log's order: each as `id: <event_id>`, `event: <event_type>`, `data: <the event as
    JSON>`. Comment lines keep the connection alive. Send `Last-Event-ID` to first receive every
    retained event after that one, from the durable log (from the oldest retained when the id is no
    longer there), then the live feed, none twice.

    Args:
        event_type (list[str] | Unset):
        last_event_id (None | str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EventResponse | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        event_type=event_type,
        last_event_id=last_event_id,
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
    event_type: list[str] | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> EventResponse | HTTPError | HTTPValidationError | None:
    """Stream domain events (Server-Sent Events)

     A `text/event-stream` of every domain event committed from now on, by any instance sharing the
    store, in the log's order: each as `id: <event_id>`, `event: <event_type>`, `data: <the event as
    JSON>`. Comment lines keep the connection alive. Send `Last-Event-ID` to first receive every
    retained event after that one, from the durable log (from the oldest retained when the id is no
    longer there), then the live feed, none twice.

    Args:
        event_type (list[str] | Unset):
        last_event_id (None | str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EventResponse | HTTPError | HTTPValidationError
    """

    return sync_detailed(
        client=client,
        event_type=event_type,
        last_event_id=last_event_id,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    event_type: list[str] | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[EventResponse | HTTPError | HTTPValidationError]:
    """Stream domain events (Server-Sent Events)

     A `text/event-stream` of every domain event committed from now on, by any instance sharing the
    store, in the log's order: each as `id: <event_id>`, `event: <event_type>`, `data: <the event as
    JSON>`. Comment lines keep the connection alive. Send `Last-Event-ID` to first receive every
    retained event after that one, from the durable log (from the oldest retained when the id is no
    longer there), then the live feed, none twice.

    Args:
        event_type (list[str] | Unset):
        last_event_id (None | str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EventResponse | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        event_type=event_type,
        last_event_id=last_event_id,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    event_type: list[str] | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> EventResponse | HTTPError | HTTPValidationError | None:
    """Stream domain events (Server-Sent Events)

     A `text/event-stream` of every domain event committed from now on, by any instance sharing the
    store, in the log's order: each as `id: <event_id>`, `event: <event_type>`, `data: <the event as
    JSON>`. Comment lines keep the connection alive. Send `Last-Event-ID` to first receive every
    retained event after that one, from the durable log (from the oldest retained when the id is no
    longer there), then the live feed, none twice.

    Args:
        event_type (list[str] | Unset):
        last_event_id (None | str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EventResponse | HTTPError | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            client=client,
            event_type=event_type,
            last_event_id=last_event_id,
            x_request_id=x_request_id,
            x_trm_bookmark=x_trm_bookmark,
        )
    ).parsed
