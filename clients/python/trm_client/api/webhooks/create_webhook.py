from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.webhook_create import WebhookCreate
from ...models.webhook_created import WebhookCreated
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: WebhookCreate,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/webhooks",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | WebhookCreated | None:
    if response.status_code == 201:
        response_201 = WebhookCreated.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = HTTPError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = HTTPError.from_dict(response.json())

        return response_403

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
) -> Response[HTTPError | HTTPValidationError | WebhookCreated]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WebhookCreate,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | WebhookCreated]:
    """Subscribe a webhook

     Subscribes a URL to the events committed from now on (all, or the `event_types` named). Each
    delivery is a `POST` of the event's JSON with the Standard Webhooks headers `webhook-id`, `webhook-
    timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` keyed
    with the secret), plus `x-trm-event`. At least once, in log order; retried with backoff; the
    answer's `secret` is shown only here.

    Args:
        x_request_id (str | Unset):
        body (WebhookCreate): A new subscription. It receives the events committed after its
            creation, signed per the Standard Webhooks specification with the secret of the answer
            (shown only there). Example: {'description': 'agents', 'event_types': ['task.created'],
            'url': 'https://hooks.example.com/trm'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | WebhookCreated]
    """

    kwargs = _get_kwargs(
        body=body,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: WebhookCreate,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | WebhookCreated | None:
    """Subscribe a webhook

     Subscribes a URL to the events committed from now on (all, or the `event_types` named). Each
    delivery is a `POST` of the event's JSON with the Standard Webhooks headers `webhook-id`, `webhook-
    timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` keyed
    with the secret), plus `x-trm-event`. At least once, in log order; retried with backoff; the
    answer's `secret` is shown only here.

    Args:
        x_request_id (str | Unset):
        body (WebhookCreate): A new subscription. It receives the events committed after its
            creation, signed per the Standard Webhooks specification with the secret of the answer
            (shown only there). Example: {'description': 'agents', 'event_types': ['task.created'],
            'url': 'https://hooks.example.com/trm'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | WebhookCreated
    """

    return sync_detailed(
        client=client,
        body=body,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WebhookCreate,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | WebhookCreated]:
    """Subscribe a webhook

     Subscribes a URL to the events committed from now on (all, or the `event_types` named). Each
    delivery is a `POST` of the event's JSON with the Standard Webhooks headers `webhook-id`, `webhook-
    timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` keyed
    with the secret), plus `x-trm-event`. At least once, in log order; retried with backoff; the
    answer's `secret` is shown only here.

    Args:
        x_request_id (str | Unset):
        body (WebhookCreate): A new subscription. It receives the events committed after its
            creation, signed per the Standard Webhooks specification with the secret of the answer
            (shown only there). Example: {'description': 'agents', 'event_types': ['task.created'],
            'url': 'https://hooks.example.com/trm'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | WebhookCreated]
    """

    kwargs = _get_kwargs(
        body=body,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: WebhookCreate,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | WebhookCreated | None:
    """Subscribe a webhook

     Subscribes a URL to the events committed from now on (all, or the `event_types` named). Each
    delivery is a `POST` of the event's JSON with the Standard Webhooks headers `webhook-id`, `webhook-
    timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` keyed
    with the secret), plus `x-trm-event`. At least once, in log order; retried with backoff; the
    answer's `secret` is shown only here.

    Args:
        x_request_id (str | Unset):
        body (WebhookCreate): A new subscription. It receives the events committed after its
            creation, signed per the Standard Webhooks specification with the secret of the answer
            (shown only there). Example: {'description': 'agents', 'event_types': ['task.created'],
            'url': 'https://hooks.example.com/trm'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | WebhookCreated
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_request_id=x_request_id,
        )
    ).parsed
