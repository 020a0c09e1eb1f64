from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.task import Task


T = TypeVar("T", bound="TaskAtDepth")


@_attrs_define
class TaskAtDepth:
    """A task reached by a walk of the task graph (`…/blockers`,
    `…/dependents`), with how far it is.

        Attributes:
            depth (int): The fewest `BLOCKS` edges between it and the task walked from: 1 for
                a direct blocker or dependent.
            task (Task): A unit of work, optionally part of a project and assigned to a user.

                Serializes to exactly the API's response body, which events carry too:
                one shape, written once. Example: {'assignee_id': None, 'blocked_by': ['5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b'],
                'completed_at': None, 'created_at': '2026-11-26T03:12:45.123456Z', 'description': None, 'due_date':
                '2026-12-01T00:00:00.000000Z', 'effort_estimate': 3.5, 'effort_unit': 'hours', 'parent_id': None, 'priority': 1,
                'project_id': '9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d', 'start_date': '2026-11-26T00:00:00.000000Z', 'status':
                'in_progress', 'tags': ['docs', 'api'], 'task_type': 'documentation', 'title': 'Write the docs', 'uid':
                '3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f', 'updated_at': '2026-11-26T04:01:02.654321Z', 'version': 2}.
    """

    depth: int
    task: Task
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        depth = self.depth

        task = self.task.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "depth": depth,
                "task": task,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task import Task  # noqa: PLC0415

        d = dict(src_dict)
        depth = d.pop("depth")

        task = Task.from_dict(d.pop("task"))

        task_at_depth = cls(
            depth=depth,
            task=task,
        )

        task_at_depth.additional_properties = d
        return task_at_depth

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
