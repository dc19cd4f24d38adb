"""Commands to the users service, built from JSON with every field's type checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.users.domain import TYPE_FIELDS, check_name
from shared.errors import InvalidInput
from shared.http import only_fields

TEXT_FIELDS = ("first_name", "prefix", "last_name", "email", "password", "login_method")
USER_FIELDS = ("code", *TEXT_FIELDS, *TYPE_FIELDS, "school_functions")


@dataclass(frozen=True)
class CreateUser:
    code: str
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CreateUser:
        only_fields(body, USER_FIELDS)
        if "code" not in body:
            raise InvalidInput("invalid_code", "code is required.", field="code")
        values = _typed_values(body)
        return cls(code=body["code"], values=values)


@dataclass(frozen=True)
class UpdateUser:
    code: str
    changes: dict[str, Any]

    @classmethod
    def from_json(cls, code: str, body: dict[str, Any]) -> UpdateUser:
        if "code" in body:
            raise InvalidInput("code_not_changeable", "A user's code cannot be changed.", field="code")
        only_fields(body, (*USER_FIELDS, "archived"))
        changes = _typed_values(body)
        if "archived" in body:
            changes["archived"] = _boolean(body, "archived")
        return cls(code=code, changes=changes)


@dataclass(frozen=True)
class PutSchoolFunction:
    code: str
    name: str
    rights: list[str]

    @classmethod
    def from_json(cls, body: dict[str, Any], code: str | None = None) -> PutSchoolFunction:
        only_fields(body, ("code", "name", "rights"))
        code = body.get("code", code) if code is None else code
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("invalid_name", "name must be a non-empty text.", field="name")
        check_name("name", name)  # a name's length and characters, as for a user's names
        rights = body.get("rights", [])
        if not isinstance(rights, list) or not all(isinstance(right, str) for right in rights):
            raise InvalidInput("invalid_type", "rights must be a list of texts.", field="rights")
        return cls(code=code, name=name, rights=rights)


def _typed_values(body: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in body:
            value = body[name]
            if value is not None and not isinstance(value, str):
                raise InvalidInput("invalid_type", f"{name} must be a text or null.", field=name)
            if value is None and name == "login_method":
                raise InvalidInput("invalid_login_method", "login_method cannot be null.", field=name)
            values[name] = value
    for name in TYPE_FIELDS:
        if name in body:
            values[name] = _boolean(body, name)
    if "school_functions" in body:
        functions = body["school_functions"]
        if not isinstance(functions, list) or not all(isinstance(code, str) for code in functions):
            raise InvalidInput(
                "invalid_type", "school_functions must be a list of codes.", field="school_functions"
            )
        values["school_functions"] = set(functions)
    return values


def _boolean(body: dict[str, Any], name: str) -> bool:
    value = body[name]
    if not isinstance(value, bool):
        raise InvalidInput("invalid_type", f"{name} must be true or false.", field=name)
    return value
