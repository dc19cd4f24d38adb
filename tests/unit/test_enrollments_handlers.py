"""The enrollments service's handlers on hand-written fakes: enrolling by hand and imported rows."""

import pytest

from services.enrollments import handlers
from shared import catalogue
from shared.errors import Conflict, InvalidInput, NotFound
from shared.messages import Chunk, RowIn
from shared.policy import Actor
from tests.unit.enrollments_fakes import FakeStudentDirectory, FakeUnitOfWork

PROJECT = "2026-2027"
ENROLLER = Actor("roostermaker", frozenset({"imports:write", "enrollments:write"}))


@pytest.fixture
def uow():
    uow = FakeUnitOfWork()
    handlers.create_project(uow, PROJECT, "Havo/vwo", "2026-2027")
    handlers.create_department(uow, PROJECT, "h1", "Havo 1", 1)
    return uow


@pytest.fixture
def directory(uow):
    return FakeStudentDirectory(uow)


def chunk(*rows, dry_run=False, actor=ENROLLER, chunk_no=0, project=PROJECT):
    return Chunk("job-1", 0, chunk_no, dry_run, {"schedule_project": project},
                 [RowIn(line, values) for line, values in rows], actor=actor.to_dict())


def actions(result):
    return [(row.action, row.applied) for row in result.rows]


def test_a_student_published_just_before_is_known_because_the_directory_catches_up_first(uow, directory):
    directory.publish("100001")
    enrollment = handlers.enroll(uow, directory, PROJECT, {"student": "100001", "department": "h1", "prognosis": "75%"})
    assert (enrollment["student"], enrollment["department"], enrollment["prognosis"]) == ("100001", "h1", 75)


@pytest.mark.parametrize("published, body, code", [
    ({}, {"student": "100002", "department": "h1"}, "unknown_student"),
    ({"is_student": False}, {"student": "100001", "department": "h1"}, "not_a_student"),
    ({"archived": True}, {"student": "100001", "department": "h1"}, "not_a_student"),
    ({}, {"student": "100001", "department": "v9"}, "unknown_department"),
    ({}, {"student": "100001", "department": "h1", "prognosis": 101}, "invalid_prognosis"),
])
def test_an_enrollment_that_cannot_be_is_refused_and_nothing_is_stored(uow, directory, published, body, code):
    directory.publish("100001", **published)
    with pytest.raises(InvalidInput) as refused:
        handlers.enroll(uow, directory, PROJECT, body)
    assert refused.value.code == code and uow.enrollments.enrollments_by_id == {}


def test_a_second_enrollment_in_a_project_conflicts_and_an_unknown_project_is_not_found(uow, directory):
    directory.publish("100001")
    handlers.enroll(uow, directory, PROJECT, {"student": "100001", "department": "h1"})
    with pytest.raises(Conflict):
        handlers.enroll(uow, directory, PROJECT, {"student": "100001", "department": "h1"})
    with pytest.raises(NotFound):
        handlers.enroll(uow, directory, "2030-2031", {"student": "100001", "department": "h1"})
    assert len(uow.enrollments.enrollments_by_id) == 1


def test_a_preview_decides_every_row_and_writes_nothing(uow, directory):
    directory.publish("100001")
    result = handlers.apply_enrollment_rows(uow, directory, chunk(
        (2, {"student": "100001", "department": "h1"}), (3, {"student": "100009", "department": "h1"}),
        (4, {"student": "100001", "department": "x"}), dry_run=True))
    assert actions(result) == [("create", False), ("error", False), ("error", False)]
    assert uow.enrollments.enrollments_by_id == {} and uow.applied_chunks.stored == {}


def test_an_applied_chunk_delivered_again_answers_its_stored_results_and_enrolls_nobody_twice(uow, directory):
    directory.publish("100001")
    first = handlers.apply_enrollment_rows(uow, directory, chunk((2, {"student": "100001", "department": "h1"})))
    assert actions(first) == [("create", True)]
    handlers.delete_enrollment(uow, PROJECT, 1)  # even when the enrollment is gone since
    again = handlers.apply_enrollment_rows(uow, directory, chunk((2, {"student": "100001", "department": "h1"})))
    assert actions(again) == [("create", True)] and uow.enrollments.enrollments_by_id == {}


def test_a_student_enrolled_since_the_preview_is_skipped_and_says_why(uow, directory):
    directory.publish("100001")
    handlers.enroll(uow, directory, PROJECT, {"student": "100001", "department": "h1"})
    [row] = handlers.apply_enrollment_rows(uow, directory, chunk((2, {"student": "100001", "department": "h1"}))).rows
    assert (row.action, row.reason) == ("skip", "enrollment_exists")
    assert "verwijder" in catalogue.render(row.messages, "nl")[0]


def test_rows_beyond_the_actors_rights_are_errors_and_an_unknown_project_is_a_problem_of_the_whole_import(
        uow, directory):
    directory.publish("100001")
    reader = Actor("lezer", frozenset({"enrollments:read", "imports:write"}))
    [row] = handlers.apply_enrollment_rows(uow, directory, chunk((2, {"student": "100001", "department": "h1"}),
                                                                  actor=reader)).rows
    assert (row.action, row.reason) == ("error", "insufficient_rights")
    unknown = handlers.apply_enrollment_rows(uow, directory, chunk((2, {"student": "100001", "department": "h1"}),
                                                                    project="2030-2031"))
    assert unknown.rows == [] and unknown.problem["code"] == "unknown_schedule_project"
    assert unknown.problem["params"] == {"code": "2030-2031"}
    assert uow.enrollments.enrollments_by_id == {}


def test_placements_give_each_enrollment_its_learning_path_or_the_reason_it_has_none(uow, directory):
    for code in ("100001", "100002"):
        directory.publish(code)
        handlers.enroll(uow, directory, PROJECT, {"student": code, "department": "h1",
                                                  "profile": "NT" if code == "100001" else None})
    handlers.create_learning_path(uow, {"code": "h1-nt", "name": "H1 NT", "element_code": "E1",
                                        "years_of_education": [1], "profiles": ["nt"]})
    placed = handlers.placements(uow, PROJECT)
    assert [(p["student"], p["learning_path"]) for p in placed["placements"]] == [("100001", "h1-nt")]
    assert placed["without_learning_path"] == [{"student": "100002", "department": "h1",
                                                "reason": "no_matching_learning_path"}]


def test_a_cell_with_a_control_character_makes_its_row_an_error_and_the_rest_of_the_chunk_applies(uow, directory):
    directory.publish("100001")
    directory.publish("100002")
    result = handlers.apply_enrollment_rows(uow, directory, chunk(
        (2, {"student": "100001", "department": "h1", "main_group": "1a\x00"}),
        (3, {"student": "100002", "department": "h1", "main_group": "1b"})))
    assert actions(result) == [("error", False), ("create", True)]
    assert result.rows[0].reason == "unreadable_cells" and "main_group" in catalogue.render(result.rows[0].messages)[0]
