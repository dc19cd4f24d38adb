"""Commands to the users service, each read from its JSON body through a typed request definition."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from services.users.domain import (
    EMAIL_ADDRESS,
    LOGIN_METHODS,
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
)
from shared.api_types import MAX_LIST_LENGTH, Body, Code, read_body, text
from shared.errors import InvalidInput
from shared.rights import RIGHTS

PersonName = Annotated[str, text(MAX_NAME_LENGTH)]
# An empty e-mail address is no address; otherwise what <input type="email"> accepts.
Email = Annotated[str, Field(max_length=MAX_EMAIL_LENGTH, pattern=rf"^(?:{EMAIL_ADDRESS})?\Z")]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH,
                                pattern=r"^[^\x00]*\Z")]
LoginMethod = Literal[LOGIN_METHODS]  # type: ignore[valid-type]
Codes = Annotated[list[Code], Field(max_length=MAX_LIST_LENGTH)]
Right = Literal[RIGHTS]  # type: ignore[valid-type]


RefreshToken = Annotated[str, Field(max_length=256)]
AsCookie = Annotated[bool, Field(description="true: the refresh token comes in an HttpOnly cookie scoped to "
                                             "/api/v1/auth instead of the answer (browsers)")]


class TokenRequest(Body):
    code: Annotated[str, Field(max_length=256)]
    password: Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH)]
    cookie: AsCookie = False


class RefreshRequest(Body):
    """The refresh token in the body, or (left out) in the session cookie with `X-Requested-With: portal`."""

    refresh_token: RefreshToken | None = None
    cookie: AsCookie = False


class LogoutRequest(Body):
    """The refresh token of the session to end; left out: the cookie's, else the access token's session."""

    refresh_token: RefreshToken | None = None


class UserFields(Body):
    """What a user body may set; a field left out stays as it is (or the default, for a new user)."""

    error_codes = {"code": "invalid_code", "email": "invalid_email", "password": "invalid_password",
                   "login_method": "invalid_login_method", "school_functions": "unknown_school_function"}

    first_name: PersonName | None = None
    prefix: PersonName | None = None
    last_name: PersonName | None = None
    email: Email | None = None
    password: Password | None = Field(None, description="null or left out: the password stays as it is")
    login_method: LoginMethod = "password"
    is_student: bool = False
    is_employee: bool = False
    is_family_member: bool = False
    school_functions: Codes = Field(default_factory=list)


class UserCreate(UserFields):
    # A student's code is the student number: the document says so as the domain does.
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"is_student": {"const": True}}, "required": ["is_student"]},
        "then": {"properties": {"code": {"pattern": r"^[0-9]+\Z"}}}})

    code: Code


class UserPatch(UserFields):
    archived: bool = False

    @model_validator(mode="before")
    @classmethod
    def code_stays(cls, body: Any) -> Any:
        if isinstance(body, dict) and "code" in body:
            raise InvalidInput("code_not_changeable", "A user's code cannot be changed.", field="code")
        return body


class SchoolFunctionReplace(Body):
    """A school function's name and rights (the path names it; a `code` here is not read)."""

    error_codes = {"code": "invalid_code", "name": "invalid_name", "rights": "unknown_right"}

    code: Code | None = None
    name: Annotated[str, text(MAX_NAME_LENGTH, blank=False)]
    rights: Annotated[list[Right], Field(max_length=MAX_LIST_LENGTH)] = Field(default_factory=list)


class SchoolFunctionCreate(SchoolFunctionReplace):
    code: Code


class SchoolFunctionPatch(Body):
    """A school function's new name, new rights or both; what is left out stays as it is."""

    error_codes = {"name": "invalid_name", "rights": "unknown_right"}

    name: Annotated[str, text(MAX_NAME_LENGTH, blank=False)] = None  # type: ignore[assignment]
    rights: Annotated[list[Right], Field(max_length=MAX_LIST_LENGTH)] = None  # type: ignore[assignment]


@dataclass(frozen=True)
class CreateUser:
    code: str
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CreateUser:
        values = _values(read_body(UserCreate, body))
        return cls(code=values.pop("code"), values=values)


@dataclass(frozen=True)
class UpdateUser:
    code: str
    changes: dict[str, Any]

    @classmethod
    def from_json(cls, code: str, body: dict[str, Any]) -> UpdateUser:
        return cls(code=code, changes=_values(read_body(UserPatch, body)))


@dataclass(frozen=True)
class PutSchoolFunction:
    code: str
    name: str
    rights: list[str]

    @classmethod
    def from_json(cls, body: dict[str, Any], code: str | None = None) -> PutSchoolFunction:
        function = read_body(SchoolFunctionCreate if code is None else SchoolFunctionReplace, body)
        if not function.name.strip():
            raise InvalidInput("invalid_name", "name must be a non-empty text.", field="name")
        return cls(code=code or function.code or "", name=function.name, rights=list(function.rights))


@dataclass(frozen=True)
class ChangeSchoolFunction:
    """A PATCH of a school function: None leaves the name or the rights as they are."""

    code: str
    name: str | None = None
    rights: list[str] | None = None

    @classmethod
    def from_json(cls, code: str, body: dict[str, Any]) -> ChangeSchoolFunction:
        change = read_body(SchoolFunctionPatch, body)
        return cls(code=code, name=change.name, rights=None if change.rights is None else list(change.rights))


def _values(body: UserFields) -> dict[str, Any]:
    values = body.given()
    if "school_functions" in values:
        values["school_functions"] = set(values["school_functions"])
    return values
