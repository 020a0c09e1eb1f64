from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.effort_unit import EffortUnit
from ..models.priority import Priority
from ..models.task_status import TaskStatus
from ..models.task_type import TaskType

T = TypeVar("T", bound="Task")


@_attrs_define
class Task:
    """A unit of work, optionally part of a project and assigned to a user.

    Serializes to exactly the API's response body, which events carry too:
    one shape, written once.

        Example:
            {'assignee_id': None, 'blocked_by': ['5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b'], 'completed_at': None,
                'created_at': '2026-11-26T03:12:45.123456Z', 'description': None, 'due_date': '2026-12-01T00:00:00.000000Z',
                'effort_estimate': 3.5, 'effort_unit': 'hours', 'parent_id': None, 'priority': 1, 'project_id':
                '9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d', 'start_date': '2026-11-26T00:00:00.000000Z', 'status': 'in_progress',
                'tags': ['docs', 'api'], 'task_type': 'documentation', 'title': 'Write the docs', 'uid':
                '3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f', 'updated_at': '2026-11-26T04:01:02.654321Z', 'version': 2}

        Attributes:
            uid (UUID): Server-generated UUID.
            title (str): What the task is: trimmed, 1–200 characters.
            description (None | str): Details, up to 10,000 characters.
            status (TaskStatus): Where a task is in its life; `done` sets the task's `completed_at`, leaving `done` clears
                it. Always written as one of the canonical values listed in `enum`. On input the EnumAdapter normalizes the
                spelling: case, spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`, `IN_PROGRESS`,
                `in-progress` and `inProgress` are all the same value), and these synonyms are accepted: `pending` → `todo`,
                `open` → `todo`, `new` → `todo`, `wip` → `in_progress`, `doing` → `in_progress`, `review` → `in_review`,
                `completed` → `done`, `complete` → `done`, `closed` → `done`, `finished` → `done`, `canceled` → `cancelled`. Any
                other value is a 422 whose message lists the accepted values.
            task_type (None | TaskType):
            priority (Priority): How urgent a task is, as its integer level: `0` normal, `1` high, `2` urgent. Requests may
                also name it; see `PriorityInput`.
            project_id (None | UUID): The project it is part of (`IS_PART_OF_PROJECT` in the graph).
            assignee_id (None | UUID): The user it is assigned to (`ASSIGNED_TO` in the graph).
            effort_estimate (float | None): Estimated effort, in `effort_unit`s.
            effort_unit (EffortUnit): The unit of `effort_estimate`. Always written as one of the canonical values listed in
                `enum`. On input the EnumAdapter normalizes the spelling: case, spaces, hyphens, underscores and camelCase
                boundaries are ignored (`In Progress`, `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value),
                and these synonyms are accepted: `h` → `hours`, `hour` → `hours`, `d` → `days`, `day` → `days`, `sp` →
                `story_points`, `points` → `story_points`, `storypoint` → `story_points`. Any other value is a 422 whose message
                lists the accepted values.
            start_date (datetime.datetime | None): When work is planned to start (UTC, microseconds).
            due_date (datetime.datetime | None): When work is due (UTC, microseconds); never before `start_date`.
            completed_at (datetime.datetime | None): When the status last became `done`; set and cleared by the server.
            tags (list[str]): Distinct labels, in the order given, each 1–64 characters, at most 50.
            blocked_by (list[UUID]): The tasks it waits for (`(:Task)-[:BLOCKS]->` it in the graph),
                sorted and distinct; at most 100.
            parent_id (None | UUID): The task it is a sub-task of (`(:Task)-[:IS_SUBTASK_OF]->` it in
                the graph), if any; sub-tasks nest at most
                [`MAX_SUBTASK_LEVELS`](crate::graph::MAX_SUBTASK_LEVELS) levels deep.
            created_at (datetime.datetime): Creation time (UTC, microseconds).
            updated_at (datetime.datetime): Last change (UTC, microseconds).
            version (int): Starts at 1 and grows by one on every update that changes something:
                the basis of optimistic concurrency, the `ETag` is this number in quotes.
    """

    uid: UUID
    title: str
    description: None | str
    status: TaskStatus
    task_type: None | TaskType
    priority: Priority
    project_id: None | UUID
    assignee_id: None | UUID
    effort_estimate: float | None
    effort_unit: EffortUnit
    start_date: datetime.datetime | None
    due_date: datetime.datetime | None
    completed_at: datetime.datetime | None
    tags: list[str]
    blocked_by: list[UUID]
    parent_id: None | UUID
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        uid = str(self.uid)

        title = self.title

        description: None | str
        description = self.description

        status = self.status.value

        task_type: None | str
        if isinstance(self.task_type, TaskType):
            task_type = self.task_type.value
        else:
            task_type = self.task_type

        priority = self.priority.value

        project_id: None | str
        if isinstance(self.project_id, UUID):
            project_id = str(self.project_id)
        else:
            project_id = self.project_id

        assignee_id: None | str
        if isinstance(self.assignee_id, UUID):
            assignee_id = str(self.assignee_id)
        else:
            assignee_id = self.assignee_id

        effort_estimate: float | None
        effort_estimate = self.effort_estimate

        effort_unit = self.effort_unit.value

        start_date: None | str
        if isinstance(self.start_date, datetime.datetime):
            start_date = self.start_date.isoformat()
        else:
            start_date = self.start_date

        due_date: None | str
        if isinstance(self.due_date, datetime.datetime):
            due_date = self.due_date.isoformat()
        else:
            due_date = self.due_date

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        tags = self.tags

        blocked_by = []
        for blocked_by_item_data in self.blocked_by:
            blocked_by_item = str(blocked_by_item_data)
            blocked_by.append(blocked_by_item)

        parent_id: None | str
        if isinstance(self.parent_id, UUID):
            parent_id = str(self.parent_id)
        else:
            parent_id = self.parent_id

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "uid": uid,
                "title": title,
                "description": description,
                "status": status,
                "task_type": task_type,
                "priority": priority,
                "project_id": project_id,
                "assignee_id": assignee_id,
                "effort_estimate": effort_estimate,
                "effort_unit": effort_unit,
                "start_date": start_date,
                "due_date": due_date,
                "completed_at": completed_at,
                "tags": tags,
                "blocked_by": blocked_by,
                "parent_id": parent_id,
                "created_at": created_at,
                "updated_at": updated_at,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        uid = UUID(d.pop("uid"))

        title = d.pop("title")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        status = TaskStatus(d.pop("status"))

        def _parse_task_type(data: object) -> None | TaskType:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                task_type_type_0 = TaskType(data)

                return task_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskType, data)

        task_type = _parse_task_type(d.pop("task_type"))

        priority = Priority(d.pop("priority"))

        def _parse_project_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                project_id_type_0 = UUID(data)

                return project_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        project_id = _parse_project_id(d.pop("project_id"))

        def _parse_assignee_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                assignee_id_type_0 = UUID(data)

                return assignee_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        assignee_id = _parse_assignee_id(d.pop("assignee_id"))

        def _parse_effort_estimate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        effort_estimate = _parse_effort_estimate(d.pop("effort_estimate"))

        effort_unit = EffortUnit(d.pop("effort_unit"))

        def _parse_start_date(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_date_type_0 = datetime.datetime.fromisoformat(data)

                return start_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        start_date = _parse_start_date(d.pop("start_date"))

        def _parse_due_date(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_date_type_0 = datetime.datetime.fromisoformat(data)

                return due_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        due_date = _parse_due_date(d.pop("due_date"))

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        tags = cast(list[str], d.pop("tags"))

        blocked_by = []
        _blocked_by = d.pop("blocked_by")
        for blocked_by_item_data in _blocked_by:
            blocked_by_item = UUID(blocked_by_item_data)

            blocked_by.append(blocked_by_item)

        def _parse_parent_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_id_type_0 = UUID(data)

                return parent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        parent_id = _parse_parent_id(d.pop("parent_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        task = cls(
            uid=uid,
            title=title,
            description=description,
            status=status,
            task_type=task_type,
            priority=priority,
            project_id=project_id,
            assignee_id=assignee_id,
            effort_estimate=effort_estimate,
            effort_unit=effort_unit,
            start_date=start_date,
            due_date=due_date,
            completed_at=completed_at,
            tags=tags,
            blocked_by=blocked_by,
            parent_id=parent_id,
            created_at=created_at,
            updated_at=updated_at,
            version=version,
        )

        task.additional_properties = d
        return task

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
