from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.project import Project
from ...models.project_update import ProjectUpdate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    uid: UUID,
    *,
    body: ProjectUpdate,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    if not isinstance(x_request_id, Unset):
        headers["x-request-id"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/projects/{uid}".format(
            uid=quote(str(uid), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | Project | None:
    if response.status_code == 200:
        response_200 = Project.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = HTTPError.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = HTTPError.from_dict(response.json())

        return response_412

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
) -> Response[HTTPError | HTTPValidationError | Project]:
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
    body: ProjectUpdate,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | Project]:
    """Change a project

     Fields present are changed, fields absent are kept, and `null` clears `description` and `parent_id`
    (making the project a top-level one). The body is validated before the project is looked up. A new
    parent must exist and keep the tree at most 10 levels deep (422 at `parent_id`); the project itself
    or one of its sub-projects as its parent is a 409 naming the loop. A change grows `version` by one;
    a PATCH that changes nothing keeps it.

    Args:
        uid (UUID):
        if_match (None | str | Unset):
        x_request_id (str | Unset):
        body (ProjectUpdate): A change to a project: properties present are changed, properties
            absent are kept, and `null` clears `description` and `parent_id` (`null` for the others is
            a 422). `name` is an alias of `title`, `parent_project_id` of `parent_id` (not both). A
            property not listed here is a 422 (`extra_forbidden`). Example: {'description': None,
            'status': 'completed'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | Project]
    """

    kwargs = _get_kwargs(
        uid=uid,
        body=body,
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
    body: ProjectUpdate,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | Project | None:
    """Change a project

     Fields present are changed, fields absent are kept, and `null` clears `description` and `parent_id`
    (making the project a top-level one). The body is validated before the project is looked up. A new
    parent must exist and keep the tree at most 10 levels deep (422 at `parent_id`); the project itself
    or one of its sub-projects as its parent is a 409 naming the loop. A change grows `version` by one;
    a PATCH that changes nothing keeps it.

    Args:
        uid (UUID):
        if_match (None | str | Unset):
        x_request_id (str | Unset):
        body (ProjectUpdate): A change to a project: properties present are changed, properties
            absent are kept, and `null` clears `description` and `parent_id` (`null` for the others is
            a 422). `name` is an alias of `title`, `parent_project_id` of `parent_id` (not both). A
            property not listed here is a 422 (`extra_forbidden`). Example: {'description': None,
            'status': 'completed'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | Project
    """

    return sync_detailed(
        uid=uid,
        client=client,
        body=body,
        if_match=if_match,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: ProjectUpdate,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | Project]:
    """Change a project

     Fields present are changed, fields absent are kept, and `null` clears `description` and `parent_id`
    (making the project a top-level one). The body is validated before the project is looked up. A new
    parent must exist and keep the tree at most 10 levels deep (422 at `parent_id`); the project itself
    or one of its sub-projects as its parent is a 409 naming the loop. A change grows `version` by one;
    a PATCH that changes nothing keeps it.

    Args:
        uid (UUID):
        if_match (None | str | Unset):
        x_request_id (str | Unset):
        body (ProjectUpdate): A change to a project: properties present are changed, properties
            absent are kept, and `null` clears `description` and `parent_id` (`null` for the others is
            a 422). `name` is an alias of `title`, `parent_project_id` of `parent_id` (not both). A
            property not listed here is a 422 (`extra_forbidden`). Example: {'description': None,
            'status': 'completed'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | Project]
    """

    kwargs = _get_kwargs(
        uid=uid,
        body=body,
        if_match=if_match,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: ProjectUpdate,
    if_match: None | str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | Project | None:
    """Change a project

     Fields present are changed, fields absent are kept, and `null` clears `description` and `parent_id`
    (making the project a top-level one). The body is validated before the project is looked up. A new
    parent must exist and keep the tree at most 10 levels deep (422 at `parent_id`); the project itself
    or one of its sub-projects as its parent is a 409 naming the loop. A change grows `version` by one;
    a PATCH that changes nothing keeps it.

    Args:
        uid (UUID):
        if_match (None | str | Unset):
        x_request_id (str | Unset):
        body (ProjectUpdate): A change to a project: properties present are changed, properties
            absent are kept, and `null` clears `description` and `parent_id` (`null` for the others is
            a 422). `name` is an alias of `title`, `parent_project_id` of `parent_id` (not both). A
            property not listed here is a 422 (`extra_forbidden`). Example: {'description': None,
            'status': 'completed'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | Project
    """

    return (
        await asyncio_detailed(
            uid=uid,
            client=client,
            body=body,
            if_match=if_match,
            x_request_id=x_request_id,
        )
    ).parsed
