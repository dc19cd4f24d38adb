"""Users and school functions in SQL; the unit of work owns the session and commits."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.users.domain import SchoolFunction, User, user_exists
from services.users.orm import SchoolFunctionRow, UserRow, user_school_functions

_USER_COLUMNS = (
    "code", "first_name", "prefix", "last_name", "email", "is_student", "is_employee",
    "is_family_member", "login_method", "password_hash", "archived", "created_at", "updated_at",
)
_TYPE_COLUMNS = {
    "student": UserRow.is_student,
    "employee": UserRow.is_employee,
    "family_member": UserRow.is_family_member,
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SqlAlchemyUserRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, code: str, for_update: bool = False) -> User | None:
        query = select(UserRow).where(UserRow.code == code)
        if for_update:
            query = query.with_for_update()
        row = self.session.scalars(query).one_or_none()
        if row is None:
            return None
        return self._to_user(row, self._functions_of([row.id]).get(row.id, set()))

    def add(self, user: User) -> None:
        row = UserRow(**{name: getattr(user, name) for name in _USER_COLUMNS})
        self.session.add(row)
        try:
            with self.session.begin_nested():
                self.session.flush()
        except IntegrityError:
            raise user_exists(user.code) from None
        self._replace_functions(row.id, user.school_functions)

    def save(self, user: User) -> None:
        row = self.session.scalars(select(UserRow).where(UserRow.code == user.code)).one()
        for name in _USER_COLUMNS:
            setattr(row, name, getattr(user, name))
        self.session.flush()
        self._replace_functions(row.id, user.school_functions)

    def list(
        self,
        user_type: str | None = None,
        archived: bool | None = None,
        text: str | None = None,
        after_code: str | None = None,
        limit: int = 100,
    ) -> list[User]:
        query = select(UserRow).order_by(UserRow.code).limit(limit)
        if user_type is not None:
            query = query.where(_TYPE_COLUMNS[user_type].is_(True))
        if archived is not None:
            query = query.where(UserRow.archived.is_(archived))
        if text:
            needle = text.lower()
            query = query.where(
                or_(*(
                    column.ilike(f"%{_escape_like(needle)}%", escape="\\")
                    for column in (UserRow.code, UserRow.first_name, UserRow.last_name, UserRow.email)
                ))
            )
        if after_code is not None:
            query = query.where(UserRow.code > after_code)
        rows = list(self.session.scalars(query))
        functions = self._functions_of([row.id for row in rows])
        return [self._to_user(row, functions.get(row.id, set())) for row in rows]

    def functions(self) -> list[SchoolFunction]:
        rows = self.session.scalars(select(SchoolFunctionRow).order_by(SchoolFunctionRow.code))
        return [SchoolFunction(row.code, row.name, tuple(row.rights)) for row in rows]

    def get_function(self, code: str) -> SchoolFunction | None:
        row = self.session.get(SchoolFunctionRow, code)
        return None if row is None else SchoolFunction(row.code, row.name, tuple(row.rights))

    def put_function(self, function: SchoolFunction) -> None:
        row = self.session.get(SchoolFunctionRow, function.code)
        if row is None:
            self.session.add(SchoolFunctionRow(code=function.code, name=function.name, rights=list(function.rights)))
        else:
            row.name, row.rights = function.name, list(function.rights)
        self.session.flush()

    def _functions_of(self, user_ids: list[int]) -> dict[int, set[str]]:
        if not user_ids:
            return {}
        links = self.session.execute(
            select(user_school_functions.c.user_id, user_school_functions.c.function_code)
            .where(user_school_functions.c.user_id.in_(user_ids))
        )
        result: dict[int, set[str]] = {}
        for user_id, function_code in links:
            result.setdefault(user_id, set()).add(function_code)
        return result

    def _replace_functions(self, user_id: int, functions: set[str]) -> None:
        self.session.execute(delete(user_school_functions).where(user_school_functions.c.user_id == user_id))
        if functions:
            self.session.execute(
                insert(user_school_functions),
                [{"user_id": user_id, "function_code": code} for code in sorted(functions)],
            )

    @staticmethod
    def _to_user(row: UserRow, functions: set[str]) -> User:
        return User(**{name: getattr(row, name) for name in _USER_COLUMNS}, school_functions=set(functions))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
