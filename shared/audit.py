"""The audit trail's entry: who did what to what, when and from where.

Each service writes the entries of its own actions in the transaction of the change: the users
service straight into its `audit_entries` table, the importer and the enrollments service into
their outbox as `audit.recorded` events, which the users service collects into the same table
(idempotent by the entry's id). `GET /api/v1/audit` (users service) lists that table.

An entry never holds a password or a hash: a user change names the fields that changed, not their
values, and `AuditEntry.new` refuses details that carry a secret's key.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from shared.events.envelope import utc_timestamp

AUDIT_RECORDED = "audit.recorded"
LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
USER_CREATED = "user.created"
USER_UPDATED = "user.updated"
SCHOOL_FUNCTION_CREATED = "school_function.created"
SCHOOL_FUNCTION_UPDATED = "school_function.updated"
IMPORT_STARTED = "import.started"
IMPORT_CANCELLED = "import.cancelled"
IMPORT_COMPLETED = "import.completed"
IMPORT_DELETED = "import.deleted"
ENROLLMENT_CREATED = "enrollment.created"
ENROLLMENT_DELETED = "enrollment.deleted"
ENROLLMENT_UPDATED = "enrollment.updated"
SCHEDULE_PROJECT_UPDATED = "schedule_project.updated"
SCHEDULE_PROJECT_DELETED = "schedule_project.deleted"
DEPARTMENT_UPDATED = "department.updated"
DEPARTMENT_DELETED = "department.deleted"
LEARNING_PATH_UPDATED = "learning_path.updated"
LEARNING_PATH_DELETED = "learning_path.deleted"
ACTIONS = (LOGIN, LOGIN_FAILED, USER_CREATED, USER_UPDATED, SCHOOL_FUNCTION_CREATED, SCHOOL_FUNCTION_UPDATED,
           IMPORT_STARTED, IMPORT_CANCELLED, IMPORT_COMPLETED, IMPORT_DELETED, ENROLLMENT_CREATED, ENROLLMENT_DELETED,
           ENROLLMENT_UPDATED, SCHEDULE_PROJECT_UPDATED, SCHEDULE_PROJECT_DELETED, DEPARTMENT_UPDATED,
           DEPARTMENT_DELETED, LEARNING_PATH_UPDATED, LEARNING_PATH_DELETED)
# Keys that would carry a secret; details never hold them, at any depth.
SECRET_KEYS = frozenset({"password", "password_hash", "hash", "token", "access_token", "refresh_token"})
MAX_CLIENT_LENGTH = 64


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: str  # ISO 8601 UTC with microseconds, so the text sorts as the time does
    actor: str | None
    action: str
    target: str | None
    details: dict[str, Any] = field(default_factory=dict)
    client: str | None = None

    @classmethod
    def new(cls, action: str, actor: str | None, target: str | None, details: Mapping[str, Any] | None = None,
            client: str | None = None, at: datetime | None = None) -> AuditEntry:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        body = dict(details or {})
        _refuse_secrets(body)
        return cls(id=str(uuid.uuid4()), at=utc_timestamp(at), actor=actor or None, action=action,
                   target=target, details=body, client=(client or None) and client[:MAX_CLIENT_LENGTH])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> AuditEntry:
        details = dict(body.get("details") or {})
        _refuse_secrets(details)
        return cls(id=str(body["id"]), at=str(body["at"]), actor=body.get("actor"), action=str(body["action"]),
                   target=body.get("target"), details=details, client=body.get("client"))


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The names of the fields whose values differ (the values themselves stay out of the trail)."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def _refuse_secrets(value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in SECRET_KEYS:
                raise ValueError(f"audit details may not hold {key!r}")
            _refuse_secrets(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_secrets(item)
