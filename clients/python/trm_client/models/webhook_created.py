from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WebhookCreated")


@_attrs_define
class WebhookCreated:
    """The answer to a subscription's creation: the subscription and its
    secret, shown this once.

        Example:
            {'active': True, 'created_at': '2026-11-26T03:12:45.123456Z', 'description': 'New tasks to the agents',
                'disabled_reason': None, 'event_types': ['task.created'], 'id': '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
                'secret': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'updated_at': '2026-11-26T03:12:45.123456Z', 'url':
                'https://hooks.example.com/trm'}

        Attributes:
            id (UUID): Server-generated UUID.
            url (str): Where deliveries go.
            event_types (list[str]): The event types it receives; empty: all.
            description (None | str): What it is for.
            active (bool): Whether deliveries are made: `true`.
            disabled_reason (None | str): `null`.
            secret (str): The signing secret, `whsec_` and the base64 of its key: verify
                deliveries with it. Shown only here.
            created_at (datetime.datetime): Creation time (UTC, microseconds).
            updated_at (datetime.datetime): Last change (UTC, microseconds).
    """

    id: UUID
    url: str
    event_types: list[str]
    description: None | str
    active: bool
    disabled_reason: None | str
    secret: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        url = self.url

        event_types = self.event_types

        description: None | str
        description = self.description

        active = self.active

        disabled_reason: None | str
        disabled_reason = self.disabled_reason

        secret = self.secret

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "url": url,
                "event_types": event_types,
                "description": description,
                "active": active,
                "disabled_reason": disabled_reason,
                "secret": secret,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        url = d.pop("url")

        event_types = cast(list[str], d.pop("event_types"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        active = d.pop("active")

        def _parse_disabled_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason"))

        secret = d.pop("secret")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        webhook_created = cls(
            id=id,
            url=url,
            event_types=event_types,
            description=description,
            active=active,
            disabled_reason=disabled_reason,
            secret=secret,
            created_at=created_at,
            updated_at=updated_at,
        )

        webhook_created.additional_properties = d
        return webhook_created

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
