"""The users database migrations move existing data along, both ways, on SQLite and PostgreSQL."""

import json

from alembic import command
from sqlalchemy import create_engine, text

from services.users.bootstrap import MIGRATIONS
from shared.db import alembic_config


def rows(url, query):
    engine = create_engine(url)
    with engine.connect() as connection:
        found = [tuple(row) for row in connection.execute(text(query))]
    engine.dispose()
    return found


def run(url, *statements):
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def test_functions_move_onto_the_user_and_published_events_leave_the_outbox(users_database_url):
    config = alembic_config(MIGRATIONS, users_database_url)
    command.upgrade(config, "0003")
    run(users_database_url,
        "INSERT INTO school_functions (code, name, rights) VALUES ('mentor', 'Mentor', '[]')",
        "INSERT INTO users (id, code, is_student, is_employee, is_family_member, login_method, archived, "
        "created_at, updated_at) VALUES (1, '123456', true, true, false, 'none', false, "
        "'2026-11-28 12:00:00', '2026-11-28 12:00:00'), (2, 'nobody', false, false, false, 'none', false, "
        "'2026-11-28 12:00:00', '2026-11-28 12:00:00')",
        "INSERT INTO user_school_functions (user_id, function_code) VALUES (1, 'mentor'), (1, 'leerling')",
        "INSERT INTO outbox_events (event_id, envelope, created_at, published_at) VALUES "
        "('e1', '{}', '2026-11-28 12:00:00', '2026-11-28 12:00:01'), ('e2', '{}', '2026-11-28 12:00:00', NULL)")

    command.upgrade(config, "head")
    functions = dict(rows(users_database_url, "SELECT code, school_functions FROM users ORDER BY code"))
    assert {code: _list(value) for code, value in functions.items()} == {
        "123456": ["leerling", "mentor"], "nobody": []}
    assert rows(users_database_url, "SELECT event_id FROM outbox_events") == [("e2",)]

    command.downgrade(config, "0003")
    assert sorted(rows(users_database_url, "SELECT user_id, function_code FROM user_school_functions")) == [
        (1, "leerling"), (1, "mentor")]


def _list(value):
    """PostgreSQL's json column comes back decoded, SQLite's as text."""
    return json.loads(value) if isinstance(value, str) else value


def test_the_outbox_becomes_a_log_whose_rows_present_are_still_to_publish(users_database_url):
    config = alembic_config(MIGRATIONS, users_database_url)
    command.upgrade(config, "0007")
    run(users_database_url, "INSERT INTO outbox_events (event_id, envelope, created_at) VALUES "
                            "('e1', '{}', '2026-11-28 12:00:00')")

    command.upgrade(config, "head")
    assert rows(users_database_url, "SELECT event_id, published_at, stream_id FROM outbox_events") == [
        ("e1", None, None)]
    run(users_database_url, "INSERT INTO outbox_events (event_id, envelope, created_at, published_at, stream_id) "
                            "VALUES ('e1', '{}', '2026-11-28 12:00:00', '2026-11-28 12:00:01', '1-0')")  # no unique id

    command.downgrade(config, "0007")
    assert rows(users_database_url, "SELECT event_id FROM outbox_events") == [("e1",)]
