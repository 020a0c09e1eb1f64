from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UserCreate")


@_attrs_define
class UserCreate:
    """A new user. `username` and `email` are required, the rest optional; a property not listed here is a 422
    (`extra_forbidden`). A username already taken, in any case, is a 409.

        Example:
            {'email': 'ada@example.com', 'full_name': 'Ada Lovelace', 'is_active': True, 'username': 'ada.lovelace'}

        Attributes:
            username (str): 3–64 letters, digits, `_`, `.` or `-` (surrounding whitespace is
                trimmed); unique regardless of case. Kept as written.
            email (str): A valid address: `local@domain.tld`, at most 254 characters, no
                spaces.
            full_name (None | str | Unset): Trimmed; 1–200 characters. Defaults to `null`.
            is_active (bool | Unset): Defaults to `true`. A JSON boolean: `"true"` or `1` is a 422. Default: True.
    """

    username: str
    email: str
    full_name: None | str | Unset = UNSET
    is_active: bool | Unset = True

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

        field_dict.update(
            {
                "username": username,
                "email": email,
            }
        )
        if full_name is not UNSET:
            field_dict["full_name"] = full_name
        if is_active is not UNSET:
            field_dict["is_active"] = is_active

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        username = d.pop("username")

        email = d.pop("email")

        def _parse_full_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        full_name = _parse_full_name(d.pop("full_name", UNSET))

        is_active = d.pop("is_active", UNSET)

        user_create = cls(
            username=username,
            email=email,
            full_name=full_name,
            is_active=is_active,
        )

        return user_create
