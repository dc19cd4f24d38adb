"""The audit trail through the users API, on SQLite and PostgreSQL with a real Redis: what is
recorded, its filters and paging, who may read it, the same transaction, never a secret."""

import contextlib
import io
import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from services.enrollments import app as enrollments_app
from services.enrollments import bootstrap as enrollments_bootstrap
from services.importer import app as importer_app
from services.importer import bootstrap as importer_bootstrap
from services.users import handlers
from services.users.audit import delete_expired
from shared.audit import AUDIT_RECORDED, AuditEntry
from shared.clock import utcnow
from shared.config import EVENT_STREAM
from shared.events.envelope import Envelope
from tests.integration.conftest import ADMIN_PASSWORD, RecordingSender, token_for
from tests.services import fresh_postgres_database

PASSWORD = "geheim-wachtwoord-42"


def trail(client, headers, query=""):
    response = client.get(f"/api/v1/audit{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def stored_json(users_app) -> str:
    with users_app.extensions["users"].engine.connect() as connection:
        rows = connection.execute(text("SELECT id, at, actor, action, target, details, client FROM audit_entries"))
        return json.dumps([list(row) for row in rows])


def test_logins_and_failed_logins_are_recorded_with_the_callers_address(client, admin):
    assert client.post("/api/v1/auth/token", json={"code": "admin", "password": "wrong-password"}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"code": "nobody", "password": "wrong-password"}).status_code == 401
    entries = trail(client, admin, "?limit=3")["items"]
    assert [(entry["action"], entry["actor"], entry["target"]) for entry in entries] == [
        ("auth.login_failed", "nobody", "nobody"), ("auth.login_failed", "admin", "admin"),
        ("auth.login", "admin", "admin")]
    assert all(entry["client"] == "127.0.0.1" and entry["at"].endswith("Z") for entry in entries)
    assert set(entries[0]) == {"id", "at", "actor", "action", "target", "details", "client"}


def test_a_change_to_a_user_names_the_fields_never_the_password_or_its_hash(client, admin, users_app):
    client.post("/api/v1/users", headers=admin, json={"code": "123456", "first_name": "Zoë", "is_student": True,
                                                       "password": PASSWORD})
    client.patch("/api/v1/users/123456", headers=admin, json={"last_name": "Hof", "password": PASSWORD + "x"})
    client.patch("/api/v1/users/123456", headers=admin, json={"last_name": "Hof"})  # nothing changes: no entry
    entries = trail(client, admin, "?target=123456")["items"]
    assert entries[0]["action"] == "user.updated" and entries[0]["details"] == {"fields": ["last_name", "password"]}
    assert entries[1]["action"] == "user.created"
    assert entries[1]["details"] == {"fields": ["first_name", "is_student", "password"]}
    assert len(entries) == 2
    stored = stored_json(users_app)
    assert PASSWORD not in stored and "argon2" not in stored
    assert "$argon2" not in json.dumps(trail(client, admin, "?limit=1000"))


def test_school_function_changes_are_recorded(client, admin):
    client.post("/api/v1/school-functions", headers=admin, json={"code": "mentor", "name": "Mentor",
                                                                  "rights": ["users:read"]})
    client.put("/api/v1/school-functions/mentor", headers=admin, json={"name": "Mentor", "rights": ["imports:read"]})
    entries = trail(client, admin, "?target=mentor")["items"]
    assert [(entry["action"], entry["details"]) for entry in entries] == [
        ("school_function.updated", {"name_changed": False, "rights_added": ["imports:read"],
                                     "rights_removed": ["users:read"]}),
        ("school_function.created", {"name": "Mentor", "rights": ["users:read"]})]


def test_filters_and_cursor_paging(client, admin):
    for code in ("1001", "1002", "1003"):
        client.post("/api/v1/users", headers=admin, json={"code": code, "is_student": True})
    by_admin = trail(client, admin, "?action=user.created&actor=admin")["items"]
    assert [entry["target"] for entry in by_admin] == ["1003", "1002", "1001"]
    created = trail(client, admin, "?action=user.created")["items"]
    assert [entry["target"] for entry in created] == ["1003", "1002", "1001", "admin"]
    assert created[-1]["actor"] is None  # the first manager, made by the system
    first = trail(client, admin, "?action=user.created&limit=2")
    second = trail(client, admin, f"?action=user.created&limit=2&cursor={first['next_cursor']}")
    assert [entry["target"] for entry in first["items"] + second["items"]] == ["1003", "1002", "1001", "admin"]
    assert second["next_cursor"] is None
    since = created[1]["at"]
    assert [entry["target"] for entry in trail(client, admin, f"?action=user.created&since={since}")["items"]] == [
        "1003", "1002"]
    assert trail(client, admin, "?actor=someone-else")["items"] == []


@pytest.mark.parametrize("query, code", [
    ("?action=user.eaten", "invalid_parameter"), ("?since=yesterday", "invalid_parameter"),
    ("?since=2026-01-01T00:00:00", "invalid_parameter"), ("?limit=0", "invalid_parameter"),
    ("?actor=a%20b", "invalid_parameter"), ("?cursor=bm9wZQ", "invalid_cursor"),
])
def test_bad_queries_are_400(client, admin, query, code):
    response = client.get(f"/api/v1/audit{query}", headers=admin)
    assert response.status_code == 400 and response.json["error"]["code"] == code


def test_reading_the_trail_needs_audit_read(client, admin):
    client.post("/api/v1/school-functions", headers=admin, json={"code": "beheer", "name": "Beheer",
                                                                  "rights": ["users:read", "users:write"]})
    client.post("/api/v1/users", headers=admin, json={"code": "jan", "password": PASSWORD,
                                                       "school_functions": ["beheer"]})
    jan = {"Authorization": f"Bearer {token_for(client, 'jan', PASSWORD)}"}
    response = client.get("/api/v1/audit", headers=jan)
    assert response.status_code == 403 and response.json["error"]["details"]["missing"] == ["audit:read"]
    assert client.get("/api/v1/audit").status_code == 401
    assert "audit:read" in client.get("/api/v1/users/admin/rights", headers=admin).json["rights"]


def test_a_change_that_rolls_back_leaves_no_entry(client, admin):
    # The last application manager cannot be archived: refused after the entry would be written.
    assert client.patch("/api/v1/users/admin", headers=admin, json={"archived": True}).status_code == 409
    client.post("/api/v1/users", headers=admin, json={"code": "123", "is_student": True})
    assert client.post("/api/v1/users", headers=admin, json={"code": "123", "is_student": True}).status_code == 409
    updated = trail(client, admin, "?target=admin&action=user.updated")["items"]
    assert updated == []
    assert len(trail(client, admin, "?target=123")["items"]) == 1


def test_entries_of_other_services_are_collected_from_the_stream_once(client, admin, redis_client, users_app):
    entry = AuditEntry.new("import.started", "admin", "job-1", {"kind": "users"}, client="10.0.0.1")
    envelope = Envelope.new(AUDIT_RECORDED, entry.to_dict())
    for _ in range(2):  # delivered twice (a relay that died before deleting its outbox row)
        redis_client.xadd(EVENT_STREAM, {"event": envelope.to_json()})
    found = trail(client, admin, "?target=job-1")["items"]
    assert found == [entry.to_dict()]
    users_app.extensions["users"].audit_collector.collect()
    assert trail(client, admin, "?target=job-1")["items"] == [entry.to_dict()]


def test_entries_older_than_the_retention_are_deleted(client, admin, users_app):
    service = users_app.extensions["users"]
    old = AuditEntry.new("auth.login", "admin", "admin", at=utcnow() - timedelta(days=401))
    with service.unit_of_work() as uow:
        uow.audit.add(old)
        uow.commit()
    assert delete_expired(service.unit_of_work(), 400) == 1
    assert trail(client, admin, "?action=auth.login")["items"][-1]["id"] != old.id


def test_the_first_manager_made_by_the_system_is_recorded_once(users_app):
    service = users_app.extensions["users"]
    handlers.ensure_application_manager(service.unit_of_work(), "admin", ADMIN_PASSWORD)
    entries = handlers.list_audit(service.unit_of_work(), target="admin", action="user.created")
    assert len(entries) == 1 and entries[0]["actor"] is None


@pytest.fixture
def other_apps(settings, users_app):
    """The importer and the enrollments service beside the users service, each on its own database of
    the same kind, sharing the secret and the Redis stream (no worker or consumer runs)."""
    with contextlib.ExitStack() as stack:
        if settings.users_database_url.startswith("sqlite"):
            urls = {name: f"sqlite:///{settings.data_dir / f'{name}.sqlite3'}" for name in ("importer", "enrollments")}
        else:
            urls = {name: stack.enter_context(fresh_postgres_database()) for name in ("importer", "enrollments")}
        both = replace(settings, importer_database_url=urls["importer"], enrollments_database_url=urls["enrollments"])
        importer_bootstrap.migrate(both)
        enrollments_bootstrap.migrate(both)
        apps = {"importer": importer_app.create_app(both, importer_bootstrap.build_service(both, RecordingSender())),
                "enrollments": enrollments_app.create_app(both)}
        yield {name: app.test_client() for name, app in apps.items()} | {"services": {
            name: app.extensions[name] for name, app in apps.items()}}
        for name, app in apps.items():
            app.extensions[name].engine.dispose()


def test_imports_and_enrollments_by_hand_reach_the_trail_through_the_stream(client, admin, other_apps):
    importer, enrollments = other_apps["importer"], other_apps["enrollments"]
    assert client.post("/api/v1/users", headers=admin, json={"code": "123456", "is_student": True}).status_code == 201
    assert enrollments.post("/api/v1/schedule-projects", headers=admin, json={
        "code": "p", "name": "P", "school_year": "2026-2027"}).status_code == 201
    assert enrollments.post("/api/v1/schedule-projects/p/departments", headers=admin, json={
        "code": "h1", "name": "H1", "year_of_education": 1}).status_code == 201
    enrollment = enrollments.post("/api/v1/schedule-projects/p/enrollments", headers=admin,
                                  json={"student": "123456", "department": "h1"})
    assert enrollment.status_code == 201, enrollment.json
    refused = enrollments.post("/api/v1/schedule-projects/p/enrollments", headers=admin,
                               json={"student": "123456", "department": "h1"})
    assert refused.status_code == 409  # rolled back: no entry
    assert enrollments.delete(f"/api/v1/schedule-projects/p/enrollments/{enrollment.json['id']}",
                              headers=admin).status_code == 204
    job = importer.post("/api/v1/imports", headers=admin, content_type="multipart/form-data", data={
        "kind": "users", "start": "true", "file": (io.BytesIO(b"code;wachtwoord\n1;" + PASSWORD.encode()), "a.csv")})
    assert job.status_code == 202, job.json
    assert importer.post(f"/api/v1/imports/{job.json['id']}/cancel", headers=admin).status_code == 202

    entries = trail(client, admin, "?actor=admin")["items"]
    actions = [(entry["action"], entry["target"]) for entry in entries
               if not entry["action"].startswith(("auth", "user"))]
    enrollment_id = str(enrollment.json["id"])
    assert actions == [("import.cancelled", job.json["id"]), ("import.started", job.json["id"]),
                       ("enrollment.deleted", enrollment_id), ("enrollment.created", enrollment_id)]
    by_action = {entry["action"]: entry for entry in entries}
    assert by_action["enrollment.created"]["details"] == {"schedule_project": "p", "student": "123456",
                                                          "department": "h1"}
    assert by_action["import.started"]["details"] == {"kind": "users", "filename": "a.csv"}
    assert set(by_action["import.cancelled"]["details"]["counts"]) >= {"create", "update", "error"}
    assert all(entry["client"] == "127.0.0.1" for entry in entries)
    assert PASSWORD not in json.dumps(entries)


def test_an_entry_left_in_a_services_outbox_is_collected_once_the_relay_publishes_it(client, admin, other_apps,
                                                                                      users_app):
    enrollments, service = other_apps["enrollments"], other_apps["services"]["enrollments"]
    publisher, service.publisher = service.publisher, None  # as if the process died right after its commit
    assert enrollments.post("/api/v1/schedule-projects", headers=admin, json={
        "code": "p", "name": "P", "school_year": "2026-2027"}).status_code == 201
    client.post("/api/v1/users", headers=admin, json={"code": "123456", "is_student": True})
    enrollments.post("/api/v1/schedule-projects/p/departments", headers=admin,
                     json={"code": "h1", "name": "H1", "year_of_education": 1})
    created = enrollments.post("/api/v1/schedule-projects/p/enrollments", headers=admin,
                               json={"student": "123456", "department": "h1"})
    assert created.status_code == 201
    assert trail(client, admin, "?action=enrollment.created")["items"] == []
    assert publisher.publish_pending() == 1  # what the relay does
    publisher.publish_pending()
    assert [entry["target"] for entry in trail(client, admin, "?action=enrollment.created")["items"]] == [
        str(created.json["id"])]
    assert stored_json(users_app).count('"enrollment.created"') == 1
