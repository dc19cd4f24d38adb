"""The shapes of the users service's answers, for its OpenAPI document (see `representation.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from services.users.commands import LoginMethod, Right
from shared.api_types import Answer, list_of


class Token(Answer):
    """An access token (15 minutes) and, unless asked for in a cookie, the session's next refresh token"""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    refresh_token: str | None = None


class User(Answer):
    """A user (never a password or its hash)"""

    code: str
    first_name: str | None
    prefix: str | None
    last_name: str | None
    email: str | None
    is_student: bool
    is_employee: bool
    is_family_member: bool
    school_functions: list[str]
    login_method: LoginMethod
    has_password: bool
    archived: bool
    created_at: datetime
    updated_at: datetime


class Rights(Answer):
    """The user's effective rights"""

    rights: list[Right]


class SchoolFunction(Answer):
    """A school function with its rights"""

    code: str
    name: str
    rights: list[Right]


class AuditEntry(Answer):
    """An entry of the audit trail: who (`actor`, a user's code; null for the system) did what
    (`action`) to what (`target`), when (`at`), from which address (`client`); `details` never
    holds a password or a hash"""

    id: str
    at: datetime
    actor: str | None
    action: str
    target: str | None
    details: dict
    client: str | None


UserList = list_of(User)
AuditEntryList = list_of(AuditEntry)
SchoolFunctionList = list_of(SchoolFunction)
