"""Users and school functions in SQL; the unit of work owns the session and commits."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import Text, bindparam, cast, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.users.domain import TYPE_FLAGS, SchoolFunction, User, user_exists
from services.users.orm import SchoolFunctionRow, UserRow
from shared.db import copy_insert, is_postgresql, one_of
from shared.jsontext import to_json
from shared.policy import ACTIVE_LOGIN_METHODS, MANAGER_FUNCTION

_USER_COLUMNS = (
    "code", "first_name", "prefix", "last_name", "email", "is_student", "is_employee",
    "is_family_member", "login_method", "password_hash", "archived", "created_at", "updated_at",
)
_user_values = operator.attrgetter(*_USER_COLUMNS)
_TYPE_COLUMNS = {user_type: getattr(UserRow, flag) for user_type, flag in TYPE_FLAGS.items()}


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
        return self._to_user(row)

    def add(self, user: User) -> None:
        self.session.add(UserRow(**_row_values(user)))
        try:
            with self.session.begin_nested():
                self.session.flush()
        except IntegrityError:
            raise user_exists(user.code) from None

    def save(self, user: User) -> None:
        row = self.session.scalars(select(UserRow).where(UserRow.code == user.code)).one()
        for name, value in _row_values(user).items():
            setattr(row, name, value)
        self.session.flush()

    def list_users(
        self,
        user_type: str | None = None,
        archived: bool | None = None,
        text: str | None = None,
        after_code: str | None = None,
        limit: int = 100,
        changed_since: datetime | None = None,
    ) -> list[User]:
        query = select(UserRow).order_by(UserRow.code).limit(limit)
        if changed_since is not None:
            query = query.where(UserRow.updated_at >= changed_since.astimezone(UTC))  # SQLite compares the text
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
        return [self._to_user(row) for row in self.session.scalars(query)]

    def get_many(self, codes: list[str], for_update: bool = False) -> dict[str, User]:
        """The users with these codes, by code, in one query. Plain tuples, not ORM objects nor
        rows read by name: an import chunk reads thousands, twice (preview and apply), and that
        cost three times the query; nothing here changes them through the session (update_many
        writes by id)."""
        if not codes:
            return {}
        table = UserRow.__table__
        query = (select(table.c.id, table.c.school_functions, *(table.c[name] for name in _USER_COLUMNS))
                 .where(one_of(table.c.code, codes, self.session.connection())).order_by(table.c.code))
        if for_update:
            query = query.with_for_update()
        users = {}
        for row_id, functions, *values in self.session.execute(query):
            user = User(**dict(zip(_USER_COLUMNS, values, strict=True)), school_functions=set(functions))
            self._ids[user.code] = row_id
            users[user.code] = user
        return users

    def insert_many(self, users: list[User]) -> set[str]:
        """Insert in bulk; a code that exists already (another import won the race) is left out
        of the insert and of the returned set of inserted codes."""
        if not users:
            return set()
        connection = self.session.connection()
        if is_postgresql(connection):
            # COPY takes the JSON column as text.
            rows = [(*_user_values(user), to_json(sorted(user.school_functions))) for user in users]
            inserted = {code: user_id for user_id, code in copy_insert(
                connection, "users", (*_USER_COLUMNS, "school_functions"), rows, conflict=("code",),
                returning=("id", "code"))}
        else:
            statement = (sqlite_insert(UserRow.__table__).on_conflict_do_nothing(index_elements=["code"])
                         .returning(UserRow.__table__.c.id, UserRow.__table__.c.code))
            result = connection.execute(statement, [_row_values(user) for user in users])
            inserted = {code: user_id for user_id, code in result}
        self._ids.update(inserted)
        return set(inserted)

    def update_many(self, changes: list[tuple[User, User]]) -> None:
        """Write (before, after) pairs in bulk: one UPDATE statement executed for many rows."""
        if not changes:
            return
        table = UserRow.__table__
        statement = update(table).where(table.c.id == bindparam("row_id"))
        self.session.connection().execute(statement, [
            {"row_id": self._ids[after.code], **_row_values(after)} for _, after in changes
        ])

    def active_student_codes(self) -> Iterator[str]:
        """The codes of every student not archived, streamed (a school has thousands)."""
        query = select(UserRow.code).where(UserRow.is_student.is_(True), UserRow.archived.is_(False))
        yield from self.session.scalars(query.execution_options(yield_per=5000))

    def active_manager_codes(self, for_update: bool = False) -> set[str]:
        """The codes of the active application managers.

        With `for_update`, first locks the application manager's school function row: every change
        that may remove a manager takes that one lock after its own user rows, so two requests that
        each archive one of the last two managers run one after the other (and never deadlock).
        """
        if for_update:
            self.session.execute(select(SchoolFunctionRow.code).where(SchoolFunctionRow.code == MANAGER_FUNCTION)
                                 .with_for_update())
        query = select(UserRow.code, UserRow.school_functions).where(
            UserRow.archived.is_(False), UserRow.login_method.in_(ACTIVE_LOGIN_METHODS),
            cast(UserRow.school_functions, Text).like(f'%"{MANAGER_FUNCTION}"%'))
        return {code for code, functions in self.session.execute(query) if MANAGER_FUNCTION in functions}

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

    @staticmethod
    def _to_user(row: UserRow) -> User:
        return User(**{name: getattr(row, name) for name in _USER_COLUMNS}, school_functions=set(row.school_functions))


def _row_values(user: User) -> dict:
    return {**{name: getattr(user, name) for name in _USER_COLUMNS}, "school_functions": sorted(user.school_functions)}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
