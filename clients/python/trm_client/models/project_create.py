from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.project_status import ProjectStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProjectCreate")


@_attrs_define
class ProjectCreate:
    """A new project. `title` (or its alias `name`, not both) is required, the rest optional; `parent_project_id` is an
    alias of `parent_id` (not both). A property not listed here is a 422 (`extra_forbidden`).

        Example:
            {'description': 'Everything for the launch', 'parent_id': '3f0b6c9e-8d1a-4c2b-9e5f-1a2b3c4d5e6f', 'status':
                'on_hold', 'title': 'Launch'}

        Attributes:
            title (str | Unset): Trimmed; 1–200 characters after trimming.
            name (str | Unset): An alias of `title`, as TRM-OS's clients send it: give one of the
                two, not both (a 422 at `["body", "name"]`). Responses say `title`.
            description (None | str | Unset): Up to 10,000 characters.
            status (ProjectStatus | Unset): Where a project is in its life. Always written as one of the canonical values
                listed in `enum`. On input the EnumAdapter normalizes the spelling: case, spaces, hyphens, underscores and
                camelCase boundaries are ignored (`In Progress`, `IN_PROGRESS`, `in-progress` and `inProgress` are all the same
                value). Any other value is a 422 whose message lists the accepted values.
            parent_id (None | Unset | UUID): The project this one is a sub-project of; absent or `null` for a
                top-level project. It must exist (422), and projects nest at most 10
                levels deep, the top-level one included (422 beyond).
            parent_project_id (None | Unset | UUID): An alias of `parent_id`, as TRM-OS's clients send it: give one of
                the two, not both (a 422 at `["body", "parent_project_id"]`).
                Responses say `parent_id`.
    """

    title: str | Unset = UNSET
    name: str | Unset = UNSET
    description: None | str | Unset = UNSET
    status: ProjectStatus | Unset = UNSET
    parent_id: None | Unset | UUID = UNSET
    parent_project_id: None | Unset | UUID = UNSET

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

        parent_id: None | str | Unset
        if isinstance(self.parent_id, Unset):
            parent_id = UNSET
        elif isinstance(self.parent_id, UUID):
            parent_id = str(self.parent_id)
        else:
            parent_id = self.parent_id

        parent_project_id: None | str | Unset
        if isinstance(self.parent_project_id, Unset):
            parent_project_id = UNSET
        elif isinstance(self.parent_project_id, UUID):
            parent_project_id = str(self.parent_project_id)
        else:
            parent_project_id = self.parent_project_id

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
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id
        if parent_project_id is not UNSET:
            field_dict["parent_project_id"] = parent_project_id

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
        status: ProjectStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = ProjectStatus(_status)

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

        def _parse_parent_project_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_project_id_type_0 = UUID(data)

                return parent_project_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        parent_project_id = _parse_parent_project_id(d.pop("parent_project_id", UNSET))

        project_create = cls(
            title=title,
            name=name,
            description=description,
            status=status,
            parent_id=parent_id,
            parent_project_id=parent_project_id,
        )

        return project_create
