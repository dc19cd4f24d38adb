"""Leavers end to end: a student's name and status reach the enrollments through the users service's
events, the outbox relay and the enrollments consumer (no request of the enrollments service catches
up here); archived and former students are marked and left out of the placements."""

from tests.processes import wait_until

PROJECT = "2028-2029-leavers"


def enrolled(system) -> dict[str, tuple[str | None, str]]:
    items = system.get(f"/api/v1/schedule-projects/{PROJECT}/enrollments")[1]["items"]
    return {item["student"]: (item["student_name"], item["student_status"]) for item in items}


def test_names_and_leavers_follow_the_student_events_into_the_enrollments_and_placements(system):
    assert system.post("/api/v1/schedule-projects",
                       {"code": PROJECT, "name": "Leavers", "school_year": "2028-2029"})[0] == 201
    assert system.post(f"/api/v1/schedule-projects/{PROJECT}/departments",
                       {"code": "h1", "name": "Havo 1", "year_of_education": 1})[0] == 201
    system.post("/api/v1/learning-paths", {"code": "leavers-h1", "name": "Havo 1", "element_code": "9001",
                                           "years_of_education": [1], "educations": [], "profiles": []})
    students = {"230001": ("Zoë", "van 't", "Hof"), "230002": ("Daniël", None, "Vermeulen"),
                "230003": ("Sem", None, "Bakker")}
    for code, (first_name, prefix, last_name) in students.items():
        status, body = system.post("/api/v1/users", {"code": code, "is_student": True, "first_name": first_name,
                                                     "prefix": prefix, "last_name": last_name})
        assert status == 201, body
        status, body = system.post(f"/api/v1/schedule-projects/{PROJECT}/enrollments",
                                   {"student": code, "department": "h1"})
        assert status == 201, body
    assert enrolled(system) == {"230001": ("Zoë van 't Hof", "active"), "230002": ("Daniël Vermeulen", "active"),
                                "230003": ("Sem Bakker", "active")}

    assert system.request("PATCH", "/api/v1/users/230001", {"prefix": "van der", "last_name": "Berg"})[0] == 200
    assert system.request("PATCH", "/api/v1/users/230002", {"archived": True})[0] == 200
    assert system.request("PATCH", "/api/v1/users/230003", {"is_student": False})[0] == 200
    expected = {"230001": ("Zoë van der Berg", "active"), "230002": ("Daniël Vermeulen", "archived"),
                "230003": ("Sem Bakker", "not_a_student")}
    wait_until(lambda: enrolled(system) == expected, 30, "the consumer to apply the student events")

    placements = system.get(f"/api/v1/schedule-projects/{PROJECT}/placements")[1]
    assert [item["student"] for item in placements["placements"]] == ["230001"]
    assert placements["excluded"] == [{"student": "230002", "department": "h1", "reason": "archived"},
                                      {"student": "230003", "department": "h1", "reason": "not_a_student"}]
    status, body = system.post(f"/api/v1/schedule-projects/{PROJECT}/enrollments",
                               {"student": "230002", "department": "h1"})
    # the archived student keeps the enrollment, and cannot get another
    assert (status, body["error"]["code"], body["error"]["details"]["student"]) == (422, "not_a_student", "230002")

    # restored: placed again
    assert system.request("PATCH", "/api/v1/users/230002", {"archived": False})[0] == 200
    wait_until(lambda: enrolled(system)["230002"] == ("Daniël Vermeulen", "active"), 30, "the restore")
    placements = system.get(f"/api/v1/schedule-projects/{PROJECT}/placements")[1]
    assert [item["student"] for item in placements["placements"]] == ["230001", "230002"]
