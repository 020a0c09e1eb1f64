from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_response_data import EventResponseData
    from ..models.event_response_metadata import EventResponseMetadata


T = TypeVar("T", bound="EventResponse")


@_attrs_define
class EventResponse:
    """One domain event, as the SSE stream's `data:` and the history carry it.

    Attributes:
        event_id (UUID): Unique id; the SSE `id:` field, and what `Last-Event-ID` resumes after.
        event_type (str): `task.created`, `task.updated`, `task.completed`, `task.deleted`, and
            the same `created`/`updated`/`deleted` for `project.` and `user.`. Example: task.created.
        timestamp (datetime.datetime): When the event happened (RFC 3339, UTC, microseconds). Example:
            2026-11-26T03:12:45.123456Z.
        entity_type (str): `task`, `project` or `user`. Example: task.
        entity_id (UUID): The entity's id.
        data (EventResponseData): The entity after the change; `{"uid": …}` for a deletion.
        metadata (EventResponseMetadata): `{"request_id": …}`: the `x-request-id` of the request that caused it.
    """

    event_id: UUID
    event_type: str
    timestamp: datetime.datetime
    entity_type: str
    entity_id: UUID
    data: EventResponseData
    metadata: EventResponseMetadata
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_id = str(self.event_id)

        event_type = self.event_type

        timestamp = self.timestamp.isoformat()

        entity_type = self.entity_type

        entity_id = str(self.entity_id)

        data = self.data.to_dict()

        metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_id": event_id,
                "event_type": event_type,
                "timestamp": timestamp,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "data": data,
                "metadata": metadata,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_response_data import EventResponseData  # noqa: PLC0415
        from ..models.event_response_metadata import EventResponseMetadata  # noqa: PLC0415

        d = dict(src_dict)
        event_id = UUID(d.pop("event_id"))

        event_type = d.pop("event_type")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        entity_type = d.pop("entity_type")

        entity_id = UUID(d.pop("entity_id"))

        data = EventResponseData.from_dict(d.pop("data"))

        metadata = EventResponseMetadata.from_dict(d.pop("metadata"))

        event_response = cls(
            event_id=event_id,
            event_type=event_type,
            timestamp=timestamp,
            entity_type=entity_type,
            entity_id=entity_id,
            data=data,
            metadata=metadata,
        )

        event_response.additional_properties = d
        return event_response

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
