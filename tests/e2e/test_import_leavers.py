"""Leavers end to end (real workers, PostgreSQL, Redis): a synchronize of students with
archive_missing previews the students missing from the file as archive rows, is refused above
max_archive_percent until a PATCH raises it, then archives them, each with a student.updated event
on the stream; the enrollments service marks them archived and leaves them out of the placements.
And the rest of the import page's API: the changes of updates, discarding a job."""

import json

from shared.config import EVENT_STREAM
from shared.redis_client import redis_client
from tests.dutch_files import export_text
from tests.processes import wait_until

PROJECT = "2026-2027"
STUDENTS = [[str(820000 + number), f"Leerling{number}", "", "Jansen", "", "h1"] for number in range(20)]
LEAVERS = ["820017", "820018", "820019"]


def stream_events(system) -> list[dict]:
    with redis_client(system.env["REDIS_URL"]) as client:
        return [json.loads(fields[b"event"]) for _, fields in client.xrange(EVENT_STREAM)]


def test_a_synchronize_with_leavers_is_previewed_refused_above_the_threshold_raised_and_applied(system):
    first = system.upload(export_text(STUDENTS).encode(), kind="users", as_student=True, start=True)
    assert system.wait_for_status(first["id"], ("completed",))["counts"]["create"] == 20
    enroll_everyone(system)

    staying = [row for row in STUDENTS if row[0] not in LEAVERS]
    staying[0] = [staying[0][0], "Anders", *staying[0][2:]]
    job = system.upload(export_text(staying).encode(), kind="users", mode="synchronize", as_student=True,
                        archive_missing=True)
    ready = system.wait_for_status(job["id"], ("ready", "failed"))
    assert ready["status"] == "ready", ready["error"]
    assert ready["counts"] == {"create": 0, "update": 1, "unchanged": 16, "skip": 0, "error": 0, "archive": 3}
    assert ready["active_students"] == 20 and ready["settings"]["max_archive_percent"] == 10
    preview = system.all_rows(job["id"])
    assert preview[0]["changes"] == {"first_name": ["Leerling0", "Anders"]}
    leavers = system.all_rows(job["id"], "archive")
    assert preview[-3:] == leavers
    assert [(row["line"], row["values"]["code"], row["values"]["first_name"], row["applied"]) for row in leavers] == \
        [(0, code, f"Leerling{int(code) - 820000}", False) for code in LEAVERS]

    status, refused = system.post(f"/api/v1/imports/{job['id']}/start")
    assert status == 409 and refused["error"]["code"] == "change_threshold_exceeded"
    assert refused["error"]["details"] == {"percent": 15.0, "count": 3, "active": 20, "max": 10}
    assert "15" in refused["error"]["message"]
    assert system.get(f"/api/v1/users/{LEAVERS[0]}")[1]["archived"] is False

    status, raised = system.request_patch(job["id"], {"max_archive_percent": 15})
    assert status == 200 and raised["status"] == "ready" and raised["settings"]["max_archive_percent"] == 15
    before = len(stream_events(system))
    assert system.post(f"/api/v1/imports/{job['id']}/start")[0] == 202
    done = system.wait_for_status(job["id"], ("completed",))
    assert done["counts"] == ready["counts"]
    assert all(row["applied"] for row in system.all_rows(job["id"], "archive"))
    assert [system.get(f"/api/v1/users/{code}")[1]["archived"] for code in (*LEAVERS, "820000")] == \
        [True, True, True, False]
    archived = sorted(event["data"]["code"] for event in stream_events(system)[before:]
                      if event["type"] == "student.updated" and event["data"]["archived"])
    assert archived == LEAVERS
    status, entries = system.get("/api/v1/audit?action=user.updated&target=820018")
    assert status == 200 and [entry["details"]["fields"] for entry in entries["items"]] == [["archived"]]

    # The enrollments service hears of it from the events: the leavers are marked, and out of the placements.
    statuses = wait_until(lambda: leavers_marked(system), 30, "the leavers marked archived in the enrollments")
    assert statuses["820000"] == "active"
    placements = system.get(f"/api/v1/schedule-projects/{PROJECT}/placements")[1]
    assert sorted((item["student"], item["reason"]) for item in placements["excluded"]) == \
        [(code, "archived") for code in LEAVERS]
    placed = [item["student"] for item in placements["placements"] + placements["without_learning_path"]]
    assert len(placed) == 17 and not set(placed) & set(LEAVERS)

    # The same file again: nobody is missing any more (the leavers are archived), so nothing to archive.
    again = system.upload(export_text(staying).encode(), kind="users", mode="synchronize", as_student=True,
                          archive_missing=True)
    assert system.wait_for_status(again["id"], ("ready",))["counts"]["archive"] == 0
    assert system.post(f"/api/v1/imports/{again['id']}/start")[0] == 202


def enroll_everyone(system):
    assert system.post("/api/v1/schedule-projects", {"code": PROJECT, "name": "havo", "school_year": PROJECT})[0] == 201
    body = {"code": "h1", "name": "havo 1", "year_of_education": 1}
    assert system.post(f"/api/v1/schedule-projects/{PROJECT}/departments", body)[0] == 201
    job = system.upload(export_text(STUDENTS).encode(), kind="enrollments", schedule_project=PROJECT, start=True)
    assert system.wait_for_status(job["id"], ("completed",))["counts"]["create"] == 20


def leavers_marked(system) -> dict[str, str] | None:
    """Each enrolled student's status, once every leaver shows as archived."""
    items = system.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments?limit=1000")[1]["items"]
    statuses = {item["student"]: item["student_status"] for item in items}
    return statuses if all(statuses.get(code) == "archived" for code in LEAVERS) else None


def test_a_job_is_discarded_with_its_rows_and_a_wrong_delimiter_is_corrected_by_patch(system):
    wrong = system.upload(export_text(STUDENTS[:2]).encode(), kind="users", delimiter="comma", as_student=True)
    failed = system.wait_for_status(wrong["id"], ("failed",))
    assert failed["error"]["code"] == "missing_required_column"
    status, _ = system.request_patch(wrong["id"], {"delimiter": ";"})
    assert status == 200
    assert system.wait_for_status(wrong["id"], ("ready",))["counts"]["skip"] == 2  # mode import: they exist
    status, _ = system.request("DELETE", f"/api/v1/imports/{wrong['id']}")
    assert status == 204
    assert system.get(f"/api/v1/imports/{wrong['id']}")[0] == 404
    wait_until(lambda: system.get(f"/api/v1/audit?action=import.deleted&target={wrong['id']}")[1]["items"], 30,
               "the import.deleted audit entry")
