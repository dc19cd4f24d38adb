"""The import API's newer options and refusals through HTTP, with the services' handlers standing in for
their workers: login_method, archive_missing with max_archive_percent (409 change_threshold_exceeded),
the changes of update rows, PATCH of a job that failed on its settings, DELETE of a job."""

import io

import pytest

from services.importer import handlers as importer_handlers
from services.users import handlers as users_handlers
from shared.messages import ANALYZE_IMPORT, APPLY_LEAVERS, APPLY_USER_ROWS, Chunk
from tests.integration.conftest import ADMIN_PASSWORD, token_for


@pytest.fixture(scope="module")
def portal(service_apps):
    users = service_apps["users"].test_client()
    token = token_for(users, "admin", ADMIN_PASSWORD)
    return service_apps, {"Authorization": f"Bearer {token}"}


class Pipeline:
    """Runs what the workers would: the analysis, each chunk in the users service, its answer."""

    def __init__(self, apps):
        self.importer = apps["importer"].extensions["importer"]
        self.users = apps["users"].extensions["users"]
        self.done = len(self.importer.sender.sent)

    def run(self):
        while self.done < len(self.importer.sender.sent):
            task, _, args = self.importer.sender.sent[self.done]
            self.done += 1
            if task == ANALYZE_IMPORT:
                importer_handlers.analyze_job(self.importer.unit_of_work(), *args, self.importer.timing)
            elif task in (APPLY_USER_ROWS, APPLY_LEAVERS):
                apply = users_handlers.apply_leavers if task == APPLY_LEAVERS else users_handlers.apply_user_rows
                result = apply(self.users.unit_of_work(), Chunk.from_message(args[0]))
                importer_handlers.record_chunk_result(self.importer.unit_of_work(), result, self.importer.timing)


def upload(portal, content: bytes, **options):
    apps, manager = portal
    pipeline = Pipeline(apps)
    response = apps["importer"].test_client().post("/api/v1/imports", headers=manager, data={
        "kind": "users", "file": (io.BytesIO(content), "leerlingen.csv"), **options})
    pipeline.run()
    return response


def job(portal, job_id):
    apps, manager = portal
    return apps["importer"].test_client().get(f"/api/v1/imports/{job_id}", headers=manager).json


def call(portal, method, path, **kwargs):
    apps, manager = portal
    pipeline = Pipeline(apps)
    response = getattr(apps["importer"].test_client(), method)(path, headers=manager, **kwargs)
    pipeline.run()
    return response


def rows(portal, job_id, query=""):
    return call(portal, "get", f"/api/v1/imports/{job_id}/rows?limit=1000{query}").json["items"]


def add_students(portal, *codes):
    apps, manager = portal
    for code in codes:
        response = apps["users"].test_client().post("/api/v1/users", headers=manager, json={
            "code": code, "first_name": "Lot", "last_name": f"Leerling{code}", "is_student": True})
        assert response.status_code == 201, response.json


def user(portal, code):
    apps, manager = portal
    return apps["users"].test_client().get(f"/api/v1/users/{code}", headers=manager).json


@pytest.mark.parametrize("options, field", [
    ({"login_method": "wachtwoord"}, "login_method"),
    ({"archive_missing": "true"}, "archive_missing"),
    ({"archive_missing": "true", "mode": "synchronize"}, "archive_missing"),
    ({"archive_missing": "true", "as_student": "true"}, "archive_missing"),
    ({"archive_missing": "maybe", "mode": "synchronize", "as_student": "true"}, "archive_missing"),
    ({"max_archive_percent": "101"}, "max_archive_percent"),
    ({"max_archive_percent": "-1"}, "max_archive_percent"),
    ({"max_archive_percent": "tien"}, "max_archive_percent"),
])
def test_a_bad_login_method_or_leavers_option_is_422_invalid_option_naming_it(portal, options, field):
    response = upload(portal, b"Leerlingnummer\n1\n", **options)
    assert response.status_code == 422, response.json
    assert (response.json["error"]["code"], response.json["error"]["details"]["field"]) == ("invalid_option", field)


def test_an_enrollments_import_refuses_archive_missing(portal):
    response = upload(portal, b"Leerlingnummer;Afdeling\n1;h1\n", kind="enrollments", schedule_project="p",
                      archive_missing="true")
    assert response.status_code == 422 and response.json["error"]["details"]["field"] == "archive_missing"


def test_the_login_method_option_is_shown_and_is_the_login_method_of_created_users(portal):
    created = upload(portal, b"Leerlingnummer\n710001\n", login_method="sso", as_student="true")
    assert created.status_code == 202 and created.json["settings"]["login_method"] == "sso"
    assert job(portal, created.json["id"])["status"] == "ready"
    assert call(portal, "post", f"/api/v1/imports/{created.json['id']}/start").status_code == 202
    assert job(portal, created.json["id"])["status"] == "completed"
    assert user(portal, "710001")["login_method"] == "sso"
    default = upload(portal, b"Leerlingnummer\n710002\n", as_student="true")
    assert default.json["settings"]["login_method"] == "password"
    changed = call(portal, "patch", f"/api/v1/imports/{default.json['id']}", json={"login_method": "none"})
    assert changed.status_code == 200 and changed.json["settings"]["login_method"] == "none"
    bad = call(portal, "patch", f"/api/v1/imports/{default.json['id']}", json={"login_method": "sms"})
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid_option"


def test_update_rows_show_their_changes_and_a_password_only_as_a_mask(portal):
    add_students(portal, "720001", "720002")
    response = upload(portal, b"Leerlingnummer;Roepnaam;Wachtwoord\n720001;Mees;geheim-wachtwoord-9\n"
                              b"720002;Lot;\n", mode="update", as_student="true")
    planned = rows(portal, response.json["id"])
    assert [row["action"] for row in planned] == ["update", "unchanged"]
    assert planned[0]["changes"] == {"first_name": ["Lot", "Mees"], "password": ["********", "********"]}
    assert planned[1]["changes"] is None
    assert "geheim-wachtwoord-9" not in str(planned)
    call(portal, "post", f"/api/v1/imports/{response.json['id']}/start")
    applied = rows(portal, response.json["id"])
    assert applied[0]["changes"] == planned[0]["changes"] and applied[0]["applied"] is True


def test_leavers_are_previewed_refused_above_the_threshold_until_raised_then_archived(portal):
    add_students(portal, *(f"73000{n}" for n in range(8)))
    # Every active student of the portal so far: the file keeps all but two of this test's.
    apps, manager = portal
    active = [item["code"] for item in apps["users"].test_client().get(
        "/api/v1/users?type=student&archived=false&limit=1000", headers=manager).json["items"]]
    kept = [code for code in active if code not in ("730006", "730007")]
    content = ("Leerlingnummer\n" + "\n".join(kept) + "\n").encode()
    response = upload(portal, content, mode="synchronize", as_student="true", archive_missing="true",
                      max_archive_percent="0")
    assert response.status_code == 202, response.json
    job_id = response.json["id"]
    ready = job(portal, job_id)
    assert ready["status"] == "ready"
    assert ready["counts"]["archive"] == 2 and ready["active_students"] == len(active)
    assert ready["settings"]["archive_missing"] is True and ready["settings"]["max_archive_percent"] == 0
    leavers = rows(portal, job_id, "&action=archive")
    assert [(row["line"], row["values"]["code"], row["values"]["last_name"], row["reason"]) for row in leavers] == [
        (0, "730006", "Leerling730006", "leaver"), (0, "730007", "Leerling730007", "leaver")]
    assert rows(portal, job_id)[-2:] == leavers  # after the file's rows
    refused = call(portal, "post", f"/api/v1/imports/{job_id}/start")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "change_threshold_exceeded"
    assert refused.json["error"]["details"] == {"percent": round(200 / len(active), 1), "count": 2,
                                                "active": len(active), "max": 0}
    assert user(portal, "730006")["archived"] is False
    raised = call(portal, "patch", f"/api/v1/imports/{job_id}", json={"max_archive_percent": 100})
    assert raised.status_code == 200 and raised.json["status"] == "ready"
    assert raised.json["counts"]["archive"] == 2  # the preview stands
    assert call(portal, "post", f"/api/v1/imports/{job_id}/start").status_code == 202
    done = job(portal, job_id)
    assert done["status"] == "completed" and done["counts"]["archive"] == 2
    assert [user(portal, code)["archived"] for code in ("730005", "730006", "730007")] == [False, True, True]
    assert all(row["applied"] for row in rows(portal, job_id, "&action=archive"))


def test_a_job_without_leavers_counts_the_five_actions_only(portal):
    response = upload(portal, b"Leerlingnummer\n740001\n", as_student="true")
    assert job(portal, response.json["id"])["counts"] == {"create": 1, "update": 0, "unchanged": 0, "skip": 0,
                                                          "error": 0}


def test_a_job_failed_on_its_settings_is_analysed_again_when_patched(portal):
    response = upload(portal, b"Leerlingnummer;Roepnaam\n750001;Zo\xc3\xab\n", delimiter="comma")
    failed = job(portal, response.json["id"])
    assert failed["status"] == "failed" and failed["error"]["code"] == "missing_required_column"
    patched = call(portal, "patch", f"/api/v1/imports/{failed['id']}", json={"delimiter": ";"})
    assert patched.status_code == 200, patched.json
    again = job(portal, failed["id"])
    assert again["status"] == "ready" and again["error"] is None and again["finished_at"] is None
    assert again["counts"]["create"] == 1 and again["settings"]["delimiter"] == ";"


def test_a_job_failed_on_its_file_cannot_be_patched(portal):
    response = upload(portal, b"")
    assert job(portal, response.json["id"])["error"]["code"] == "empty_file"
    refused = call(portal, "patch", f"/api/v1/imports/{response.json['id']}", json={"delimiter": ";"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "invalid_state"


def test_a_job_is_deleted_with_204_then_is_gone_and_a_started_one_is_refused(portal):
    ready = upload(portal, b"Leerlingnummer\n760001\n", as_student="true").json["id"]
    assert call(portal, "delete", f"/api/v1/imports/{ready}").status_code == 204
    assert call(portal, "get", f"/api/v1/imports/{ready}").status_code == 404
    assert call(portal, "get", f"/api/v1/imports/{ready}/rows").status_code == 404
    assert call(portal, "delete", f"/api/v1/imports/{ready}").status_code == 404
    failed = upload(portal, b"").json["id"]
    assert call(portal, "delete", f"/api/v1/imports/{failed}").status_code == 204
    apps, manager = portal
    pipeline = Pipeline(apps)
    started = apps["importer"].test_client().post("/api/v1/imports", headers=manager, data={
        "kind": "users", "file": (io.BytesIO(b"Leerlingnummer\n760002\n"), "x.csv"), "start": "true"}).json["id"]
    importer = pipeline.importer
    importer_handlers.analyze_job(importer.unit_of_work(), started, 0, importer.timing)  # its chunks are out
    assert job(portal, started)["status"] == "running"
    refused = apps["importer"].test_client().delete(f"/api/v1/imports/{started}", headers=manager)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "invalid_state"
    pipeline.done += 1  # the analysis, run above
    pipeline.run()
    assert job(portal, started)["status"] == "completed"
    assert call(portal, "delete", f"/api/v1/imports/{started}").status_code == 204
