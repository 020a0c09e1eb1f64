from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.project_status import ProjectStatus

T = TypeVar("T", bound="Project")


@_attrs_define
class Project:
    """A body of work that tasks are part of.

    Example:
        {'created_at': '2026-11-26T03:12:45.123456Z', 'description': 'Everything for the launch', 'parent_id': None,
            'status': 'active', 'title': 'Launch', 'uid': '9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d', 'updated_at':
            '2026-11-26T03:12:45.123456Z', 'version': 1}

    Attributes:
        uid (UUID): Server-generated UUID.
        title (str): What the project is: trimmed, 1–200 characters.
        description (None | str): Details, up to 10,000 characters.
        status (ProjectStatus): Where a project is in its life. Always written as one of the canonical values listed in
            `enum`. On input the EnumAdapter normalizes the spelling: case, spaces, hyphens, underscores and camelCase
            boundaries are ignored (`In Progress`, `IN_PROGRESS`, `in-progress` and `inProgress` are all the same value).
            Any other value is a 422 whose message lists the accepted values.
        parent_id (None | UUID): The project this one is a sub-project of (`IS_SUBPROJECT_OF`), or
            `null` for a top-level project. Projects nest at most
            [`MAX_PROJECT_LEVELS`] levels deep and never in a cycle.
        created_at (datetime.datetime): Creation time (UTC, microseconds).
        updated_at (datetime.datetime): Last change (UTC, microseconds).
        version (int): Starts at 1 and grows by one on every update that changes something:
            the basis of optimistic concurrency, the `ETag` is this number in quotes.
    """

    uid: UUID
    title: str
    description: None | str
    status: ProjectStatus
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

        status = ProjectStatus(d.pop("status"))

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

        project = cls(
            uid=uid,
            title=title,
            description=description,
            status=status,
            parent_id=parent_id,
            created_at=created_at,
            updated_at=updated_at,
            version=version,
        )

        project.additional_properties = d
        return project

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
