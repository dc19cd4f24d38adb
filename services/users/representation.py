"""The user as the contract shows it: never a password or its hash."""

from __future__ import annotations

from typing import Any

from services.users.domain import User
from shared.events.envelope import utc_timestamp


def user_representation(user: User) -> dict[str, Any]:
    return {
        "code": user.code,
        "first_name": user.first_name,
        "prefix": user.prefix,
        "last_name": user.last_name,
        "email": user.email,
        "is_student": user.is_student,
        "is_employee": user.is_employee,
        "is_family_member": user.is_family_member,
        "school_functions": sorted(user.school_functions),
        "login_method": user.login_method,
        "has_password": user.password_hash is not None,
        "archived": user.archived,
        "created_at": utc_timestamp(user.created_at),
        "updated_at": utc_timestamp(user.updated_at),
    }
