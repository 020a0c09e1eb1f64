from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UserUpdate")


@_attrs_define
class UserUpdate:
    """A change to a user: properties present are changed, properties absent are kept, and `null` clears `full_name`
    (`null` for the others is a 422). A property not listed here is a 422 (`extra_forbidden`). Renaming to a username
    already taken, in any case, is a 409.

        Example:
            {'full_name': None, 'is_active': False}

        Attributes:
            username (str | Unset): 3–64 letters, digits, `_`, `.` or `-`; unique regardless of case.
            email (str | Unset): A valid address.
            full_name (None | str | Unset): Trimmed; 1–200 characters; `null` clears it.
            is_active (bool | Unset): Activate (`true`) or deactivate (`false`) the user; their tasks stay
                assigned either way.
    """

    username: str | Unset = UNSET
    email: str | Unset = UNSET
    full_name: None | str | Unset = UNSET
    is_active: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        username = self.username

        email = self.email

        full_name: None | str | Unset
        if isinstance(self.full_name, Unset):
            full_name = UNSET
        else:
            full_name = self.full_name

        is_active = self.is_active

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if username is not UNSET:
            field_dict["username"] = username
        if email is not UNSET:
            field_dict["email"] = email
        if full_name is not UNSET:
            field_dict["full_name"] = full_name
        if is_active is not UNSET:
            field_dict["is_active"] = is_active

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        username = d.pop("username", UNSET)

        email = d.pop("email", UNSET)

        def _parse_full_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        full_name = _parse_full_name(d.pop("full_name", UNSET))

        is_active = d.pop("is_active", UNSET)

        user_update = cls(
            username=username,
            email=email,
            full_name=full_name,
            is_active=is_active,
        )

        return user_update
