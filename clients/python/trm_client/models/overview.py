from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.overview_tasks_by_status import OverviewTasksByStatus
    from ..models.task import Task


T = TypeVar("T", bound="Overview")


@_attrs_define
class Overview:
    """Counts and the newest tasks, as `GET /api/v1/overview` returns them.

    Attributes:
        tasks_by_status (OverviewTasksByStatus): Every task status with its number of tasks, zeros included. Example:
            {'backlog': 0, 'blocked': 0, 'cancelled': 0, 'done': 2, 'in_progress': 1, 'in_review': 0, 'todo': 3}.
        task_count (int): How many tasks there are.
        project_count (int): How many projects there are.
        user_count (int): How many users there are.
        recent_tasks (list[Task]): The ten newest tasks, newest first.
    """

    tasks_by_status: OverviewTasksByStatus
    task_count: int
    project_count: int
    user_count: int
    recent_tasks: list[Task]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tasks_by_status = self.tasks_by_status.to_dict()

        task_count = self.task_count

        project_count = self.project_count

        user_count = self.user_count

        recent_tasks = []
        for recent_tasks_item_data in self.recent_tasks:
            recent_tasks_item = recent_tasks_item_data.to_dict()
            recent_tasks.append(recent_tasks_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tasks_by_status": tasks_by_status,
                "task_count": task_count,
                "project_count": project_count,
                "user_count": user_count,
                "recent_tasks": recent_tasks,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.overview_tasks_by_status import OverviewTasksByStatus  # noqa: PLC0415
        from ..models.task import Task  # noqa: PLC0415

        d = dict(src_dict)
        tasks_by_status = OverviewTasksByStatus.from_dict(d.pop("tasks_by_status"))

        task_count = d.pop("task_count")

        project_count = d.pop("project_count")

        user_count = d.pop("user_count")

        recent_tasks = []
        _recent_tasks = d.pop("recent_tasks")
        for recent_tasks_item_data in _recent_tasks:
            recent_tasks_item = Task.from_dict(recent_tasks_item_data)

            recent_tasks.append(recent_tasks_item)

        overview = cls(
            tasks_by_status=tasks_by_status,
            task_count=task_count,
            project_count=project_count,
            user_count=user_count,
            recent_tasks=recent_tasks,
        )

        overview.additional_properties = d
        return overview

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
