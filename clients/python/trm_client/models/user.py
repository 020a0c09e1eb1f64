from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """Someone tasks can be assigned to.

    Example:
        {'created_at': '2026-11-26T03:12:45.123456Z', 'email': 'ada@example.com', 'full_name': 'Ada Lovelace',
            'is_active': True, 'uid': '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d', 'updated_at': '2026-11-26T03:12:45.123456Z',
            'username': 'ada.lovelace', 'version': 1}

    Attributes:
        uid (UUID): Server-generated UUID.
        username (str): 3–64 letters, digits, `_`, `.` or `-`, as the user wrote it; unique
            regardless of case.
        email (str): The user's address.
        full_name (None | str): Display name, 1–200 characters, or `null`.
        is_active (bool): Whether the user is active; inactive users keep their tasks.
        created_at (datetime.datetime): Creation time (UTC, microseconds).
        updated_at (datetime.datetime): Last change (UTC, microseconds).
        version (int): Starts at 1 and grows by one on every update that changes something:
            the basis of optimistic concurrency, the `ETag` is this number in quotes.
    """

    uid: UUID
    username: str
    email: str
    full_name: None | str
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        uid = str(self.uid)

        username = self.username

        email = self.email

        full_name: None | str
        full_name = self.full_name

        is_active = self.is_active

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "uid": uid,
                "username": username,
                "email": email,
                "full_name": full_name,
                "is_active": is_active,
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

        username = d.pop("username")

        email = d.pop("email")

        def _parse_full_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        full_name = _parse_full_name(d.pop("full_name"))

        is_active = d.pop("is_active")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        user = cls(
            uid=uid,
            username=username,
            email=email,
            full_name=full_name,
            is_active=is_active,
            created_at=created_at,
            updated_at=updated_at,
            version=version,
        )

        user.additional_properties = d
        return user

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
