from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    uid: UUID,
    *,
    cascade: bool | Unset = False,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    params: dict[str, Any] = {}

    params["cascade"] = cascade

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v1/projects/{uid}".format(
            uid=quote(str(uid), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | HTTPError | HTTPValidationError | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 401:
        response_401 = HTTPError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = HTTPError.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = HTTPError.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = HTTPError.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = HTTPError.from_dict(response.json())

        return response_412

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
) -> Response[Any | HTTPError | HTTPValidationError]:
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
    cascade: bool | Unset = False,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Any | HTTPError | HTTPValidationError]:
    """Delete a project

     Deletes the project. One that still has tasks or sub-projects is a 409, unless `cascade=true`, which
    deletes its whole subtree (its sub-projects at every depth) and the tasks of all of them, in the
    same transaction. Each task outside that lost a deleted task as a blocker gets a version bump and a
    `task.updated` event.

    Args:
        uid (UUID):
        cascade (bool | Unset):  Default: False.
        if_match (None | str | Unset):
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        uid=uid,
        cascade=cascade,
        if_match=if_match,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    cascade: bool | Unset = False,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Any | HTTPError | HTTPValidationError | None:
    """Delete a project

     Deletes the project. One that still has tasks or sub-projects is a 409, unless `cascade=true`, which
    deletes its whole subtree (its sub-projects at every depth) and the tasks of all of them, in the
    same transaction. Each task outside that lost a deleted task as a blocker gets a version bump and a
    `task.updated` event.

    Args:
        uid (UUID):
        cascade (bool | Unset):  Default: False.
        if_match (None | str | Unset):
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPError | HTTPValidationError
    """

    return sync_detailed(
        uid=uid,
        client=client,
        cascade=cascade,
        if_match=if_match,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    cascade: bool | Unset = False,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Any | HTTPError | HTTPValidationError]:
    """Delete a project

     Deletes the project. One that still has tasks or sub-projects is a 409, unless `cascade=true`, which
    deletes its whole subtree (its sub-projects at every depth) and the tasks of all of them, in the
    same transaction. Each task outside that lost a deleted task as a blocker gets a version bump and a
    `task.updated` event.

    Args:
        uid (UUID):
        cascade (bool | Unset):  Default: False.
        if_match (None | str | Unset):
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        uid=uid,
        cascade=cascade,
        if_match=if_match,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    cascade: bool | Unset = False,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Any | HTTPError | HTTPValidationError | None:
    """Delete a project

     Deletes the project. One that still has tasks or sub-projects is a 409, unless `cascade=true`, which
    deletes its whole subtree (its sub-projects at every depth) and the tasks of all of them, in the
    same transaction. Each task outside that lost a deleted task as a blocker gets a version bump and a
    `task.updated` event.

    Args:
        uid (UUID):
        cascade (bool | Unset):  Default: False.
        if_match (None | str | Unset):
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPError | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            uid=uid,
            client=client,
            cascade=cascade,
            if_match=if_match,
            x_request_id=x_request_id,
        )
    ).parsed
