"""Enrollments end to end: users imported first, the same export imported as enrollments next,
through real workers, the relay and the enrollments event consumer."""

import json
import urllib.request

from tests.dutch_files import DEPARTMENTS, export_bytes, export_text
from tests.processes import wait_until

PROJECT = "2026-2027"


def setup_project(system, code=PROJECT):
    project = {"code": code, "name": "havo/vwo", "school_year": "2026-2027"}
    assert system.post("/api/v1/schedule-projects", project)[0] == 201
    for department in DEPARTMENTS:
        body = {"code": department, "name": department, "year_of_education": int(department[1:])}
        assert system.post(f"/api/v1/schedule-projects/{code}/departments", body)[0] == 201


def import_file(system, content: bytes, **options) -> dict:
    job = system.upload(content, start=True, **options)
    return system.wait_for_status(job["id"], ("completed", "failed"), timeout=180)


def in_english(system, path: str) -> dict:
    """A GET with Accept-Language: en, as the console with its language switch on English sends."""
    request = urllib.request.Request(f"{system.base}{path}", headers={
        "Authorization": f"Bearer {system.token}", "Accept-Language": "en-GB,en;q=0.9"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def known_students(system, prefix: str) -> int:
    return system.scalar("ENROLLMENTS", "SELECT count(*) FROM students WHERE code LIKE :p AND is_student",
                         p=f"{prefix}%")


def test_one_export_imported_as_users_and_at_once_as_enrollments(system):
    setup_project(system)
    export = export_bytes(1000, first_code=210000)
    users = import_file(system, export, kind="users", as_student=True)
    assert users["status"] == "completed" and users["counts"]["create"] == 1000

    first = import_file(system, export, kind="enrollments", schedule_project=PROJECT)
    assert first["status"] == "completed"
    assert first["counts"] == {"create": 1000, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
    fields = {column["header"]: column["field"] for column in first["columns"]}
    assert fields["Leerlingnummer"] == "student" and fields["Afdeling"] == "department"
    assert fields["Roepnaam"] == "ignore"

    again = import_file(system, export, kind="enrollments", schedule_project=PROJECT)
    assert again["counts"]["skip"] == 1000
    [row] = system.all_rows(again["id"], action="skip")[:1]
    assert row["reason"] == "enrollment_exists" and "verwijder die eerst" in " ".join(row["messages"])

    enrollment = system.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments?student=210500")[1]["items"][0]
    assert system.request("DELETE", f"/api/v1/schedule-projects/{PROJECT}/enrollments/{enrollment['id']}")[0] == 204
    once_more = import_file(system, export, kind="enrollments", schedule_project=PROJECT)
    assert once_more["counts"]["create"] == 1 and once_more["counts"]["skip"] == 999


def test_placements_list_every_student_whose_learning_path_is_defined(system):
    project = "2027-2028"
    setup_project(system, project)
    for body in ({"code": "havo-ob", "name": "havo onderbouw", "element_code": "2061", "years_of_education": [1, 2, 3],
                  "educations": ["havo"], "profiles": []},
                 {"code": "vwo-ob", "name": "vwo onderbouw", "element_code": "2081", "years_of_education": [1, 2, 3],
                  "educations": ["vwo"], "profiles": []}):
        system.post("/api/v1/learning-paths", body)
    rows = [["220001", "h1", "80", "", "havo", "h1a"], ["220002", "v2", "75%", "", "vwo", "v2b"],
            ["220003", "h4", "", "NT", "havo", "h4a"]]
    users = export_text([[code, "Noor", "", "Bakker", "", department] for code, department, *_ in rows])
    assert import_file(system, users.encode(), kind="users", as_student=True)["counts"]["create"] == 3
    enrollments = export_text(rows, header=["Stamnummer", "Afdeling", "Pr%", "Profiel", "Opleiding", "Stamklas"],
                              delimiter="\t")
    done = import_file(system, enrollments.encode("cp1252"), kind="enrollments", schedule_project=project)
    assert done["counts"]["create"] == 3 and done["settings"]["delimiter"] == "\t"
    placements = system.get(f"/api/v1/schedule-projects/{project}/placements")[1]
    assert [(p["student"], p["learning_path"], p["element_code"], p["main_group"]) for p in placements["placements"]] \
        == [("220001", "havo-ob", "2061", "h1a"), ("220002", "vwo-ob", "2081", "v2b")]
    assert placements["without_learning_path"] == [
        {"student": "220003", "department": "h4", "reason": "no_matching_learning_path"}]
    enrollment = system.get(f"/api/v1/schedule-projects/{project}/enrollments?student=220002")[1]["items"][0]
    assert enrollment["prognosis"] == 75 and enrollment["learning_path"] == "vwo-ob"


def test_bad_enrollment_rows_and_an_unknown_project_are_reported(system):
    project = "2028-2029"
    setup_project(system, project)
    system.post("/api/v1/users", {"code": "230001", "is_student": True})
    system.post("/api/v1/users", {"code": "230002", "is_student": True})
    system.request("PATCH", "/api/v1/users/230002", {"archived": True})
    system.post("/api/v1/users", {"code": "t.jansen", "is_employee": True})
    rows = [["230001", "h1", "abc"], ["230001", "h1", "80"], ["230002", "h1", ""], ["t.jansen", "h1", ""],
            ["239999", "h1", ""], ["230001", "x9", "120"], ["", "h1", ""]]
    content = export_text(rows, header=["Leerlingnummer", "Afdeling", "Prognose"]).encode()
    done = import_file(system, content, kind="enrollments", schedule_project=project)
    actions = [(row["line"], row["action"], " ".join(row["messages"])) for row in system.all_rows(done["id"])]
    assert [action for _, action, _ in actions] == ["error"] * 7
    assert "De prognose" in actions[0][2] and "regel 2" in actions[1][2] and "gearchiveerd" in actions[2][2]
    assert "t.jansen" in actions[3][2] and "239999" in actions[4][2] and "regel 2" in actions[5][2]
    assert "leeg" in actions[6][2]
    assert [row["reason"] for row in system.all_rows(done["id"])] == [
        "invalid_prognosis", "duplicate_in_file", "not_a_student", "unknown_student", "unknown_student",
        "duplicate_in_file", "missing_student"]
    assert done["counts"]["error"] == 7 and done["total_rows"] == 7
    english = in_english(system, f"/api/v1/imports/{done['id']}/rows?limit=3")["items"]
    assert english[1]["messages"] == ["230001 was used on line 2 already; this row is not imported."]
    dutch_report = system.download(f"/api/v1/imports/{done['id']}/errors.csv").decode("utf-8-sig").splitlines()
    english_report = system.download(f"/api/v1/imports/{done['id']}/errors.csv?lang=en").decode("utf-8-sig")
    assert dutch_report[0] == "line;code;action;message" == english_report.splitlines()[0]
    assert dutch_report[2] == '3;230001;error;"230001 staat al op regel 2 van het bestand; deze regel wordt niet ' \
        'geïmporteerd."'
    assert english_report.splitlines()[2] == '3;230001;error;"230001 was used on line 2 already; this row is not ' \
        'imported."'
    assert english_report.splitlines()[1].startswith("2;230001;error;The prognosis")
    missing = import_file(system, content, kind="enrollments", schedule_project="1999-2000")
    assert missing["status"] == "failed" and missing["error"]["code"] == "unknown_schedule_project"
    assert missing["error"]["message"] == "Er is geen roosterproject met code 1999-2000."
    assert in_english(system, f"/api/v1/imports/{missing['id']}")["error"] == {
        "code": "unknown_schedule_project", "message": "There is no schedule project with code 1999-2000."}
    no_department = import_file(system, b"Leerlingnummer;Naam\r\n230001;Noor\r\n", kind="enrollments",
                                schedule_project=project)
    assert no_department["status"] == "failed" and no_department["error"]["code"] == "missing_required_column"


def test_a_stopped_event_consumer_loses_no_student(system):
    system.stop("enrollments-consumer")
    created = import_file(system, export_bytes(300, first_code=240000), kind="users", as_student=True)
    assert created["counts"]["create"] == 300
    assert known_students(system, "240") == 0  # nothing else read the stream meanwhile
    system.start("enrollments-consumer")
    wait_until(lambda: known_students(system, "240") == 300, 60, "the consumer to catch up")
