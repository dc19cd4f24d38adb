"""Applying chunks of imported rows against real databases: bulk, idempotent, race-safe."""

import json

from services.users import handlers
from services.users.bootstrap import build_service, migrate
from shared import catalogue
from shared.config import EVENT_STREAM
from shared.messages import Chunk, RowIn
from shared.sealing import Sealer
from tests.integration.conftest import MANAGER, with_manager


def chunk(rows, dry_run=False, mode="import", as_student=True, chunk_no=0, job_id="job-1", attempt=1):
    return Chunk(job_id, 0, chunk_no, dry_run, {"mode": mode, "as_student": as_student, "schedule_project": None},
                 [RowIn(line, values) for line, values in rows], actor=MANAGER.to_dict(), attempt=attempt)


def rows(*codes, first_name="Noor"):
    return [(index + 2, {"code": code, "first_name": first_name, "last_name": "Bakker"})
            for index, code in enumerate(codes)]


def actions(result):
    return [row.action for row in result.rows]


def test_a_dry_run_plans_without_writing_and_applying_does_what_was_planned(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    planned = handlers.apply_user_rows(service.unit_of_work(), chunk(rows("1", "2", "x3"), dry_run=True))
    assert actions(planned) == ["create", "create", "error"]
    assert handlers.list_users(service.unit_of_work(), user_type="student") == []
    applied = handlers.apply_user_rows(service.unit_of_work(), chunk(rows("1", "2", "x3")))
    assert actions(applied) == actions(planned)
    assert [row.applied for row in applied.rows] == [True, True, False]
    assert [user["code"] for user in handlers.list_users(service.unit_of_work(), user_type="student")] == ["1", "2"]
    assert redis_client.xlen(EVENT_STREAM) == 2


def test_a_redelivered_chunk_changes_nothing_twice_and_answers_the_same_results(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    first = handlers.apply_user_rows(service.unit_of_work(), chunk(rows("10", "11")))
    again = handlers.apply_user_rows(service.unit_of_work(), chunk(rows("10", "11")))
    assert again.rows == first.rows and actions(again) == ["create", "create"]
    assert redis_client.xlen(EVENT_STREAM) == 2
    # The same rows in another chunk of another job are new work: they exist now, so they skip.
    other = handlers.apply_user_rows(service.unit_of_work(), chunk(rows("10", "11"), job_id="job-2"))
    assert actions(other) == ["skip", "skip"]


def test_synchronize_updates_changed_students_and_publishes_updated_events(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    handlers.apply_user_rows(service.unit_of_work(), chunk(rows("20", "21")))
    result = handlers.apply_user_rows(service.unit_of_work(), chunk(
        [(2, {"code": "20", "first_name": "Anders"}), (3, {"code": "21", "first_name": ""})],
        mode="synchronize", chunk_no=1))
    assert actions(result) == ["update", "unchanged"]
    assert handlers.get_user(service.unit_of_work(), "20")["first_name"] == "Anders"
    assert handlers.get_user(service.unit_of_work(), "21")["first_name"] == "Noor"
    types = [json.loads(fields[b"event"])["type"] for _, fields in redis_client.xrange(EVENT_STREAM)]
    assert types == ["student.created", "student.created", "student.updated"]


def test_an_employee_gaining_the_student_type_by_import_gets_leerling_and_a_created_event(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    from services.users.commands import CreateUser
    handlers.create_user(service.unit_of_work(), CreateUser.from_json({"code": "30", "is_employee": True}), MANAGER)
    result = handlers.apply_user_rows(service.unit_of_work(), chunk(rows("30"), mode="update"))
    assert actions(result) == ["update"]
    user = handlers.get_user(service.unit_of_work(), "30")
    assert user["school_functions"] == ["leerling"] and user["is_employee"] and user["is_student"]
    [event] = [json.loads(fields[b"event"]) for _, fields in redis_client.xrange(EVENT_STREAM)]
    assert event["type"] == "student.created" and event["data"]["code"] == "30"


def test_a_sealed_password_is_opened_only_by_the_users_service_and_a_foreign_key_makes_the_row_an_error(
        settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    sealed = Sealer(settings.secret_key).seal_text("leerling-wachtwoord")
    foreign = Sealer("another-secret-key-0123456789abcdef").seal_text("leerling-wachtwoord")
    result = handlers.apply_user_rows(service.unit_of_work(), chunk([
        (2, {"code": "40", "password": sealed}), (3, {"code": "41", "password": foreign})]))
    assert actions(result) == ["create", "error"]
    assert result.rows[1].reason == "password_unreadable"
    assert "PORTAL_SECRET_KEY" in catalogue.render(result.rows[1].messages, "en")[0]
    assert handlers.authenticate(service.unit_of_work(), "40", "leerling-wachtwoord") == []


def test_a_chunk_without_an_actor_changes_nobody(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    anonymous = chunk(rows("50"))
    anonymous.actor = None
    [row] = handlers.apply_user_rows(service.unit_of_work(), anonymous).rows
    assert (row.action, row.reason, row.params["missing"]) == ("error", "insufficient_rights", ["users:write"])
    assert handlers.list_users(service.unit_of_work(), user_type="student") == []
