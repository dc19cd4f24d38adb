"""The users service's side of an import's newer options, against real databases: the changes of an
update row, the login method of created users, and the leavers of a synchronize (archive_missing)."""

import json

from services.users import handlers
from services.users.bootstrap import build_service, migrate
from services.users.commands import CreateUser
from shared import audit, catalogue
from shared.config import EVENT_STREAM
from shared.messages import Chunk, RowIn
from shared.policy import Actor
from shared.sealing import Sealer
from tests.integration.conftest import MANAGER, with_manager

STUDENT_KEEPER = Actor("mentor", frozenset({"users:write", "users:read", "imports:write"}))


def chunk(rows, dry_run=False, mode="synchronize", as_student=True, chunk_no=0, job_id="job-1", actor=MANAGER,
          **options):
    return Chunk(job_id, 0, chunk_no, dry_run, {"mode": mode, "as_student": as_student, **options},
                 [RowIn(line, values) for line, values in rows], actor=actor.to_dict())


def leavers(file_codes, dry_run=True, rows=(), job_id="job-1", actor=MANAGER):
    return chunk([(0, values) for values in rows], dry_run=dry_run, chunk_no=9, job_id=job_id, actor=actor,
                 archive_missing=True, file_keys="\n".join(sorted(file_codes)))


def service_with_students(settings, redis_client, *codes):
    service = with_manager(build_service(settings, redis_client))
    for code in codes:
        handlers.create_user(service.unit_of_work(), CreateUser.from_json(
            {"code": code, "first_name": f"Naam{code}", "prefix": "van", "last_name": "Dijk", "is_student": True}),
            MANAGER)
    return service


def events(redis_client):
    return [json.loads(fields[b"event"]) for _, fields in redis_client.xrange(EVENT_STREAM)]


def test_an_update_row_says_what_changes_old_and_new_with_a_password_masked(settings, redis_client):
    migrate(settings)
    service = service_with_students(settings, redis_client, "100")
    handlers.create_user(service.unit_of_work(), CreateUser.from_json({"code": "200", "is_employee": True}), MANAGER)
    password = Sealer(settings.secret_key).seal_text("nieuw-wachtwoord-1")
    result = handlers.apply_user_rows(service.unit_of_work(), chunk([
        (2, {"code": "100", "first_name": "Anders", "email": "a@example.org", "password": password}),
        (3, {"code": "200"}), (4, {"code": "300", "first_name": "Nieuw"}), (5, {"code": "100"})]))
    update, gains_type, create, repeated = result.rows
    assert update.action == "update"
    assert update.changes == {"first_name": ["Naam100", "Anders"], "email": [None, "a@example.org"],
                              "password": ["********", "********"]}
    assert "nieuw-wachtwoord-1" not in json.dumps(result.rows[0].__dict__)
    assert gains_type.action == "update"
    assert gains_type.changes == {"is_student": [False, True], "school_functions": [[], ["leerling"]]}
    assert (create.action, create.changes) == ("create", None)
    assert repeated.action == "unchanged" and repeated.changes is None


def test_an_update_previewed_shows_the_same_changes_as_applied(settings, redis_client):
    migrate(settings)
    service = service_with_students(settings, redis_client, "100")
    rows = [(2, {"code": "100", "last_name": "Berg"})]
    planned = handlers.apply_user_rows(service.unit_of_work(), chunk(rows, dry_run=True))
    applied = handlers.apply_user_rows(service.unit_of_work(), chunk(rows))
    assert planned.rows[0].changes == applied.rows[0].changes == {"last_name": ["Dijk", "Berg"]}


def test_the_login_method_option_is_the_login_method_of_created_users_and_a_file_column_wins(
        settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    result = handlers.apply_user_rows(service.unit_of_work(), chunk(
        [(2, {"code": "501"}), (3, {"code": "502", "login_method": "NONE"})], mode="import", login_method="sso"))
    assert [row.action for row in result.rows] == ["create", "create"]
    assert handlers.get_user(service.unit_of_work(), "501")["login_method"] == "sso"
    assert handlers.get_user(service.unit_of_work(), "502")["login_method"] == "none"


def test_a_created_user_gets_password_as_login_method_without_the_option(settings, redis_client):
    migrate(settings)
    service = with_manager(build_service(settings, redis_client))
    handlers.apply_user_rows(service.unit_of_work(), chunk([(2, {"code": "601"})], mode="import"))
    assert handlers.get_user(service.unit_of_work(), "601")["login_method"] == "password"


def test_the_leavers_plan_names_every_active_student_missing_from_the_file(settings, redis_client):
    migrate(settings)
    service = service_with_students(settings, redis_client, "1", "2", "3", "4", "5")
    handlers.update_user(service.unit_of_work(), _archive("5"), MANAGER)  # archived already: no leaver
    handlers.create_user(service.unit_of_work(), CreateUser.from_json({"code": "emp"}), MANAGER)  # no student
    before = len(events(redis_client))
    result = handlers.apply_leavers(service.unit_of_work(), leavers({"1", "2", "emp", "99"}))
    assert result.facts == {"active": 4}
    assert [(row.line, row.action, row.reason, row.values) for row in result.rows] == [
        (0, "archive", "leaver", {"code": code, "first_name": f"Naam{code}", "prefix": "van", "last_name": "Dijk"})
        for code in ("3", "4")]
    assert "3" in catalogue.render(result.rows[0].messages, "nl")[0]
    assert not any(row.applied for row in result.rows)
    assert handlers.get_user(service.unit_of_work(), "3")["archived"] is False  # a plan writes nothing
    assert len(events(redis_client)) == before


def test_applying_the_leavers_archives_them_once_with_events_and_audit_entries(settings, redis_client):
    migrate(settings)
    service = service_with_students(settings, redis_client, "1", "2", "3")
    planned = handlers.apply_leavers(service.unit_of_work(), leavers({"1"}))
    before = len(events(redis_client))
    applied = handlers.apply_leavers(service.unit_of_work(), leavers(
        {"1"}, dry_run=False, rows=[row.values for row in planned.rows]))
    assert [(row.action, row.applied) for row in applied.rows] == [("archive", True), ("archive", True)]
    assert [handlers.get_user(service.unit_of_work(), code)["archived"] for code in ("1", "2", "3")] == \
        [False, True, True]
    new = events(redis_client)[before:]
    assert [(event["type"], event["data"]["code"], event["data"]["archived"]) for event in new] == [
        ("student.updated", "2", True), ("student.updated", "3", True)]
    entries = handlers.list_audit(service.unit_of_work(), action=audit.USER_UPDATED)
    assert sorted(entry["target"] for entry in entries) == ["2", "3"]
    assert all(entry["details"]["fields"] == ["archived"] and entry["actor"] == MANAGER.code for entry in entries)
    again = handlers.apply_leavers(service.unit_of_work(), leavers(
        {"1"}, dry_run=False, rows=[row.values for row in planned.rows]))
    assert again.rows == applied.rows
    assert len(events(redis_client)) == before + 2


def test_a_leaver_the_portal_archived_since_the_preview_is_left_unchanged(settings, redis_client):
    migrate(settings)
    service = service_with_students(settings, redis_client, "1", "2")
    planned = handlers.apply_leavers(service.unit_of_work(), leavers(set()))
    handlers.update_user(service.unit_of_work(), _archive("2"), MANAGER)
    applied = handlers.apply_leavers(service.unit_of_work(), leavers(
        set(), dry_run=False, rows=[row.values for row in planned.rows]))
    assert [(row.action, row.reason) for row in applied.rows] == [("archive", "leaver"),
                                                                   ("unchanged", "not_an_active_student")]


def test_a_leaver_beyond_the_actors_rights_is_an_error_and_stays(settings, redis_client):
    migrate(settings)
    service = service_with_students(settings, redis_client, "1", "2")
    handlers.update_user(service.unit_of_work(), _functions("2", ["leerling", "applicatiebeheerder"]), MANAGER)
    handlers.create_user(service.unit_of_work(), CreateUser.from_json(
        {"code": "mentor", "is_employee": True, "school_functions": ["applicatiebeheerder"]}), MANAGER)
    planned = handlers.apply_leavers(service.unit_of_work(), leavers(set(), actor=STUDENT_KEEPER))
    assert [(row.values["code"], row.action, row.reason) for row in planned.rows] == [
        ("1", "archive", "leaver"), ("2", "error", "insufficient_rights")]
    applied = handlers.apply_leavers(service.unit_of_work(), leavers(
        set(), dry_run=False, rows=[row.values for row in planned.rows], actor=STUDENT_KEEPER))
    assert [row.action for row in applied.rows] == ["archive", "error"]
    assert handlers.get_user(service.unit_of_work(), "2")["archived"] is False


def _archive(code):
    from services.users.commands import UpdateUser
    return UpdateUser.from_json(code, {"archived": True})


def _functions(code, functions):
    from services.users.commands import UpdateUser
    return UpdateUser.from_json(code, {"school_functions": functions})
