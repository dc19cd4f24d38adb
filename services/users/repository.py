"""Users and school functions in SQL; the unit of work owns the session and commits."""

from __future__ import annotations

from datetime import datetime, timezone

import operator

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.users.domain import SchoolFunction, User, user_exists
from services.users.orm import SchoolFunctionRow, UserRow, user_school_functions
from shared.db import copy_insert, copy_rows, is_postgresql, one_of

_USER_COLUMNS = (
    "code", "first_name", "prefix", "last_name", "email", "is_student", "is_employee",
    "is_family_member", "login_method", "password_hash", "archived", "created_at", "updated_at",
)
_user_values = operator.attrgetter(*_USER_COLUMNS)
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
        self._ids: dict[str, int] = {}

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

    def get_many(self, codes: list[str], for_update: bool = False) -> dict[str, User]:
        """The users with these codes, by code, in one query (plus one for their functions)."""
        if not codes:
            return {}
        query = select(UserRow).where(one_of(UserRow.code, codes, self.session.connection())).order_by(UserRow.code)
        if for_update:
            query = query.with_for_update()
        rows = list(self.session.scalars(query))
        functions = self._functions_of([row.id for row in rows])
        self._ids.update({row.code: row.id for row in rows})
        return {row.code: self._to_user(row, functions.get(row.id, set())) for row in rows}

    def insert_many(self, users: list[User]) -> set[str]:
        """Insert in bulk; a code that exists already (another import won the race) is left out
        of the insert and of the returned set of inserted codes."""
        if not users:
            return set()
        connection = self.session.connection()
        rows = [_user_values(user) for user in users]
        if is_postgresql(connection):
            inserted = {code: user_id for user_id, code in copy_insert(
                connection, "users", _USER_COLUMNS, rows, conflict=("code",), returning=("id", "code"))}
        else:
            statement = (sqlite_insert(UserRow.__table__).on_conflict_do_nothing(index_elements=["code"])
                         .returning(UserRow.__table__.c.id, UserRow.__table__.c.code))
            result = connection.execute(statement, [dict(zip(_USER_COLUMNS, row)) for row in rows])
            inserted = {code: user_id for user_id, code in result}
        self._ids.update(inserted)
        links = [(inserted[user.code], function)
                 for user in users if user.code in inserted for function in user.school_functions]
        if links and is_postgresql(connection):
            copy_rows(connection, "user_school_functions", ("user_id", "function_code"), links)
        elif links:
            connection.execute(insert(user_school_functions),
                               [{"user_id": user_id, "function_code": code} for user_id, code in links])
        return set(inserted)

    def update_many(self, changes: list[tuple[User, User]]) -> None:
        """Write (before, after) pairs in bulk: one UPDATE statement executed for many rows."""
        if not changes:
            return
        table = UserRow.__table__
        statement = update(table).where(table.c.id == bindparam("row_id"))
        self.session.connection().execute(statement, [
            {"row_id": self._ids[after.code], **{name: getattr(after, name) for name in _USER_COLUMNS if name != "code"}}
            for _, after in changes
        ])
        moved = [(before, after) for before, after in changes if before.school_functions != after.school_functions]
        if moved:
            ids = [self._ids[after.code] for _, after in moved]
            self.session.execute(delete(user_school_functions).where(user_school_functions.c.user_id.in_(ids)))
            links = [{"user_id": self._ids[after.code], "function_code": function}
                     for _, after in moved for function in sorted(after.school_functions)]
            if links:
                self.session.execute(insert(user_school_functions), links)

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
            .where(one_of(user_school_functions.c.user_id, user_ids, self.session.connection()))
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
