"""Imports act for a person, and a password in an import file never comes back: through the whole
system (gateway, real importer, users and enrollments workers, PostgreSQL, Redis with AOF)."""

import time
from pathlib import Path

import pytest
import redis

from portal.client import PortalClient
from shared.sealing import MASK, TEXT_PREFIX

USERS_IMPORTER_RIGHTS = ["imports:read", "imports:write", "users:read", "users:write"]
TAKEOVER_PASSWORD = "overgenomen-wachtwoord-1"
STUDENT_PASSWORD = "leerling-wachtwoord-1"


@pytest.fixture(scope="module")
def people(system):
    """Employees with a school function each: one that may import users, one that may only import."""
    for code, rights in (("importeur", USERS_IMPORTER_RIGHTS), ("alleen-import", ["imports:read", "imports:write"])):
        status, body = system.post("/api/v1/school-functions", {"code": code, "name": code, "rights": rights})
        assert status == 201, body
    clients = {}
    for code, function in (("imp.jansen", "importeur"), ("imp.alleen", "alleen-import"),
                           ("beheer2", "applicatiebeheerder")):
        status, body = system.post("/api/v1/users", {"code": code, "is_employee": True, "password": f"{code}-pw-1",
                                                     "school_functions": [function]})
        assert status == 201, body
        clients[code] = PortalClient(system.base)
        clients[code].login(code, f"{code}-pw-1")
    return clients


def upload(client: PortalClient, content: bytes, **options):
    return client.upload("/api/v1/imports", options, "wachtwoorden.csv", content)


def can_log_in(system, code, password) -> bool:
    credentials = {"code": code, "password": password}
    return PortalClient(system.base).request("POST", "/api/v1/auth/token", credentials)[0] == 200


def test_an_import_needs_the_write_right_of_its_kind(system, people):
    status, body = upload(people["imp.alleen"], b"code;wachtwoord\r\n400001;welkom-123\r\n", kind="users")
    assert status == 403 and body["error"]["code"] == "insufficient_rights"
    assert body["error"]["details"]["missing"] == ["users:write"]
    status, body = upload(people["imp.jansen"], b"leerlingnummer;afdeling\r\n400001;h1\r\n", kind="enrollments",
                          schedule_project="2026-2027")
    assert status == 403 and body["error"]["details"]["missing"] == ["enrollments:write"]


def test_an_importer_cannot_take_over_an_application_manager_and_never_sees_a_password(system, people):
    importer = people["imp.jansen"]
    content = f"code;wachtwoord\r\nadmin;{TAKEOVER_PASSWORD}\r\n400100;{STUDENT_PASSWORD}\r\n".encode()
    status, job = upload(importer, content, kind="users", mode="synchronize")
    assert status == 202 and job["created_by"] == "imp.jansen"
    ready = system.wait_for_status(job["id"], ("ready",))
    assert [column["field"] for column in ready["columns"]] == ["code", "password"]
    assert ready["columns"][1]["samples"] == [MASK, MASK]
    assert [row[1] for row in ready["sample_rows"]] == [MASK, MASK]
    preview = system.all_rows(job["id"])
    assert [(row["action"], row["reason"]) for row in preview] == [("error", "insufficient_rights"), ("create", None)]
    missing = preview[0]["params"]["missing"]
    assert "users:write" not in missing and "school_functions:write" in missing
    assert [row["values"]["password"] for row in preview] == [MASK, MASK]
    stored = system.scalar("IMPORTER", "SELECT string_agg(encode(data, 'escape'), '') FROM import_file_blocks "
                                       "WHERE job_id = :id", id=job["id"])
    assert stored and TAKEOVER_PASSWORD not in stored and STUDENT_PASSWORD not in stored

    assert importer.request("POST", f"/api/v1/imports/{job['id']}/start")[0] == 202
    done = system.wait_for_status(job["id"], ("completed",))
    assert done["started_by"] == "imp.jansen"
    assert done["counts"] == {"create": 1, "update": 0, "unchanged": 0, "skip": 0, "error": 1}
    assert [row["reason"] for row in system.all_rows(job["id"])] == ["insufficient_rights", None]
    assert not can_log_in(system, "admin", TAKEOVER_PASSWORD) and can_log_in(system, "400100", STUDENT_PASSWORD)

    report = system.download(f"/api/v1/imports/{job['id']}/errors.csv").decode("utf-8-sig")
    assert "imp.jansen mist daarvoor" in report and "‘Schoolfuncties wijzigen’" in report
    assert TAKEOVER_PASSWORD not in report
    assert system.scalar("IMPORTER", "SELECT count(*) FROM import_file_blocks WHERE job_id = :id", id=job["id"]) == 0
    kept = system.scalar("IMPORTER", "SELECT string_agg(rows::text, '') FROM import_chunks WHERE job_id = :id",
                         id=job["id"])
    assert TAKEOVER_PASSWORD not in kept and STUDENT_PASSWORD not in kept and TEXT_PREFIX not in kept


def test_rows_are_applied_with_the_rights_of_whoever_starts_the_job(system, people):
    content = b"code;wachtwoord\r\nbeheer2;nieuw-beheer-wachtwoord\r\n"
    job = system.upload(content, kind="users", mode="update")  # uploaded by the application manager
    system.wait_for_status(job["id"], ("ready",))
    assert [row["action"] for row in system.all_rows(job["id"])] == ["update"]
    assert people["imp.jansen"].request("POST", f"/api/v1/imports/{job['id']}/start")[0] == 202
    done = system.wait_for_status(job["id"], ("completed",))
    assert (done["created_by"], done["started_by"]) == ("admin", "imp.jansen")
    [row] = system.all_rows(job["id"])
    assert (row["action"], row["reason"]) == ("error", "insufficient_rights")
    assert can_log_in(system, "beheer2", "beheer2-pw-1")


def test_an_import_cannot_lock_out_the_last_application_manager(system, people):
    status, body = system.request("PATCH", "/api/v1/users/beheer2", {"archived": True})
    assert status == 200, body
    job = system.upload(b"code;inlogmethode\r\nadmin;none\r\n", kind="users", mode="update", start=True)
    done = system.wait_for_status(job["id"], ("completed",))
    [row] = system.all_rows(done["id"])
    assert (row["action"], row["reason"]) == ("error", "last_application_manager")
    assert system.get("/api/v1/users/admin")[1]["login_method"] == "password"


def test_the_broker_never_carries_a_plain_password(system, people):
    job = system.upload(f"code;wachtwoord\r\n400200;{STUDENT_PASSWORD}-b\r\n".encode(), kind="users", start=True)
    system.wait_for_status(job["id"], ("completed",))
    time.sleep(1.5)  # the append-only file is written every second
    client = redis.Redis.from_url(system.env["REDIS_URL"])
    directory = Path(client.config_get("dir")["dir"])
    written = b"".join(path.read_bytes() for path in directory.rglob("*.aof*") if path.is_file())
    assert TEXT_PREFIX.encode() in written  # the chunks went through this broker ...
    assert f"{STUDENT_PASSWORD}-b".encode() not in written and TAKEOVER_PASSWORD.encode() not in written  # ... sealed


def test_the_file_is_deleted_when_a_job_fails_or_is_cancelled(system, people):
    failed = system.upload(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, kind="users")
    system.wait_for_status(failed["id"], ("failed",))
    ready = system.upload(b"code\r\n400300\r\n", kind="users")
    system.wait_for_status(ready["id"], ("ready",))
    assert system.scalar("IMPORTER", "SELECT count(*) FROM import_file_blocks WHERE job_id = :id", id=ready["id"]) == 1
    assert system.post(f"/api/v1/imports/{ready['id']}/cancel")[0] == 202
    for job in (failed, ready):
        assert system.scalar("IMPORTER", "SELECT count(*) FROM import_file_blocks WHERE job_id = :id",
                             id=job["id"]) == 0
