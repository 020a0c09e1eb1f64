from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.webhook import Webhook
from ...models.webhook_update import WebhookUpdate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: str,
    *,
    body: WebhookUpdate,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/webhooks/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | Webhook | None:
    if response.status_code == 200:
        response_200 = Webhook.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = HTTPError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = HTTPError.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = HTTPError.from_dict(response.json())

        return response_404

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
) -> Response[HTTPError | HTTPValidationError | Webhook]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookUpdate,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | Webhook]:
    """Change a webhook

     Changes `url`, `event_types`, `description` or `active`. Re-activating a subscription disabled by an
    exhausted retry schedule resumes with the event that exhausted it, then every event after it, in
    order.

    Args:
        id (str):
        x_request_id (str | Unset):
        body (WebhookUpdate): A change to a subscription: properties present are changed, absent
            are kept; `null` clears `description`. `"active": true` re-activates a disabled
            subscription, which resumes with the event that exhausted its retry schedule. Example:
            {'active': True}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | Webhook]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookUpdate,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | Webhook | None:
    """Change a webhook

     Changes `url`, `event_types`, `description` or `active`. Re-activating a subscription disabled by an
    exhausted retry schedule resumes with the event that exhausted it, then every event after it, in
    order.

    Args:
        id (str):
        x_request_id (str | Unset):
        body (WebhookUpdate): A change to a subscription: properties present are changed, absent
            are kept; `null` clears `description`. `"active": true` re-activates a disabled
            subscription, which resumes with the event that exhausted its retry schedule. Example:
            {'active': True}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | Webhook
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookUpdate,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | Webhook]:
    """Change a webhook

     Changes `url`, `event_types`, `description` or `active`. Re-activating a subscription disabled by an
    exhausted retry schedule resumes with the event that exhausted it, then every event after it, in
    order.

    Args:
        id (str):
        x_request_id (str | Unset):
        body (WebhookUpdate): A change to a subscription: properties present are changed, absent
            are kept; `null` clears `description`. `"active": true` re-activates a disabled
            subscription, which resumes with the event that exhausted its retry schedule. Example:
            {'active': True}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | Webhook]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookUpdate,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | Webhook | None:
    """Change a webhook

     Changes `url`, `event_types`, `description` or `active`. Re-activating a subscription disabled by an
    exhausted retry schedule resumes with the event that exhausted it, then every event after it, in
    order.

    Args:
        id (str):
        x_request_id (str | Unset):
        body (WebhookUpdate): A change to a subscription: properties present are changed, absent
            are kept; `null` clears `description`. `"active": true` re-activates a disabled
            subscription, which resumes with the event that exhausted its retry schedule. Example:
            {'active': True}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | Webhook
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            x_request_id=x_request_id,
        )
    ).parsed
