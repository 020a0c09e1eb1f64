"""Error answers in FastAPI's shapes, parsed by the generated client."""

from __future__ import annotations

import json
import uuid
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx
import pytest

from trm_client import Client, errors
from trm_client.api.projects import delete_project, get_project
from trm_client.api.tasks import create_task, delete_task, get_task, list_tasks, update_task
from trm_client.models import HTTPError, HTTPValidationError, TaskCreate, TaskUpdate, ValidationError


def assert_validation_body(content: bytes) -> list[dict[str, Any]]:
    """The raw 422 body: {"detail": [{"loc": [...], "msg": "...", "type": "..."}, ...]}."""
    body = json.loads(content)
    assert list(body) == ["detail"]
    assert isinstance(body["detail"], list) and body["detail"]
    for entry in body["detail"]:
        assert set(entry) == {"loc", "msg", "type"}
        assert isinstance(entry["loc"], list) and entry["loc"]
        assert entry["loc"][0] in ("body", "query", "path", "header")
        assert isinstance(entry["msg"], str) and entry["msg"]
        assert isinstance(entry["type"], str) and entry["type"]
    return body["detail"]


def test_404_task_not_found(client: Client) -> None:
    missing = uuid.uuid4()
    for response in (
        get_task.sync_detailed(missing, client=client),
        delete_task.sync_detailed(missing, client=client),
        update_task.sync_detailed(missing, client=client, body=TaskUpdate(title="x")),
    ):
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert json.loads(response.content) == {"detail": "Task not found"}
        assert isinstance(response.parsed, HTTPError)
        assert response.parsed.detail == "Task not found"


def test_404_project_not_found(client: Client) -> None:
    missing = uuid.uuid4()
    assert json.loads(get_project.sync_detailed(missing, client=client).content) == {"detail": "Project not found"}
    assert delete_project.sync_detailed(missing, client=client).status_code == HTTPStatus.NOT_FOUND


def test_422_body_lists_every_problem(client: Client, unique: str) -> None:
    response = create_task.sync_detailed(
        client=client,
        body=TaskCreate(title="   ", project_id=uuid.uuid4(), effort_estimate=-1.0, tags=["ok", ""]),
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    raw = assert_validation_body(response.content)
    locs = [tuple(entry["loc"]) for entry in raw]
    assert ("body", "title") in locs
    assert ("body", "effort_estimate") in locs
    assert ("body", "tags", 1) in locs

    # The same, typed.
    assert isinstance(response.parsed, HTTPValidationError)
    assert all(isinstance(e, ValidationError) for e in response.parsed.detail)
    assert [(e.loc, e.msg, e.type_) for e in response.parsed.detail] == [
        (e["loc"], e["msg"], e["type"]) for e in raw
    ]


def test_422_unknown_project(client: Client, unique: str) -> None:
    response = create_task.sync_detailed(client=client, body=TaskCreate(title=f"{unique} orphan", project_id=uuid.uuid4()))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    raw = assert_validation_body(response.content)
    assert [entry["loc"] for entry in raw] == [["body", "project_id"]]


def test_422_query_parameters(client: Client) -> None:
    response = list_tasks.sync_detailed(client=client, limit=0)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    raw = assert_validation_body(response.content)
    assert [entry["loc"] for entry in raw] == [["query", "limit"]]
    assert isinstance(response.parsed, HTTPValidationError)


def test_422_missing_title(client: Client, project_id: str) -> None:
    response = create_task.sync_detailed(client=client, body=TaskCreate(project_id=UUID(project_id)))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    raw = assert_validation_body(response.content)
    assert [(entry["loc"], entry["type"]) for entry in raw] == [(["body", "title"], "missing")]


def test_undocumented_status_raises(base_url: str) -> None:
    # With raise_on_unexpected_status, a status the document does not list
    # raises instead of passing silently (the answer comes from a mock
    # transport here: the real server only answers documented statuses).
    def answer_teapot(request: httpx.Request) -> httpx.Response:
        return httpx.Response(418, json={"detail": "teapot"})

    transport = httpx.MockTransport(answer_teapot)
    with Client(base_url=base_url, raise_on_unexpected_status=True, httpx_args={"transport": transport}) as client:
        with pytest.raises(errors.UnexpectedStatus) as raised:
            get_task.sync_detailed(uuid.uuid4(), client=client)
    assert raised.value.status_code == 418
