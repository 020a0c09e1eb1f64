import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.task import Task
from ...models.task_sort import TaskSort
from ...models.task_status import TaskStatus
from ...models.task_type import TaskType
from ...types import UNSET, Response, Unset


def _get_kwargs(
    uid: UUID,
    *,
    project_id: str | Unset = UNSET,
    status: list[TaskStatus] | Unset = UNSET,
    task_type: TaskType | Unset = UNSET,
    assignee_id: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    sort: TaskSort | Unset = UNSET,
    blocked: bool | Unset = UNSET,
    limit: int | Unset = 100,
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

    params["project_id"] = project_id

    json_status: list[str] | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = []
        for status_item_data in status:
            status_item = status_item_data.value
            json_status.append(status_item)

    params["status"] = json_status

    json_task_type: str | Unset = UNSET
    if not isinstance(task_type, Unset):
        json_task_type = task_type.value

    params["task_type"] = json_task_type

    params["assignee_id"] = assignee_id

    params["tag"] = tag

    params["q"] = q

    json_due_before: str | Unset = UNSET
    if not isinstance(due_before, Unset):
        json_due_before = due_before.isoformat()
    params["due_before"] = json_due_before

    json_due_after: str | Unset = UNSET
    if not isinstance(due_after, Unset):
        json_due_after = due_after.isoformat()
    params["due_after"] = json_due_after

    params["overdue"] = overdue

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params["blocked"] = blocked

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/tasks/{uid}/subtasks".format(
            uid=quote(str(uid), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | list[Task] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = Task.from_dict(response_200_item_data)

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
) -> Response[HTTPError | HTTPValidationError | list[Task]]:
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
    project_id: str | Unset = UNSET,
    status: list[TaskStatus] | Unset = UNSET,
    task_type: TaskType | Unset = UNSET,
    assignee_id: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    sort: TaskSort | Unset = UNSET,
    blocked: bool | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[Task]]:
    """List a task's sub-tasks

     The task list (the same filters but `parent_id`, the same paging and orders), of the tasks whose
    `parent_id` is this task: its direct sub-tasks. Theirs are one more call away.

    Args:
        uid (UUID):
        project_id (str | Unset):
        status (list[TaskStatus] | Unset):
        task_type (TaskType | Unset): What kind of work a task is. Always written as one of the
            canonical values listed in `enum`. On input the EnumAdapter normalizes the spelling: case,
            spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`,
            `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value), and these synonyms
            are accepted: `doc` → `documentation`, `docs` → `documentation`, `enhancement` →
            `improvement`, `defect` → `bug`. Any other value is a 422 whose message lists the accepted
            values.
        assignee_id (str | Unset):
        tag (str | Unset):
        q (str | Unset):
        due_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        overdue (bool | Unset):
        sort (TaskSort | Unset): The order of a task list: by `created_at` (the default),
            `updated_at`, `due_date` or `priority` (normal, high, urgent), ascending, or descending
            with a leading `-` (`-priority`: urgent first). Ties are broken by `created_at`, then
            `uid`, in the same direction, so `-x` is `x` read backwards; tasks without a due date come
            last in both directions. Exactly these spellings; any other value is a 422.
        blocked (bool | Unset):
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[Task]]
    """

    kwargs = _get_kwargs(
        uid=uid,
        project_id=project_id,
        status=status,
        task_type=task_type,
        assignee_id=assignee_id,
        tag=tag,
        q=q,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        sort=sort,
        blocked=blocked,
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
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    project_id: str | Unset = UNSET,
    status: list[TaskStatus] | Unset = UNSET,
    task_type: TaskType | Unset = UNSET,
    assignee_id: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    sort: TaskSort | Unset = UNSET,
    blocked: bool | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[Task] | None:
    """List a task's sub-tasks

     The task list (the same filters but `parent_id`, the same paging and orders), of the tasks whose
    `parent_id` is this task: its direct sub-tasks. Theirs are one more call away.

    Args:
        uid (UUID):
        project_id (str | Unset):
        status (list[TaskStatus] | Unset):
        task_type (TaskType | Unset): What kind of work a task is. Always written as one of the
            canonical values listed in `enum`. On input the EnumAdapter normalizes the spelling: case,
            spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`,
            `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value), and these synonyms
            are accepted: `doc` → `documentation`, `docs` → `documentation`, `enhancement` →
            `improvement`, `defect` → `bug`. Any other value is a 422 whose message lists the accepted
            values.
        assignee_id (str | Unset):
        tag (str | Unset):
        q (str | Unset):
        due_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        overdue (bool | Unset):
        sort (TaskSort | Unset): The order of a task list: by `created_at` (the default),
            `updated_at`, `due_date` or `priority` (normal, high, urgent), ascending, or descending
            with a leading `-` (`-priority`: urgent first). Ties are broken by `created_at`, then
            `uid`, in the same direction, so `-x` is `x` read backwards; tasks without a due date come
            last in both directions. Exactly these spellings; any other value is a 422.
        blocked (bool | Unset):
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[Task]
    """

    return sync_detailed(
        uid=uid,
        client=client,
        project_id=project_id,
        status=status,
        task_type=task_type,
        assignee_id=assignee_id,
        tag=tag,
        q=q,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        sort=sort,
        blocked=blocked,
        limit=limit,
        cursor=cursor,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    ).parsed


async def asyncio_detailed(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    project_id: str | Unset = UNSET,
    status: list[TaskStatus] | Unset = UNSET,
    task_type: TaskType | Unset = UNSET,
    assignee_id: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    sort: TaskSort | Unset = UNSET,
    blocked: bool | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> Response[HTTPError | HTTPValidationError | list[Task]]:
    """List a task's sub-tasks

     The task list (the same filters but `parent_id`, the same paging and orders), of the tasks whose
    `parent_id` is this task: its direct sub-tasks. Theirs are one more call away.

    Args:
        uid (UUID):
        project_id (str | Unset):
        status (list[TaskStatus] | Unset):
        task_type (TaskType | Unset): What kind of work a task is. Always written as one of the
            canonical values listed in `enum`. On input the EnumAdapter normalizes the spelling: case,
            spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`,
            `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value), and these synonyms
            are accepted: `doc` → `documentation`, `docs` → `documentation`, `enhancement` →
            `improvement`, `defect` → `bug`. Any other value is a 422 whose message lists the accepted
            values.
        assignee_id (str | Unset):
        tag (str | Unset):
        q (str | Unset):
        due_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        overdue (bool | Unset):
        sort (TaskSort | Unset): The order of a task list: by `created_at` (the default),
            `updated_at`, `due_date` or `priority` (normal, high, urgent), ascending, or descending
            with a leading `-` (`-priority`: urgent first). Ties are broken by `created_at`, then
            `uid`, in the same direction, so `-x` is `x` read backwards; tasks without a due date come
            last in both directions. Exactly these spellings; any other value is a 422.
        blocked (bool | Unset):
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[Task]]
    """

    kwargs = _get_kwargs(
        uid=uid,
        project_id=project_id,
        status=status,
        task_type=task_type,
        assignee_id=assignee_id,
        tag=tag,
        q=q,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        sort=sort,
        blocked=blocked,
        limit=limit,
        cursor=cursor,
        x_request_id=x_request_id,
        x_trm_bookmark=x_trm_bookmark,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    uid: UUID,
    *,
    client: AuthenticatedClient | Client,
    project_id: str | Unset = UNSET,
    status: list[TaskStatus] | Unset = UNSET,
    task_type: TaskType | Unset = UNSET,
    assignee_id: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    sort: TaskSort | Unset = UNSET,
    blocked: bool | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    x_trm_bookmark: str | Unset = UNSET,
) -> HTTPError | HTTPValidationError | list[Task] | None:
    """List a task's sub-tasks

     The task list (the same filters but `parent_id`, the same paging and orders), of the tasks whose
    `parent_id` is this task: its direct sub-tasks. Theirs are one more call away.

    Args:
        uid (UUID):
        project_id (str | Unset):
        status (list[TaskStatus] | Unset):
        task_type (TaskType | Unset): What kind of work a task is. Always written as one of the
            canonical values listed in `enum`. On input the EnumAdapter normalizes the spelling: case,
            spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`,
            `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value), and these synonyms
            are accepted: `doc` → `documentation`, `docs` → `documentation`, `enhancement` →
            `improvement`, `defect` → `bug`. Any other value is a 422 whose message lists the accepted
            values.
        assignee_id (str | Unset):
        tag (str | Unset):
        q (str | Unset):
        due_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        overdue (bool | Unset):
        sort (TaskSort | Unset): The order of a task list: by `created_at` (the default),
            `updated_at`, `due_date` or `priority` (normal, high, urgent), ascending, or descending
            with a leading `-` (`-priority`: urgent first). Ties are broken by `created_at`, then
            `uid`, in the same direction, so `-x` is `x` read backwards; tasks without a due date come
            last in both directions. Exactly these spellings; any other value is a 422.
        blocked (bool | Unset):
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):
        x_request_id (str | Unset):
        x_trm_bookmark (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[Task]
    """

    return (
        await asyncio_detailed(
            uid=uid,
            client=client,
            project_id=project_id,
            status=status,
            task_type=task_type,
            assignee_id=assignee_id,
            tag=tag,
            q=q,
            due_before=due_before,
            due_after=due_after,
            overdue=overdue,
            sort=sort,
            blocked=blocked,
            limit=limit,
            cursor=cursor,
            x_request_id=x_request_id,
            x_trm_bookmark=x_trm_bookmark,
        )
    ).parsed
