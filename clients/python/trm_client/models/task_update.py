from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.effort_unit import EffortUnit
from ..models.priority_level import PriorityLevel
from ..models.priority_name import PriorityName
from ..models.task_status import TaskStatus
from ..models.task_type import TaskType
from ..types import UNSET, Unset

T = TypeVar("T", bound="TaskUpdate")


@_attrs_define
class TaskUpdate:
    """A change to a task: properties present are changed, properties absent are kept, and `null` clears a nullable
    property (`null` for any other is a 422). `name` is an alias of `title` (not both). A property not listed here is a
    422 (`extra_forbidden`).

        Example:
            {'due_date': None, 'status': 'done', 'tags': ['docs']}

        Attributes:
            title (str | Unset): Trimmed; 1–200 characters after trimming.
            name (str | Unset): An alias of `title`, as TRM-OS's clients send it: give one of the
                two, not both (a 422 at `["body", "name"]`).
            description (None | str | Unset): Up to 10,000 characters; `null` clears it.
            status (TaskStatus | Unset): Where a task is in its life; `done` sets the task's `completed_at`, leaving `done`
                clears it. Always written as one of the canonical values listed in `enum`. On input the EnumAdapter normalizes
                the spelling: case, spaces, hyphens, underscores and camelCase boundaries are ignored (`In Progress`,
                `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value), and these synonyms are accepted:
                `pending` → `todo`, `open` → `todo`, `new` → `todo`, `wip` → `in_progress`, `doing` → `in_progress`, `review` →
                `in_review`, `completed` → `done`, `complete` → `done`, `closed` → `done`, `finished` → `done`, `canceled` →
                `cancelled`. Any other value is a 422 whose message lists the accepted values.
            task_type (None | TaskType | Unset):
            priority (PriorityLevel | PriorityName | Unset): A priority: the integer level (`0` normal, `1` high, `2`
                urgent) or its name. Always written back as the level. Any other value is a 422 listing the accepted values.
            project_id (None | Unset | UUID): Moves the task to this project, which must exist; `null` takes it out
                of its project.
            assignee_id (None | Unset | UUID): Assigns the task to this user, who must exist; `null` unassigns it.
            effort_estimate (float | None | Unset): Zero or more; `null` clears it.
            effort_unit (EffortUnit | Unset): The unit of `effort_estimate`. Always written as one of the canonical values
                listed in `enum`. On input the EnumAdapter normalizes the spelling: case, spaces, hyphens, underscores and
                camelCase boundaries are ignored (`In Progress`, `IN_PROGRESS`, `in-progress` and `inProgress` are all the same
                value), and these synonyms are accepted: `h` → `hours`, `hour` → `hours`, `d` → `days`, `day` → `days`, `sp` →
                `story_points`, `points` → `story_points`, `storypoint` → `story_points`. Any other value is a 422 whose message
                lists the accepted values.
            start_date (datetime.date | datetime.datetime | None | str | Unset):
            due_date (datetime.date | datetime.datetime | None | str | Unset):
            tags (list[str] | Unset): Replaces the tags: at most 50, each 1–64 characters; duplicates are
                dropped. `[]` removes them all.
            blocked_by (list[UUID] | Unset): Replaces the blockers: at most 100 task ids, duplicates dropped; `[]`
                removes them all. Each must name a task other than this one (a 422 at
                `["body", "blocked_by", i]`), and none may already wait for this task,
                directly or through others: that would close a cycle (a 409 naming
                it).
            parent_id (None | Unset | UUID): Makes the task a sub-task of this one, which must exist (a 422 at
                this field otherwise) and must not be the task itself or one of its
                sub-tasks, at any depth (a 409 naming the loop); the task's subtree
                must stay within 10 levels (a 422 at this field). `null` detaches it.
    """

    title: str | Unset = UNSET
    name: str | Unset = UNSET
    description: None | str | Unset = UNSET
    status: TaskStatus | Unset = UNSET
    task_type: None | TaskType | Unset = UNSET
    priority: PriorityLevel | PriorityName | Unset = UNSET
    project_id: None | Unset | UUID = UNSET
    assignee_id: None | Unset | UUID = UNSET
    effort_estimate: float | None | Unset = UNSET
    effort_unit: EffortUnit | Unset = UNSET
    start_date: datetime.date | datetime.datetime | None | str | Unset = UNSET
    due_date: datetime.date | datetime.datetime | None | str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    blocked_by: list[UUID] | Unset = UNSET
    parent_id: None | Unset | UUID = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        task_type: None | str | Unset
        if isinstance(self.task_type, Unset):
            task_type = UNSET
        elif isinstance(self.task_type, TaskType):
            task_type = self.task_type.value
        else:
            task_type = self.task_type

        priority: int | str | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        elif isinstance(self.priority, PriorityLevel):
            priority = self.priority.value
        else:
            priority = self.priority.value

        project_id: None | str | Unset
        if isinstance(self.project_id, Unset):
            project_id = UNSET
        elif isinstance(self.project_id, UUID):
            project_id = str(self.project_id)
        else:
            project_id = self.project_id

        assignee_id: None | str | Unset
        if isinstance(self.assignee_id, Unset):
            assignee_id = UNSET
        elif isinstance(self.assignee_id, UUID):
            assignee_id = str(self.assignee_id)
        else:
            assignee_id = self.assignee_id

        effort_estimate: float | None | Unset
        if isinstance(self.effort_estimate, Unset):
            effort_estimate = UNSET
        else:
            effort_estimate = self.effort_estimate

        effort_unit: str | Unset = UNSET
        if not isinstance(self.effort_unit, Unset):
            effort_unit = self.effort_unit.value

        start_date: None | str | Unset
        if isinstance(self.start_date, Unset):
            start_date = UNSET
        elif isinstance(self.start_date, datetime.datetime):
            start_date = self.start_date.isoformat()
        elif isinstance(self.start_date, datetime.date):
            start_date = self.start_date.isoformat()
        else:
            start_date = self.start_date

        due_date: None | str | Unset
        if isinstance(self.due_date, Unset):
            due_date = UNSET
        elif isinstance(self.due_date, datetime.datetime):
            due_date = self.due_date.isoformat()
        elif isinstance(self.due_date, datetime.date):
            due_date = self.due_date.isoformat()
        else:
            due_date = self.due_date

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        blocked_by: list[str] | Unset = UNSET
        if not isinstance(self.blocked_by, Unset):
            blocked_by = []
            for blocked_by_item_data in self.blocked_by:
                blocked_by_item = str(blocked_by_item_data)
                blocked_by.append(blocked_by_item)

        parent_id: None | str | Unset
        if isinstance(self.parent_id, Unset):
            parent_id = UNSET
        elif isinstance(self.parent_id, UUID):
            parent_id = str(self.parent_id)
        else:
            parent_id = self.parent_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if title is not UNSET:
            field_dict["title"] = title
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if status is not UNSET:
            field_dict["status"] = status
        if task_type is not UNSET:
            field_dict["task_type"] = task_type
        if priority is not UNSET:
            field_dict["priority"] = priority
        if project_id is not UNSET:
            field_dict["project_id"] = project_id
        if assignee_id is not UNSET:
            field_dict["assignee_id"] = assignee_id
        if effort_estimate is not UNSET:
            field_dict["effort_estimate"] = effort_estimate
        if effort_unit is not UNSET:
            field_dict["effort_unit"] = effort_unit
        if start_date is not UNSET:
            field_dict["start_date"] = start_date
        if due_date is not UNSET:
            field_dict["due_date"] = due_date
        if tags is not UNSET:
            field_dict["tags"] = tags
        if blocked_by is not UNSET:
            field_dict["blocked_by"] = blocked_by
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title", UNSET)

        name = d.pop("name", UNSET)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        _status = d.pop("status", UNSET)
        status: TaskStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = TaskStatus(_status)

        def _parse_task_type(data: object) -> None | TaskType | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                task_type_type_0 = TaskType(data)

                return task_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskType | Unset, data)

        task_type = _parse_task_type(d.pop("task_type", UNSET))

        def _parse_priority(data: object) -> PriorityLevel | PriorityName | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, int):
                    raise TypeError()
                componentsschemas_priority_input_type_0 = PriorityLevel(data)

                return componentsschemas_priority_input_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            componentsschemas_priority_input_type_1 = PriorityName(data)

            return componentsschemas_priority_input_type_1

        priority = _parse_priority(d.pop("priority", UNSET))

        def _parse_project_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                project_id_type_0 = UUID(data)

                return project_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        project_id = _parse_project_id(d.pop("project_id", UNSET))

        def _parse_assignee_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                assignee_id_type_0 = UUID(data)

                return assignee_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        assignee_id = _parse_assignee_id(d.pop("assignee_id", UNSET))

        def _parse_effort_estimate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        effort_estimate = _parse_effort_estimate(d.pop("effort_estimate", UNSET))

        _effort_unit = d.pop("effort_unit", UNSET)
        effort_unit: EffortUnit | Unset
        if isinstance(_effort_unit, Unset):
            effort_unit = UNSET
        else:
            effort_unit = EffortUnit(_effort_unit)

        def _parse_start_date(data: object) -> datetime.date | datetime.datetime | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_date_or_date_time_type_0 = datetime.datetime.fromisoformat(data)

                return componentsschemas_date_or_date_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_date_or_date_time_type_1 = datetime.date.fromisoformat(data)

                return componentsschemas_date_or_date_time_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | datetime.datetime | None | str | Unset, data)

        start_date = _parse_start_date(d.pop("start_date", UNSET))

        def _parse_due_date(data: object) -> datetime.date | datetime.datetime | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_date_or_date_time_type_0 = datetime.datetime.fromisoformat(data)

                return componentsschemas_date_or_date_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_date_or_date_time_type_1 = datetime.date.fromisoformat(data)

                return componentsschemas_date_or_date_time_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | datetime.datetime | None | str | Unset, data)

        due_date = _parse_due_date(d.pop("due_date", UNSET))

        tags = cast(list[str], d.pop("tags", UNSET))

        _blocked_by = d.pop("blocked_by", UNSET)
        blocked_by: list[UUID] | Unset = UNSET
        if _blocked_by is not UNSET:
            blocked_by = []
            for blocked_by_item_data in _blocked_by:
                blocked_by_item = UUID(blocked_by_item_data)

                blocked_by.append(blocked_by_item)

        def _parse_parent_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_id_type_0 = UUID(data)

                return parent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        parent_id = _parse_parent_id(d.pop("parent_id", UNSET))

        task_update = cls(
            title=title,
            name=name,
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
            tags=tags,
            blocked_by=blocked_by,
            parent_id=parent_id,
        )

        return task_update
