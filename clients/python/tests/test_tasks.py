"""Tasks through the generated client: the seed's acceptance test, filters,
paging by the Link header, partial updates, bulk create, the async functions."""

from __future__ import annotations

import asyncio
import os
from collections.abc import MutableMapping
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from trm_client import Client
from trm_client.api.tasks import (
    create_task,
    create_tasks,
    delete_task,
    get_task,
    list_subtasks,
    list_task_blockers,
    list_task_dependents,
    list_tasks,
    update_task,
)
from trm_client.models import (
    HTTPError,
    Priority,
    PriorityName,
    Task,
    TaskAtDepth,
    TaskBulkCreate,
    TaskCreate,
    TaskStatus,
    TaskType,
    TaskUpdate,
)
from trm_client.types import UNSET, Unset


def next_cursor(headers: MutableMapping[str, str]) -> str | None:
    """The `cursor` of the `Link: <…>; rel="next"` URL, or None on the last page."""
    link = headers.get("link")
    if link is None:
        return None
    target, _, params = link.partition(";")
    assert params.strip() == 'rel="next"', link
    (cursor,) = parse_qs(urlsplit(target.strip().strip("<>")).query)["cursor"]
    return cursor


def test_acceptance_create_list_delete_get(client: Client, project_id: str) -> None:
    # The seed's own acceptance test: create, find by filters, delete, 404.
    created = create_task.sync(
        client=client,
        body=TaskCreate(title="Test Task", status=TaskStatus.TODO, project_id=UUID(project_id)),
    )
    assert isinstance(created, Task)
    assert created.title == "Test Task"
    assert created.status is TaskStatus.TODO
    assert created.project_id == UUID(project_id)
    assert created.version == 1

    found = list_tasks.sync(client=client, project_id=project_id, status=[TaskStatus.TODO])
    assert isinstance(found, list)
    assert [task.uid for task in found] == [created.uid]

    deleted = delete_task.sync_detailed(created.uid, client=client)
    assert deleted.status_code == HTTPStatus.NO_CONTENT

    gone = get_task.sync_detailed(created.uid, client=client)
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert isinstance(gone.parsed, HTTPError)
    assert gone.parsed.detail == "Task not found"


def test_create_answers_location_and_etag(client: Client, project_id: str, unique: str) -> None:
    response = create_task.sync_detailed(
        client=client,
        body=TaskCreate(
            title=f"{unique} headers",
            project_id=UUID(project_id),
            task_type=TaskType.DOCUMENTATION,
            priority=PriorityName.HIGH,
            tags=["docs", "api"],
            effort_estimate=2.5,
        ),
    )
    assert response.status_code == HTTPStatus.CREATED
    task = response.parsed
    assert isinstance(task, Task)
    assert response.headers["location"] == f"/api/v1/tasks/{task.uid}"
    assert response.headers["etag"] == '"1"'
    assert task.task_type is TaskType.DOCUMENTATION
    assert task.priority is Priority.VALUE_1
    assert task.tags == ["docs", "api"]
    assert task.effort_estimate == 2.5
    assert task.created_at.tzinfo is not None

    fetched = get_task.sync_detailed(task.uid, client=client)
    assert fetched.status_code == HTTPStatus.OK
    assert fetched.parsed == task
    assert fetched.headers["etag"] == '"1"'


def test_a_write_bookmark_sent_back_reads_the_write(client: Client, project_id: str, unique: str) -> None:
    created = create_task.sync_detailed(
        client=client, body=TaskCreate(title=f"{unique} bookmarked", project_id=UUID(project_id))
    )
    assert created.status_code == HTTPStatus.CREATED
    task = created.parsed
    assert isinstance(task, Task)
    bookmark = created.headers.get("x-trm-bookmark")
    if os.environ.get("TRM_CLIENT_TEST_STORE", "sqlite") == "sqlite":
        assert bookmark is None  # SQLite has no bookmarks
        bookmark = "FB:ignored-on-sqlite"
    assert bookmark is not None
    read = get_task.sync_detailed(task.uid, client=client, x_trm_bookmark=bookmark)
    assert read.status_code == HTTPStatus.OK
    assert isinstance(read.parsed, Task)
    assert read.parsed.title == f"{unique} bookmarked"


def test_status_spellings_are_normalized(client: Client, project_id: str, unique: str) -> None:
    # The typed model sends canonical values; the server also takes others
    # (here through the plain httpx client underneath).
    response = client.get_httpx_client().post(
        "/api/v1/tasks/",
        json={"title": f"{unique} spelled", "status": "In Progress", "project_id": project_id},
    )
    assert response.status_code == HTTPStatus.CREATED
    task = Task.from_dict(response.json())
    assert task.status is TaskStatus.IN_PROGRESS


def test_name_is_an_alias_of_title(client: Client, project_id: str, unique: str) -> None:
    task = create_task.sync(client=client, body=TaskCreate(name=f"{unique} named", project_id=UUID(project_id)))
    assert isinstance(task, Task)
    assert task.title == f"{unique} named"


def test_paging_follows_the_link_header(client: Client, project_id: str, unique: str) -> None:
    titles = [f"{unique} page {i}" for i in range(5)]
    for title in titles:
        assert isinstance(create_task.sync(client=client, body=TaskCreate(title=title, project_id=UUID(project_id))), Task)

    pages: list[list[str]] = []
    cursor: str | Unset = UNSET
    while True:
        response = list_tasks.sync_detailed(client=client, project_id=project_id, limit=2, cursor=cursor)
        assert response.status_code == HTTPStatus.OK
        assert isinstance(response.parsed, list)
        pages.append([task.title for task in response.parsed])
        found = next_cursor(response.headers)
        if found is None:
            break
        cursor = found
        assert len(pages) < 10, "the Link headers never end"

    # Oldest first, two a page; no Link on the last page.
    assert pages == [titles[0:2], titles[2:4], titles[4:5]]


def test_filters_combine(client: Client, project_id: str, unique: str) -> None:
    todo = create_task.sync(client=client, body=TaskCreate(title=f"{unique} a", project_id=UUID(project_id)))
    blocked = create_task.sync(
        client=client,
        body=TaskCreate(title=f"{unique} b", project_id=UUID(project_id), status=TaskStatus.BLOCKED, tags=["x"]),
    )
    done = create_task.sync(
        client=client, body=TaskCreate(title=f"{unique} c", project_id=UUID(project_id), status=TaskStatus.DONE)
    )
    assert isinstance(todo, Task) and isinstance(blocked, Task) and isinstance(done, Task)
    assert done.completed_at is not None

    either = list_tasks.sync(client=client, project_id=project_id, status=[TaskStatus.TODO, TaskStatus.BLOCKED])
    assert isinstance(either, list)
    assert [t.uid for t in either] == [todo.uid, blocked.uid]

    tagged = list_tasks.sync(client=client, project_id=project_id, tag="x")
    assert isinstance(tagged, list)
    assert [t.uid for t in tagged] == [blocked.uid]


def test_patch_keeps_absent_fields_and_clears_nulls(client: Client, project_id: str, unique: str) -> None:
    task = create_task.sync(
        client=client,
        body=TaskCreate(title=f"{unique} patch", description="to be cleared", project_id=UUID(project_id)),
    )
    assert isinstance(task, Task)

    # `description=None` sends null (clears it); fields left UNSET are not sent (kept).
    changed = update_task.sync(task.uid, client=client, body=TaskUpdate(status=TaskStatus.DONE, description=None))
    assert isinstance(changed, Task)
    assert changed.status is TaskStatus.DONE
    assert changed.description is None
    assert changed.title == task.title
    assert changed.project_id == UUID(project_id)
    assert changed.completed_at is not None
    assert changed.version == 2


def test_bulk_create(client: Client, project_id: str, unique: str) -> None:
    body = TaskBulkCreate(
        tasks=[TaskCreate(title=f"{unique} bulk {i}", project_id=UUID(project_id)) for i in range(3)],
    )
    response = create_tasks.sync_detailed(client=client, body=body)
    assert response.status_code == HTTPStatus.CREATED
    assert isinstance(response.parsed, list)
    assert [t.title for t in response.parsed] == [f"{unique} bulk {i}" for i in range(3)]

    listed = list_tasks.sync(client=client, project_id=project_id)
    assert isinstance(listed, list)
    assert [t.uid for t in listed] == [t.uid for t in response.parsed]


def test_async_functions(base_url: str, project_id: str, unique: str) -> None:
    async def scenario() -> None:
        async with Client(base_url=base_url, raise_on_unexpected_status=True) as client:
            created = await create_task.asyncio(
                client=client, body=TaskCreate(title=f"{unique} async", project_id=UUID(project_id))
            )
            assert isinstance(created, Task)
            fetched = await get_task.asyncio_detailed(created.uid, client=client)
            assert fetched.status_code == HTTPStatus.OK
            assert fetched.parsed == created
            assert fetched.headers["etag"] == '"1"'

    asyncio.run(scenario())


def test_blockers_round_trip_and_the_graph_is_walked_and_a_cycle_is_a_409(client: Client) -> None:
    first = create_task.sync(client=client, body=TaskCreate(title="First"))
    assert isinstance(first, Task)
    assert first.blocked_by == []
    second = create_task.sync(client=client, body=TaskCreate(title="Second", blocked_by=[first.uid]))
    assert isinstance(second, Task)
    assert second.blocked_by == [first.uid]

    dependents = list_task_dependents.sync(first.uid, client=client, depth=2)
    assert isinstance(dependents, list)
    assert [(entry.depth, entry.task.uid) for entry in dependents if isinstance(entry, TaskAtDepth)] == [
        (1, second.uid)
    ]
    blockers = list_task_blockers.sync(second.uid, client=client)
    assert isinstance(blockers, list)
    assert [entry.task.uid for entry in blockers] == [first.uid]

    cycle = update_task.sync_detailed(first.uid, client=client, body=TaskUpdate(blocked_by=[second.uid]))
    assert cycle.status_code == HTTPStatus.CONFLICT
    assert isinstance(cycle.parsed, HTTPError)
    assert cycle.parsed.detail == f"Dependency cycle: {second.uid} → {first.uid} → {second.uid}"


def test_sub_tasks_are_listed_under_their_parent_and_go_with_it_in_a_cascade(client: Client) -> None:
    parent = create_task.sync(client=client, body=TaskCreate(title="Parent"))
    assert isinstance(parent, Task)
    assert parent.parent_id is None
    child = create_task.sync(client=client, body=TaskCreate(title="Child", parent_id=parent.uid))
    assert isinstance(child, Task)
    assert child.parent_id == parent.uid

    children = list_subtasks.sync(parent.uid, client=client)
    assert isinstance(children, list)
    assert [task.uid for task in children if isinstance(task, Task)] == [child.uid]

    loop = update_task.sync_detailed(parent.uid, client=client, body=TaskUpdate(parent_id=child.uid))
    assert loop.status_code == HTTPStatus.CONFLICT
    assert isinstance(loop.parsed, HTTPError)
    assert loop.parsed.detail == f"Sub-task cycle: {parent.uid} → {child.uid} → {parent.uid}"

    refused = delete_task.sync_detailed(parent.uid, client=client)
    assert refused.status_code == HTTPStatus.CONFLICT
    deleted = delete_task.sync_detailed(parent.uid, client=client, cascade=True)
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert get_task.sync_detailed(child.uid, client=client).status_code == HTTPStatus.NOT_FOUND
