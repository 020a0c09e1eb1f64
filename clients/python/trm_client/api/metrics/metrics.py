from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/metrics",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if response.status_code == 500:
        response_500 = HTTPError.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[HTTPError | HTTPValidationError | str]:
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
) -> Response[HTTPError | HTTPValidationError | str]:
    """Prometheus metrics

     Every metric of this instance in the Prometheus text exposition format (version 0.0.4). The
    application's are named `trm_…`: `trm_http_requests_total{method,route,status}` and
    `trm_http_request_duration_seconds{method,route}` (the route *template*, `unmatched` for paths no
    route serves; duration up to the response head),
    `trm_store_operation_duration_seconds{store,operation}`,
    `trm_store_operation_errors_total{store,operation,kind}`,
    `trm_store_pool_connections_in_use{store}`, `trm_store_pool_size{store}` and
    `trm_build_info{version,commit}`. On Linux, the standard process metrics follow
    (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`,
    `process_open_fds`, `process_max_fds`, `process_start_time_seconds`).

    Args:
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | str]
    """

    kwargs = _get_kwargs(
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | str | None:
    """Prometheus metrics

     Every metric of this instance in the Prometheus text exposition format (version 0.0.4). The
    application's are named `trm_…`: `trm_http_requests_total{method,route,status}` and
    `trm_http_request_duration_seconds{method,route}` (the route *template*, `unmatched` for paths no
    route serves; duration up to the response head),
    `trm_store_operation_duration_seconds{store,operation}`,
    `trm_store_operation_errors_total{store,operation,kind}`,
    `trm_store_pool_connections_in_use{store}`, `trm_store_pool_size{store}` and
    `trm_build_info{version,commit}`. On Linux, the standard process metrics follow
    (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`,
    `process_open_fds`, `process_max_fds`, `process_start_time_seconds`).

    Args:
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | str
    """

    return sync_detailed(
        client=client,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | str]:
    """Prometheus metrics

     Every metric of this instance in the Prometheus text exposition format (version 0.0.4). The
    application's are named `trm_…`: `trm_http_requests_total{method,route,status}` and
    `trm_http_request_duration_seconds{method,route}` (the route *template*, `unmatched` for paths no
    route serves; duration up to the response head),
    `trm_store_operation_duration_seconds{store,operation}`,
    `trm_store_operation_errors_total{store,operation,kind}`,
    `trm_store_pool_connections_in_use{store}`, `trm_store_pool_size{store}` and
    `trm_build_info{version,commit}`. On Linux, the standard process metrics follow
    (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`,
    `process_open_fds`, `process_max_fds`, `process_start_time_seconds`).

    Args:
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | str]
    """

    kwargs = _get_kwargs(
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | str | None:
    """Prometheus metrics

     Every metric of this instance in the Prometheus text exposition format (version 0.0.4). The
    application's are named `trm_…`: `trm_http_requests_total{method,route,status}` and
    `trm_http_request_duration_seconds{method,route}` (the route *template*, `unmatched` for paths no
    route serves; duration up to the response head),
    `trm_store_operation_duration_seconds{store,operation}`,
    `trm_store_operation_errors_total{store,operation,kind}`,
    `trm_store_pool_connections_in_use{store}`, `trm_store_pool_size{store}` and
    `trm_build_info{version,commit}`. On Linux, the standard process metrics follow
    (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`,
    `process_open_fds`, `process_max_fds`, `process_start_time_seconds`).

    Args:
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | str
    """

    return (
        await asyncio_detailed(
            client=client,
            x_request_id=x_request_id,
        )
    ).parsed
