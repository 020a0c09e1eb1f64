"""Optimistic concurrency (ETag / If-Match) and idempotent creates
(Idempotency-Key) through the generated client."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from uuid import UUID

from trm_client import Client
from trm_client.api.projects import create_project, delete_project
from trm_client.api.tasks import create_task, delete_task, get_task, list_tasks, update_task
from trm_client.models import (
    HTTPError,
    HTTPValidationError,
    Project,
    ProjectCreate,
    Task,
    TaskCreate,
    TaskStatus,
    TaskUpdate,
)


def test_stale_if_match_is_412(client: Client, project_id: str, unique: str) -> None:
    created = create_task.sync_detailed(client=client, body=TaskCreate(title=f"{unique} etag", project_id=UUID(project_id)))
    assert created.status_code == HTTPStatus.CREATED
    assert isinstance(created.parsed, Task)
    uid = created.parsed.uid
    first_etag = created.headers["etag"]
    assert first_etag == '"1"'

    # A change based on the current ETag applies and moves the ETag on.
    changed = update_task.sync_detailed(
        uid, client=client, body=TaskUpdate(status=TaskStatus.IN_PROGRESS), if_match=first_etag
    )
    assert changed.status_code == HTTPStatus.OK
    assert isinstance(changed.parsed, Task)
    assert changed.parsed.version == 2
    assert changed.headers["etag"] == '"2"'

    # One based on the old ETag is refused, and changes nothing.
    stale = update_task.sync_detailed(uid, client=client, body=TaskUpdate(status=TaskStatus.DONE), if_match=first_etag)
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert isinstance(stale.parsed, HTTPError)
    assert stale.parsed.detail.startswith("Precondition Failed")

    stale_delete = delete_task.sync_detailed(uid, client=client, if_match=first_etag)
    assert stale_delete.status_code == HTTPStatus.PRECONDITION_FAILED

    current = get_task.sync_detailed(uid, client=client)
    assert isinstance(current.parsed, Task)
    assert current.parsed.status is TaskStatus.IN_PROGRESS
    assert current.headers["etag"] == '"2"'

    deleted = delete_task.sync_detailed(uid, client=client, if_match=current.headers["etag"])
    assert deleted.status_code == HTTPStatus.NO_CONTENT


def test_idempotency_key_replays_the_first_create(client: Client, project_id: str, unique: str) -> None:
    key = f"pyclient-{uuid.uuid4()}"
    body = TaskCreate(title=f"{unique} once", project_id=UUID(project_id))

    first = create_task.sync_detailed(client=client, body=body, idempotency_key=key)
    again = create_task.sync_detailed(client=client, body=body, idempotency_key=key)
    assert first.status_code == again.status_code == HTTPStatus.CREATED
    assert isinstance(first.parsed, Task) and isinstance(again.parsed, Task)
    assert again.parsed == first.parsed
    assert again.headers["location"] == first.headers["location"]

    # One task was created.
    listed = list_tasks.sync(client=client, project_id=project_id)
    assert isinstance(listed, list)
    assert [t.uid for t in listed] == [first.parsed.uid]

    # The same key with another body is a 422 at the header.
    reused = create_task.sync_detailed(
        client=client, body=TaskCreate(title=f"{unique} other", project_id=UUID(project_id)), idempotency_key=key
    )
    assert reused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert isinstance(reused.parsed, HTTPValidationError)
    assert [(e.loc, e.type_) for e in reused.parsed.detail] == [(["header", "Idempotency-Key"], "idempotency_key_reused")]


def test_idempotency_key_on_project_create(client: Client, unique: str) -> None:
    key = f"pyclient-{uuid.uuid4()}"
    body = ProjectCreate(title=f"{unique} idempotent project")
    first = create_project.sync(client=client, body=body, idempotency_key=key)
    assert isinstance(first, Project)
    try:
        again = create_project.sync(client=client, body=body, idempotency_key=key)
        assert isinstance(again, Project)
        assert again.uid == first.uid
    finally:
        delete_project.sync_detailed(first.uid, client=client)
